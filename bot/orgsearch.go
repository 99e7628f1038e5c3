package bot

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"vmeste/storage"
)

// Finding one's organisation in a list of a hundred. People type «школа 2»,
// «детсад 3», «сош№2», «Гимназия 5» or a village's name; the list holds
// «МКОУ «СОШ №2» с.п. Бедык» and «МКДОУ «Детский сад №3». Search folds
// case, ё/е, quotes and «№», splits «сош2» into «сош 2», and knows that a
// СОШ, ООШ, гимназия or лицей is a school and a ДОУ or «д/с» a
// kindergarten. A number matches only the same number (2 is not 12).

// schoolWords name a school; an organisation holding any of them also
// answers to «школа».
var schoolWords = []string{"школа", "сош", "оош", "нош", "гимназия", "лицей"}

// wordForms maps the forms people type to the word the index holds.
var wordForms = map[string]string{
	"школы": "школа", "школу": "школа", "школе": "школа", "школ": "школа",
	"гимназии": "гимназия", "гимназию": "гимназия", "лицея": "лицей",
	"детсада": "детсад", "детсаду": "детсад", "детсадик": "детсад", "садик": "детсад",
	"доу": "детсад",
}

// foldOrgText lower-cases s, turns ё into е, and replaces quotes, «№» and
// punctuation with spaces; «д/с» and «детский сад» become «детсад».
func foldOrgText(s string) string {
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "ё", "е")
	for _, from := range []string{"д/с", "д\\с", "д.с."} {
		s = strings.ReplaceAll(s, from, " детсад ")
	}
	var sb strings.Builder
	var prev rune
	for _, c := range s {
		switch {
		case unicode.IsLetter(c):
			if unicode.IsDigit(prev) {
				sb.WriteByte(' ')
			}
			sb.WriteRune(c)
		case unicode.IsDigit(c):
			if unicode.IsLetter(prev) {
				sb.WriteByte(' ')
			}
			sb.WriteRune(c)
		default:
			c = ' '
			sb.WriteRune(c)
		}
		prev = c
	}
	words := strings.Fields(sb.String())
	for i := 0; i+1 < len(words); i++ {
		if strings.HasPrefix(words[i], "детск") && strings.HasPrefix(words[i+1], "сад") {
			words = slices.Replace(words, i, i+2, "детсад")
		}
	}
	return strings.Join(words, " ")
}

// orgSearchWords is what a query word is looked for as.
func orgSearchWords(query string) []string {
	words := strings.Fields(foldOrgText(query))
	for i, w := range words {
		if to, ok := wordForms[w]; ok {
			words[i] = to
		}
	}
	return words
}

// orgIndex is an organisation's searchable words: its name's and short
// name's, and the kinds they imply.
func orgIndex(o storage.Organisation) []string {
	words := strings.Fields(foldOrgText(o.Name + " " + o.ShortName))
	school, kindergarten := o.Kind == storage.KindSchool, o.Kind == storage.KindPreschool
	for _, w := range words {
		switch {
		case slices.Contains(schoolWords, w):
			school = true
		case w == "детсад" || strings.HasSuffix(w, "доу"):
			kindergarten = true
		}
	}
	has := func(w string) bool { return slices.Contains(words, w) }
	if has("школа") && has("средняя") {
		words = append(words, "сош")
	}
	if has("школа") && has("основная") {
		words = append(words, "оош")
	}
	if school {
		words = append(words, "школа")
	}
	if kindergarten {
		words = append(words, "детсад")
	}
	return words
}

// matchesOrg reports whether every query word is in the organisation's
// index: a number as the same number, a word as part of any indexed word.
func matchesOrg(index, query []string) bool {
	for _, q := range query {
		found := false
		for _, w := range index {
			if sameWord(w, q) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// sameWord reports whether the indexed word w answers the query word q.
func sameWord(w, q string) bool {
	nq, err := strconv.Atoi(q)
	if err != nil {
		return strings.Contains(w, q)
	}
	nw, err := strconv.Atoi(w)
	return err == nil && nw == nq
}

// filterOrgs keeps the organisations that match every word of filter (see
// above) and returns them in the order people look for them: schools,
// then kindergartens, then the other kinds, each by name without its legal
// form («МКОУ»), numbers in numeric order (№2 before №10).
func filterOrgs(all []storage.Organisation, filter string) []storage.Organisation {
	query := orgSearchWords(filter)
	var out []storage.Organisation
	for _, o := range all {
		if len(query) == 0 || matchesOrg(orgIndex(o), query) {
			out = append(out, o)
		}
	}
	sortOrgs(out)
	return out
}

// sortOrgs puts organisations in the pickers' order (see filterOrgs).
func sortOrgs(list []storage.Organisation) {
	keys := make(map[int64]string, len(list))
	for _, o := range list {
		keys[o.ID] = orgSortName(o.Name)
	}
	slices.SortStableFunc(list, func(a, b storage.Organisation) int {
		if ka, kb := kindRank(a.Kind), kindRank(b.Kind); ka != kb {
			return ka - kb
		}
		if c := naturalCompare(keys[a.ID], keys[b.ID]); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// kindRank is a kind's place in storage.OrgKinds (schools first); an
// unknown kind goes last.
func kindRank(k storage.OrgKind) int {
	if i := slices.Index(storage.OrgKinds, k); i >= 0 {
		return i
	}
	return len(storage.OrgKinds)
}

// orgSortName is the name as sorted: from its first quote when it has one
// («МКОУ «СОШ №2» с.п. Бедык» sorts as «СОШ №2…»), else without the
// leading legal-form abbreviations (all capitals: МКОУ, ГБПОУ); folded.
func orgSortName(name string) string {
	if i := strings.IndexAny(name, "«\"“„"); i > 0 {
		return foldOrgText(name[i:])
	}
	words := strings.Fields(name)
	for len(words) > 1 && isAbbreviation(words[0]) {
		words = words[1:]
	}
	return foldOrgText(strings.Join(words, " "))
}

func isAbbreviation(w string) bool {
	letters := 0
	for _, c := range w {
		if !unicode.IsLetter(c) || !unicode.IsUpper(c) {
			return false
		}
		letters++
	}
	return letters >= 2
}

// naturalCompare compares a and b with runs of digits as numbers.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, ra := splitDigits(a)
		db, rb := splitDigits(b)
		if da != "" && db != "" {
			na, _ := strconv.Atoi(da)
			nb, _ := strconv.Atoi(db)
			if na != nb {
				return na - nb
			}
			a, b = ra, rb
			continue
		}
		ca, sa := utf8.DecodeRuneInString(a)
		cb, sb := utf8.DecodeRuneInString(b)
		if ca != cb {
			return int(ca) - int(cb)
		}
		a, b = a[sa:], b[sb:]
	}
	return len(a) - len(b)
}

// splitDigits returns s's leading digits (at most 9, so they fit an int
// anywhere) and the rest.
func splitDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

// kindHints guess an organisation's kind from words of its name, in order:
// the first kind with a word that some word of the name starts with wins.
var kindHints = []struct {
	kind  storage.OrgKind
	words []string
}{
	{storage.KindPreschool, []string{"детсад", "доу", "мдоу", "мкдоу", "мбдоу"}},
	{storage.KindCollege, []string{"колледж", "техникум", "гбпоу", "училищ"}},
	{storage.KindSchool, append([]string{"мкоу", "мбоу", "моу"}, schoolWords...)},
	{storage.KindAdditional, []string{"црт", "дод", "удо", "творчеств", "спортивн", "дюсш"}},
	{storage.KindTrafficPolice, []string{"гибдд", "огибдд", "дпс"}},
	{storage.KindPolice, []string{"мвд", "полиц", "омвд"}},
	{storage.KindEmergencies, []string{"мчс", "чс", "пожарн", "спасат"}},
	{storage.KindHealth, []string{"гбуз", "больниц", "поликлиник", "здрав"}},
	{storage.KindVeterans, []string{"ветеран"}},
	{storage.KindCulture, []string{"музей", "библиотек", "культур", "клуб"}},
}

// guessOrgKind is the likely kind of an organisation named name;
// storage.KindOtherOrg when nothing says.
func guessOrgKind(name string) storage.OrgKind {
	words := strings.Fields(foldOrgText(name))
	for _, h := range kindHints {
		for _, w := range words {
			for _, hint := range h.words {
				if strings.HasPrefix(w, hint) {
					return h.kind
				}
			}
		}
	}
	return storage.KindOtherOrg
}
