package bot

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"vmeste/storage"
)

// maxImportRows bounds an organisations CSV file.
const maxImportRows = 1000

// importRow is a row of an organisations CSV that can be saved.
type importRow struct {
	Line int                  `json:"line"`
	Org  storage.Organisation `json:"org"`
}

// importProblem is a row that could not be read: the locale key of the
// reason and the offending value.
type importProblem struct {
	Line  int
	Key   string
	Value string
}

// errNotCSV is returned for a file that is not a readable CSV table.
var errNotCSV = errors.New("bot: not a CSV file")

// kindAliases maps what people write in the kind column to a kind: the
// codes, and the Russian and English words for each.
var kindAliases = func() map[string]storage.OrgKind {
	m := map[string]storage.OrgKind{}
	add := func(k storage.OrgKind, words ...string) {
		m[string(k)] = k
		for _, w := range words {
			m[w] = k
		}
	}
	add(storage.KindSchool, "школа", "оо", "общеобразовательная организация", "сош", "school")
	add(storage.KindPreschool, "доу", "детский сад", "дошкольная", "kindergarten", "preschool")
	add(storage.KindCollege, "спо", "колледж", "техникум", "college")
	add(storage.KindAdditional, "удо", "дополнительное образование", "additional education")
	add(storage.KindCulture, "культура", "culture")
	add(storage.KindHealth, "здравоохранение", "здоровье", "health")
	add(storage.KindVeterans, "совет ветеранов", "ветераны", "veterans", "veterans' council")
	add(storage.KindPolice, "полиция", "омвд", "police")
	add(storage.KindTrafficPolice, "гибдд", "гаи", "traffic police")
	add(storage.KindEmergencies, "го и чс", "гочс", "мчс", "emergencies")
	add(storage.KindOtherOrg, "другое", "прочее", "other")
	return m
}()

// parseKind reads the kind column.
func parseKind(s string) (storage.OrgKind, bool) {
	k, ok := kindAliases[strings.ToLower(strings.Join(strings.Fields(s), " "))]
	return k, ok
}

// parseOrgCSV reads an organisations table: name, short name, kind, contact;
// UTF-8 with or without BOM (Windows-1251, as Excel saves it, is accepted
// too); comma or semicolon; an optional header row. existing are the names
// already stored, for duplicate checks.
func parseOrgCSV(data []byte, existing []storage.Organisation) ([]importRow, []importProblem, error) {
	data, ok := decodeTableText(data)
	if !ok {
		return nil, nil, errNotCSV
	}
	rd := csvReader(data)
	seen := map[string]int{}
	for _, o := range existing {
		seen[strings.ToLower(strings.TrimSpace(o.Name))] = -1
	}
	var rows []importRow
	var problems []importProblem
	for n := 0; ; n++ {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var perr *csv.ParseError
			if errors.As(err, &perr) {
				problems = append(problems, importProblem{Line: perr.Line, Key: "import_bad_csv_row"})
				continue
			}
			return nil, nil, errNotCSV
		}
		line, _ := rd.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if n == 0 && isHeader(rec) {
			continue
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		if len(rows)+len(problems) >= maxImportRows {
			problems = append(problems, importProblem{Line: line, Key: "import_too_many_rows"})
			break
		}
		row, problem := parseOrgRow(line, rec, seen)
		if problem != nil {
			problems = append(problems, *problem)
			continue
		}
		seen[strings.ToLower(row.Org.Name)] = line
		rows = append(rows, row)
	}
	if len(rows) == 0 && len(problems) == 0 {
		return nil, nil, errNotCSV
	}
	return rows, problems, nil
}

func isHeader(rec []string) bool {
	switch strings.ToLower(rec[0]) {
	case "name", "название", "наименование", "организация":
		return true
	}
	return false
}

func parseOrgRow(line int, rec []string, seen map[string]int) (importRow, *importProblem) {
	bad := func(key, value string) (importRow, *importProblem) {
		return importRow{}, &importProblem{Line: line, Key: key, Value: value}
	}
	if len(rec) < 3 {
		return bad("import_too_few_columns", "")
	}
	if len(rec) > 4 && strings.Join(rec[4:], "") != "" {
		return bad("import_too_many_columns", "")
	}
	name, short, kindText := rec[0], rec[1], rec[2]
	contact := ""
	if len(rec) > 3 {
		contact = rec[3]
	}
	switch n := utf8.RuneCountInString(name); {
	case n < 2:
		return bad("import_no_name", "")
	case n > maxOrgName:
		return bad("import_name_too_long", truncateRunes(name, 40))
	}
	if utf8.RuneCountInString(short) > maxOrgShort {
		return bad("import_short_too_long", truncateRunes(short, 40))
	}
	if utf8.RuneCountInString(contact) > maxOrgContact {
		return bad("import_contact_too_long", truncateRunes(contact, 40))
	}
	kind, ok := parseKind(kindText)
	if !ok {
		return bad("import_unknown_kind", truncateRunes(kindText, 40))
	}
	if prev, dup := seen[strings.ToLower(name)]; dup {
		if prev < 0 {
			return bad("import_exists", truncateRunes(name, 60))
		}
		return bad("import_duplicate_row", truncateRunes(name, 60))
	}
	return importRow{Line: line, Org: storage.Organisation{Name: name, ShortName: short, Kind: kind, Contact: contact}}, nil
}
