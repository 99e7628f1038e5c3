package bot

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"vmeste/storage"
)

// Reading a team's pupils as teachers type them: one pupil a line, in one
// message, the name first and the class after it, with or without a
// comma, a dash or numbering, and the date of birth anywhere in the line:
//
//	Иванов Пётр, 5Б
//	Петрова Анна Сергеевна 5 Б
//	1. Сидоров Илья — 11А
//	Козлова Мария, 7в, 12.03.2014
//
// Blank lines and numbering are ignored. A line that cannot be read is
// returned with the reason, never guessed at.

// pupilProblem is a line of a pupils' list that could not be read.
type pupilProblem struct {
	Line   int    // the line's number in the message, from 1
	Text   string // the line as typed, trimmed
	Reason string // pupilNoClass, pupilName, …
}

// Why a line could not be read; each is the suffix of a locale key
// (apply_pupil_problem_<reason>).
const (
	pupilNoClass      = "no_class"       // no class at the end
	pupilName         = "name"           // not a surname and a name (one word, digits)
	pupilNameTooLong  = "name_too_long"  // over storage.MaxPupilNameLen
	pupilClassTooLong = "class_too_long" // over storage.MaxPupilClassLen
	pupilBirth        = "birth"          // a date of birth that is not a date
	pupilTwice        = "twice"          // the same pupil again
	pupilTooMany      = "too_many"       // more pupils than the event's team
)

// pupilProblemReasons lists every reason (for the locale keys' test).
var pupilProblemReasons = []string{pupilNoClass, pupilName, pupilNameTooLong, pupilClassTooLong, pupilBirth, pupilTwice, pupilTooMany}

var (
	// pupilNumbering is "1.", "2)", "-", "•" before the name.
	pupilNumbering = regexp.MustCompile(`^(?:\d{1,3}\s*[.)]|[-–—•*·])\s*`)
	// pupilBareNumber is a number and a space before the name, typed
	// without a dot: "4 Кузнецова Мария 2в" (taken off before a letter only).
	pupilBareNumber = regexp.MustCompile(`^\d{1,3}\s+(\p{L})`)
	// pupilClassInBrackets is a class in brackets at the end: "Иванов Пётр (5А)".
	pupilClassInBrackets = regexp.MustCompile(`\s*\(([^()]*\d[^()]*)\)\.?$`)
	// pupilBirthDate is a date of birth: 12.03.2014, 12/03/14, 2.3.2014,
	// with "г.р." or "г." after it, if any.
	pupilBirthDate = regexp.MustCompile(`(?i)(^|[\s,;])(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})(?:\s*г\.?(?:\s*р\.?)?)?(?:$|[\s,;])`)
	// pupilSchoolClass is a school class: 5Б, 5 Б, 5-б, 5 «Б», 11А класс, 9 кл.
	pupilSchoolClass = regexp.MustCompile(`(?i)^(\d{1,2})\s*[-–]?\s*["«“„']?\s*(\p{L})?\s*["»”“']?\s*(?:кл\.?|класса?\.?)?$`)
	// pupilClassAtEnd finds a school class at the end of a line typed
	// without a separator: "Петрова Анна Сергеевна 5 Б".
	pupilClassAtEnd = regexp.MustCompile(`(?i)[\s\-–—](\d{1,2}\s*[-–]?\s*["«“„']?\s*\p{L}?\s*["»”“']?(?:\s*(?:кл\.?|класса?\.?))?)$`)
	// pupilGroupAtEnd is a kindergarten group at the end of a line.
	pupilGroupAtEnd = regexp.MustCompile(`(?i)(?:^|\s)((?:подготовительная|старшая|средняя|младшая|подг(?:от)?\.)(?:\s+(?:группа|гр\.?))?)$`)
	// pupilSeparator separates the name from the class (and the date).
	pupilSeparator = regexp.MustCompile(`\s*(?:[,;|\t]|\s[-–—]\s|[–—])\s*`)
)

// parsePupils reads the pupils in text, one a line. birth: the form asks
// for dates of birth (a date typed when it does not is dropped); maxTeam
// is how many pupils the event takes (lines past it are problems); now
// bounds a date of birth.
func parsePupils(text string, birth bool, maxTeam int, now time.Time) ([]storage.Pupil, []pupilProblem) {
	var (
		pupils   []storage.Pupil
		problems []pupilProblem
		seen     = map[string]bool{}
	)
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		p, reason := parsePupil(line, now)
		if !birth {
			p.Birth = ""
		}
		key := strings.ToLower(strings.ReplaceAll(p.Name+"|"+p.Class, "ё", "е"))
		switch {
		case reason != "":
		case seen[key]:
			reason = pupilTwice
		case len(pupils) >= maxTeam:
			reason = pupilTooMany
		}
		if reason != "" {
			problems = append(problems, pupilProblem{Line: i + 1, Text: line, Reason: reason})
			continue
		}
		seen[key] = true
		pupils = append(pupils, p)
	}
	return pupils, problems
}

// parsePupil reads one line; reason is "" when it was read.
func parsePupil(line string, now time.Time) (storage.Pupil, string) {
	var p storage.Pupil
	line = strings.TrimSpace(pupilNumbering.ReplaceAllString(line, ""))
	line = pupilBareNumber.ReplaceAllString(line, "$1")
	line = pupilClassInBrackets.ReplaceAllString(line, ", $1")
	if m := pupilBirthDate.FindStringSubmatchIndex(line); m != nil {
		day, month, year := line[m[4]:m[5]], line[m[6]:m[7]], line[m[8]:m[9]]
		born, ok := birthDate(day, month, year, now)
		if !ok {
			return p, pupilBirth
		}
		p.Birth = born
		line = strings.TrimSpace(line[:m[3]] + " " + line[m[1]:])
	}
	line = strings.TrimSpace(strings.TrimRight(line, ",;|-–— \t"))
	name, class := splitPupil(line)
	if class == "" {
		return p, pupilNoClass
	}
	if utf8.RuneCountInString(class) > storage.MaxPupilClassLen {
		return p, pupilClassTooLong
	}
	name = strings.Join(strings.Fields(strings.NewReplacer(",", " ", ";", " ").Replace(name)), " ")
	name = dropPupilRole(name)
	if utf8.RuneCountInString(name) > storage.MaxPupilNameLen {
		return p, pupilNameTooLong
	}
	if !looksLikeFullName(name) {
		return p, pupilName
	}
	p.Name, p.Class = capitaliseName(name), class
	return p, ""
}

// splitPupil splits a line (numbering and date taken off) into the name
// and the class: at the last separator, or else at a class or a group at
// the end. class is "" when there is none.
func splitPupil(line string) (name, class string) {
	if locs := pupilSeparator.FindAllStringIndex(line, -1); locs != nil {
		last := locs[len(locs)-1]
		if c, ok := normaliseClass(line[last[1]:]); ok {
			return line[:last[0]], c
		}
		if utf8.RuneCountInString(line[last[1]:]) > storage.MaxPupilClassLen && strings.ContainsFunc(line[last[1]:], unicode.IsDigit) {
			return line[:last[0]], line[last[1]:] // too long: said so, not taken for a name
		}
	}
	for _, re := range []*regexp.Regexp{pupilClassAtEnd, pupilGroupAtEnd} {
		if m := re.FindStringSubmatchIndex(line); m != nil {
			if c, ok := normaliseClass(line[m[2]:m[3]]); ok {
				return strings.TrimSpace(strings.TrimRight(line[:m[2]], ",;|-–— \t")), c
			}
		}
	}
	return line, ""
}

// normaliseClass reads a class as typed: a school class becomes its
// number and capital letter ("5 «б»" → "5Б"); a kindergarten group is its
// word ("старшая группа" → "старшая", "подг. гр." → "подготовительная"); a
// college's group with a digit in it ("ТМ-21", "1 курс") stays as typed.
func normaliseClass(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", false
	}
	if m := pupilSchoolClass.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > 11 {
			return "", false
		}
		return m[1] + cyrillicLookalike.Replace(strings.ToUpper(m[2])), true
	}
	if m := pupilGroupAtEnd.FindStringSubmatch(s); m != nil && m[1] == s {
		// The group's word alone, in full.
		w := strings.ToLower(strings.Fields(s)[0])
		if strings.HasPrefix(w, "подг") {
			w = "подготовительная"
		}
		return w, true
	}
	if strings.ContainsFunc(s, unicode.IsDigit) && len(strings.Fields(s)) <= 2 {
		return s, true
	}
	return "", false
}

// cyrillicLookalike reads a class letter typed on a Latin keyboard as the
// Cyrillic letter it looks like ("5A" → "5А").
var cyrillicLookalike = strings.NewReplacer("A", "А", "B", "В", "C", "С", "E", "Е", "K", "К", "M", "М", "H", "Н",
	"O", "О", "P", "Р", "T", "Т", "X", "Х")

// looksLikeFullName reports whether s is a surname and a name (and maybe a
// patronymic): two words or more, of letters, hyphens, apostrophes and
// initials' dots.
func looksLikeFullName(s string) bool {
	words := strings.Fields(s)
	if len(words) < 2 {
		return false
	}
	for _, w := range words {
		for _, c := range w {
			if !unicode.IsLetter(c) && c != '-' && c != '\'' && c != '’' && c != '.' {
				return false
			}
		}
	}
	return true
}

// capitaliseName gives a word typed all in small letters its capital
// ("иванов пётр" → "Иванов Пётр", "анна-мария" → "Анна-Мария"); a word with
// any capital stays as typed.
func capitaliseName(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if strings.ToLower(w) != w {
			continue
		}
		parts := strings.Split(w, "-")
		for j, part := range parts {
			parts[j] = upperFirst(part)
		}
		words[i] = strings.Join(parts, "-")
	}
	return strings.Join(words, " ")
}

// birthDate reads a pupil's date of birth as YYYY-MM-DD: a real date, a
// two-digit year in this century or the last, no later than now and no
// more than 30 years before it.
func birthDate(day, month, year string, now time.Time) (string, bool) {
	d, _ := strconv.Atoi(day)
	m, _ := strconv.Atoi(month)
	y, _ := strconv.Atoi(year)
	if len(year) == 2 {
		y += 2000
		if y > now.Year() {
			y -= 100
		}
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m || t.Year() != y {
		return "", false
	}
	if t.After(now) || y < now.Year()-30 {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// pupilLine renders a pupil for a read-back: "Иванов Пётр, 5Б" (with the
// date of birth, "12.03.2014", when given). Plain text: escape it.
func pupilLine(p storage.Pupil) string {
	s := p.Name + ", " + p.Class
	if t, err := time.Parse(time.DateOnly, p.Birth); err == nil {
		s += ", " + t.Format("02.01.2006")
	}
	return s
}

// pupilsText is the list as the teacher would type it again, one pupil a
// line (to copy, change and send back).
func pupilsText(list []storage.Pupil) string {
	lines := make([]string, len(list))
	for i, p := range list {
		lines[i] = pupilLine(p)
	}
	return strings.Join(lines, "\n")
}

// pupilRoles are the words a teacher may put between a pupil's name and
// class («Иванов Пётр, ученик 5А класса»): not part of the name.
var pupilRoles = map[string]bool{"ученик": true, "ученица": true, "учащийся": true, "учащаяся": true,
	"обучающийся": true, "обучающаяся": true, "уч-ся": true, "воспитанник": true, "воспитанница": true, "студент": true, "студентка": true}

// dropPupilRole takes a trailing «ученик», «ученица»… off a name.
func dropPupilRole(name string) string {
	words := strings.Fields(name)
	if n := len(words); n > 2 && pupilRoles[strings.ToLower(strings.ReplaceAll(words[n-1], "ё", "е"))] {
		return strings.Join(words[:n-1], " ")
	}
	return name
}
