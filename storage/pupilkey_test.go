package storage

import (
	"hash/fnv"
	"strings"
	"testing"
	"unicode"
)

// pupilKeyReference is the plain form of pupilKey (words split, lowered,
// joined, hashed with hash/fnv): the report rows written before pupilKey
// stopped allocating must still match.
func pupilKeyReference(p Pupil) uint64 {
	h := fnv.New64a()
	fold := func(s string) {
		first := true
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '-' || r == '.' }) {
			if !first {
				h.Write([]byte{' '})
			}
			first = false
			h.Write([]byte(strings.ReplaceAll(strings.ToLower(w), "ё", "е")))
		}
	}
	fold(p.Name)
	h.Write([]byte{0})
	fold(strings.ReplaceAll(p.Class, " ", ""))
	return h.Sum64()
}

func TestPupilKeyMatchesItsReference(t *testing.T) {
	for _, p := range []Pupil{
		{Name: "Иванов Пётр", Class: "5Б"}, {Name: "  иванов   петр ", Class: "5 б"}, {Name: "Смирнова Анна-Мария", Class: "5-А"},
		{Name: "Ли Ен.", Class: "ТМ-21"}, {Name: "Ёлкин Ёж", Class: "подготовительная"}, {Name: "", Class: ""},
		{Name: "A b\tc", Class: "11 А."}, {Name: "--Орлов..Глеб--", Class: " 9 "},
	} {
		if got, want := pupilKey(p), pupilKeyReference(p); got != want {
			t.Errorf("pupilKey(%+v) = %x, want %x", p, got, want)
		}
	}
	if pupilKey(Pupil{Name: "Иванов Пётр", Class: "5Б"}) != pupilKey(Pupil{Name: "ИВАНОВ ПЕТР", Class: "5 б"}) {
		t.Error("the same pupil typed twice differs")
	}
	if n := testing.AllocsPerRun(100, func() { pupilKey(Pupil{Name: "Хаджиева Мадина Руслановна", Class: "10А"}) }); n != 0 {
		t.Errorf("pupilKey allocates %v times", n)
	}
}
