package bot

import (
	"strings"
	"testing"
	"time"

	"vmeste/storage"
)

func TestParsePupilsAsTeachersTypeThem(t *testing.T) {
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	text := "Иванов Пётр, 5Б\n\nПетрова Анна Сергеевна 5 Б\n1. Сидоров Илья — 11А\nКозлова Мария, 7в, 12.03.2014\n" +
		"2) смирнова анна-мария 5 «а»\n- Ли Ен, 3 a класс\nОрлов Глеб, старшая группа\nБелов Ян, ТМ-21\nКим Лия подготовительная группа\nЗайцева Ольга 9 кл. 1.2.15 г.р.\nКузнецов Иван, ученик 5А класса\nОрлова Дарья ученица 6 б"
	got, problems := parsePupils(text, true, 30, now)
	if len(problems) != 0 {
		t.Fatalf("problems: %+v", problems)
	}
	want := []storage.Pupil{
		{Name: "Иванов Пётр", Class: "5Б"},
		{Name: "Петрова Анна Сергеевна", Class: "5Б"},
		{Name: "Сидоров Илья", Class: "11А"},
		{Name: "Козлова Мария", Class: "7В", Birth: "2014-03-12"},
		{Name: "Смирнова Анна-Мария", Class: "5А"},
		{Name: "Ли Ен", Class: "3А"},
		{Name: "Орлов Глеб", Class: "старшая"},
		{Name: "Белов Ян", Class: "ТМ-21"},
		{Name: "Ким Лия", Class: "подготовительная"},
		{Name: "Зайцева Ольга", Class: "9", Birth: "2015-02-01"},
		{Name: "Кузнецов Иван", Class: "5А"},
		{Name: "Орлова Дарья", Class: "6Б"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d pupils: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i+1, got[i], want[i])
		}
	}
}

func TestParsePupilsSaysWhyALineIsNotRead(t *testing.T) {
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	long := strings.Repeat("Оченьдлинная ", 9) + "Фамилия"
	text := "Иванов Пётр\n" + // no class
		"Петров 5Б\n" + // no name
		long + ", 5Б\n" + // too long
		"Сидоров Илья, 5Б, 31.02.2014\n" + // no such date
		"Кузнецов Иван, 5Б\n" +
		"кузнецов иван, 5 б\n" + // twice
		"Орлов Глеб, 5Б\n" +
		"Лебедев Лев, 6А" // past the team's limit
	got, problems := parsePupils(text, true, 2, now)
	if len(got) != 2 || got[0].Name != "Кузнецов Иван" || got[1].Name != "Орлов Глеб" {
		t.Errorf("read %+v", got)
	}
	want := []pupilProblem{
		{1, "Иванов Пётр", pupilNoClass},
		{2, "Петров 5Б", pupilName},
		{3, long + ", 5Б", pupilNameTooLong},
		{4, "Сидоров Илья, 5Б, 31.02.2014", pupilBirth},
		{6, "кузнецов иван, 5 б", pupilTwice},
		{8, "Лебедев Лев, 6А", pupilTooMany},
	}
	if len(problems) != len(want) {
		t.Fatalf("problems %+v", problems)
	}
	for i := range want {
		if problems[i] != want[i] {
			t.Errorf("problem %d: got %+v, want %+v", i, problems[i], want[i])
		}
	}
}

func TestParsePupilsDropsABirthDateNotAsked(t *testing.T) {
	got, problems := parsePupils("Козлова Мария, 7в, 12.03.2014", false, 5, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC))
	if len(problems) != 0 || len(got) != 1 || got[0].Birth != "" || got[0].Class != "7В" {
		t.Errorf("got %+v, %+v", got, problems)
	}
}

func TestNormalisePhone(t *testing.T) {
	for in, want := range map[string]string{
		"+7 928 123-45-67":  "+79281234567",
		"89281234567":       "+79281234567",
		"8 (928) 123-45-67": "+79281234567",
		"9281234567":        "+79281234567",
		"7 928 123 45 67":   "+79281234567",
		"+380 50 123 4567":  "+380501234567",
		"123":               "",
		"позвоните мне":     "",
		"+7 928 123-45-6":   "",
		"":                  "",
	} {
		got, ok := normalisePhone(in)
		if got != want || ok != (want != "") {
			t.Errorf("normalisePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got, ok := contactPhone("79281234567"); !ok || got != "+79281234567" {
		t.Errorf("contact: %q %v", got, ok)
	}
}

// A list read back (to copy and send again, or to add a pupil to) reads
// as the same list.
func TestPupilsTextReadsBackTheSame(t *testing.T) {
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	list := []storage.Pupil{{Name: "Иванов Пётр", Class: "5Б", Birth: "2014-03-12"}, {Name: "Ким Лия", Class: "подготовительная"},
		{Name: "Орлов Глеб", Class: "старшая"}, {Name: "Белов Ян", Class: "ТМ-21"}, {Name: "Ли Ен", Class: "11А"}}
	got, problems := parsePupils(pupilsText(list), true, 10, now)
	if len(problems) != 0 || len(got) != len(list) {
		t.Fatalf("read %+v, %+v", got, problems)
	}
	for i := range list {
		if got[i] != list[i] {
			t.Errorf("%d: %+v, want %+v", i, got[i], list[i])
		}
	}
}
