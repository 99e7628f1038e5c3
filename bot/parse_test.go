package bot

import (
	"strings"
	"testing"

	"vmeste/storage"
)

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		in, name, args string
		ok             bool
	}{
		{"/start", "start", "", true},
		{"/start c123", "start", "c123", true},
		{"/Help", "help", "", true},
		{"/orgs@vmeste_test_bot", "orgs", "", true},
		{"/orgs@other_bot", "", "", false},
		{"hello", "", "", false},
		{"/", "", "", false},
		{"/ x", "", "", false},
	} {
		name, args, ok := parseCommand(tc.in, "vmeste_test_bot")
		if name != tc.name || args != tc.args || ok != tc.ok {
			t.Errorf("parseCommand(%q) = %q, %q, %v; want %q, %q, %v", tc.in, name, args, ok, tc.name, tc.args, tc.ok)
		}
	}
}

func TestDecodeCallback(t *testing.T) {
	for _, tc := range []struct {
		in     string
		prefix string
		args   []string
	}{
		{"oo:12", "oo", []string{"12"}},
		{"oa", "oa", []string{}},
		{"ok:0:3", "ok", []string{"0", "3"}},
		{"", "", nil},
		{strings.Repeat("x", 65), "", nil},
		{"oo:Школа", "", nil},
		{"oo 1", "", nil},
	} {
		prefix, args := decodeCallback(tc.in)
		if prefix != tc.prefix || len(args) != len(tc.args) {
			t.Errorf("decodeCallback(%q) = %q %v; want %q %v", tc.in, prefix, args, tc.prefix, tc.args)
		}
	}
	if _, ok := argID([]string{"-1"}, 0); ok {
		t.Error("argID accepted a negative id")
	}
	if _, ok := argIndex([]string{"11"}, 0, 11); ok {
		t.Error("argIndex accepted an index past the end")
	}
}

func TestCallbackDataFitsTelegram(t *testing.T) {
	for prefix := range map[string]bool{cbOrgKind: true, cbCoordRevokeConfirm: true, cbInviteRevoke: true} {
		data := cb(prefix, int64(9223372036854775807), "AAAAAAAAAAAAAAAA")
		if len(data) > maxCallbackData {
			t.Errorf("%s: %d bytes", prefix, len(data))
		}
	}
}

func TestCleanFullName(t *testing.T) {
	for in, want := range map[string]string{
		"Иванова Мария Петровна":    "Иванова Мария Петровна",
		"  Анна-Мария   Кузнецова ": "Анна-Мария Кузнецова",
		"Ян":      "", // one word: a surname and a name are needed
		"Зульфия": "",
		"гетоева зульфия магомедовна": "Гетоева Зульфия Магомедовна",
		"ИВАНОВА мария":               "Иванова Мария",
		"анна-мария кузнецова":        "Анна-Мария Кузнецова",
		"МакДональд Анна":             "МакДональд Анна",
		"Ли Ян":                       "Ли Ян",
		"Иванова - Мария":             "",
		"Я":                           "",
		"<b>Хакер</b>":                "",
		"Иван 3":                      "",
		"--":                          "",
		strings.Repeat("а", 101):      "",
	} {
		got, ok := cleanFullName(in)
		if got != want || ok != (want != "") {
			t.Errorf("cleanFullName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestParseOrgCSV(t *testing.T) {
	existing := []storage.Organisation{{Name: "МКОУ СОШ №1"}}
	file := "\xef\xbb\xbfназвание;краткое;вид;контакт\n" +
		"МКОУ СОШ №2 г.п. Тырныауз;СОШ №2;школа;+7 000\n" +
		"ОГИБДД МО МВД «Эльбрусский»;ГИБДД;гибдд;\n" +
		"Кто-то;К;пришельцы;\n" +
		"мкоу сош №1;СОШ1;школа;\n" +
		"МКОУ СОШ №2 г.п. Тырныауз;дубль;школа;\n" +
		"Одна колонка\n" +
		"\n" +
		"МДОУ «Солнышко»;Солнышко;ДОУ\n"
	rows, problems, err := parseOrgCSV([]byte(file), existing)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("rows = %+v, want 3", rows)
	}
	if rows[1].Org.Kind != storage.KindTrafficPolice || rows[2].Org.Kind != storage.KindPreschool || rows[2].Line != 9 {
		t.Errorf("rows = %+v", rows)
	}
	wantKeys := []string{"import_unknown_kind", "import_exists", "import_duplicate_row", "import_too_few_columns"}
	if len(problems) != len(wantKeys) {
		t.Fatalf("problems = %+v", problems)
	}
	for i, k := range wantKeys {
		if problems[i].Key != k {
			t.Errorf("problem %d = %+v, want %s", i, problems[i], k)
		}
	}
	if problems[0].Line != 4 {
		t.Errorf("line of first problem = %d, want 4", problems[0].Line)
	}

	// Windows-1251 with commas, as Excel saves it.
	cp1251 := []byte{0xd8, 0xea, 0xee, 0xeb, 0xe0, ',', 'S', ',', 's', 'c', 'h', 'o', 'o', 'l', '\n'} // "Школа,S,school"
	rows, _, err = parseOrgCSV(cp1251, nil)
	if err != nil || len(rows) != 1 || rows[0].Org.Name != "Школа" {
		t.Errorf("cp1251: %+v, %v", rows, err)
	}

	if _, _, err := parseOrgCSV([]byte("\x00\x01PK\x03\x04"), nil); err == nil {
		t.Error("binary data read as CSV")
	}
	if _, _, err := parseOrgCSV([]byte("\n\n"), nil); err == nil {
		t.Error("empty file read as CSV")
	}
}
