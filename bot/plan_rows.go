package bot

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"vmeste/locales"
	"vmeste/storage"
)

// The annual plan's columns, in order. The template's header names them;
// a file may leave its header out.
const (
	planColTitle = iota
	planColKind
	planColStart
	planColEnd
	planColPlace
	planColOrganisers
	planColCapacity
	planColUnit
	planColDeadline
	planColumns
)

// maxPlanRows bounds the rows of one plan file (a district's year is about
// sixty events).
const maxPlanRows = 300

// planRow is a row of the plan that can become a draft: its line in the
// file and the draft with its import key.
type planRow struct {
	Line int             `json:"line"`
	Row  storage.PlanRow `json:"row"`
	Orgs []string        `json:"orgs"` // the organisers' short names, for the report
	// NoTime: the start was a day alone and begins at planDayStart; the
	// report says so.
	NoTime bool `json:"no_time,omitempty"`
}

// planDayStart is the hour a plan's start given as a day alone
// («15.04.2027», «15 апреля», an Excel date cell) begins at: an annual
// plan rarely knows the hour months ahead, and the draft is edited before
// it is published.
const planDayStart = "10:00"

// planProblem is a row that will not become a draft: its line, its title
// as typed (may be empty) and why, in the user's language (HTML).
type planProblem struct {
	Line   int
	Title  string
	Reason string
}

// planReader reads the plan's rows for one user at one moment.
type planReader struct {
	b    *Bot
	p    locales.Printer
	now  time.Time
	user storage.User
	orgs []storage.Organisation
	// kinds maps what people write in the kind column to a kind.
	kinds map[string]storage.EventKind
}

// newPlanReader prepares to read rows as user, now, against the stored
// organisations.
func (b *Bot) newPlanReader(p locales.Printer, user storage.User, orgs []storage.Organisation) *planReader {
	kinds := map[string]storage.EventKind{}
	for _, k := range storage.EventKinds {
		kinds[string(k)] = k
		for _, lang := range []string{"ru", "en"} {
			kinds[foldPlanWord(b.catalog.For(lang).T("ekind_"+string(k)))] = k
		}
	}
	for word, k := range map[string]storage.EventKind{
		"профилактика": storage.EventPreventive, "профилактическое": storage.EventPreventive,
		"лагерь": storage.EventCamp, "сборы": storage.EventCamp, "мастер класс": storage.EventMasterClass,
		"олимпиада": storage.EventContest, "фестиваль": storage.EventCelebration, "слет": storage.EventCamp,
	} {
		kinds[word] = k
	}
	return &planReader{b: b, p: p, now: b.cfg.Now(), user: user, orgs: orgs, kinds: kinds}
}

// kind finds the kind the kind column names: as the catalog or the
// synonyms write it, else the only kind differing from it in the last
// letters of the word — a plan lists «Соревнования», «Конкурсы», «Акции».
func (pr *planReader) kind(text string) (storage.EventKind, bool) {
	f := foldPlanWord(text)
	if k, ok := pr.kinds[f]; ok {
		return k, true
	}
	found := map[storage.EventKind]bool{}
	var kind storage.EventKind
	for word, k := range pr.kinds {
		if sameStem(word, f) {
			found[k], kind = true, k
		}
	}
	return kind, len(found) == 1
}

// sameStem reports whether a and b differ only in their last two letters
// at most, sharing at least four: «соревнования» and «соревнование»,
// «акции» and «акция», «мастер классы» and «мастер класс».
func sameStem(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	common := 0
	for common < len(ra) && common < len(rb) && ra[common] == rb[common] {
		common++
	}
	return common >= 4 && common >= max(len(ra), len(rb))-2
}

// foldPlanWord lower-cases s, turns ё into е and hyphens into spaces and
// folds spaces: how a kind or a participation is compared.
func foldPlanWord(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	s = strings.NewReplacer("-", " ", "–", " ", ",", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// isPlanHeader reports whether a row is the header: its first cell names
// the title column in any case and in any words people write there
// («НАЗВАНИЕ МЕРОПРИЯТИЯ», «Наименование»), or its start column is named
// («Начало», «Дата проведения»): a real row has a date there.
func isPlanHeader(cells []string) bool {
	title := foldPlanWord(cell(cells, planColTitle))
	switch {
	case title == "мероприятие", title == "title", title == "name",
		strings.HasPrefix(title, "название"), strings.HasPrefix(title, "наименование"):
		return true
	}
	switch start := foldPlanWord(cell(cells, planColStart)); {
	case start == "начало", start == "start", strings.HasPrefix(start, "дата"):
		return true
	}
	return false
}

// read reads every row: the good ones (in order), and the problems. A
// row repeating an earlier good row (the same import key) is a problem.
func (pr *planReader) read(rows []tableRow) ([]planRow, []planProblem) {
	var good []planRow
	var bad []planProblem
	seen := map[string]int{}
	for i, tr := range rows {
		if i == 0 && isPlanHeader(tr.Cells) {
			continue
		}
		row, reason := pr.row(tr)
		if reason != "" {
			bad = append(bad, planProblem{Line: tr.Line, Title: cell(tr.Cells, planColTitle), Reason: reason})
			continue
		}
		if first, dup := seen[string(row.Row.Key)]; dup {
			bad = append(bad, planProblem{Line: tr.Line, Title: row.Row.Event.Title, Reason: pr.p.T("plan_duplicate_row", "Line", first)})
			continue
		}
		seen[string(row.Row.Key)] = tr.Line
		good = append(good, row)
	}
	return good, bad
}

// cell is the i-th cell of a row ("" past its end).
func cell(cells []string, i int) string {
	if i < len(cells) {
		return cells[i]
	}
	return ""
}

// row reads one row into a draft, or says why it cannot (HTML).
func (pr *planReader) row(tr tableRow) (planRow, string) {
	p, c := pr.p, tr.Cells
	if len(c) > planColumns && strings.Join(c[planColumns:], "") != "" {
		return planRow{}, p.T("plan_too_many_columns", "Max", planColumns)
	}
	title := cell(c, planColTitle)
	if n := utf8.RuneCountInString(title); n < 3 || n > maxTitleLen {
		return planRow{}, p.T("ne_bad_title", "Max", maxTitleLen)
	}
	kindText := cell(c, planColKind)
	kind, ok := pr.kind(kindText)
	if !ok {
		if kindText == "" {
			return planRow{}, p.T("plan_no_kind")
		}
		return planRow{}, p.T("plan_unknown_kind", "Kind", truncateRunes(kindText, 40))
	}
	e := storage.Event{Title: title, Kind: kind, Unit: storage.UnitIndividual, CreatedBy: pr.user.ID, OwnerOrg: pr.user.OrgID,
		Status: storage.EventDraft}
	loc := pr.b.cfg.Location
	startText := cell(c, planColStart)
	if startText == "" {
		return planRow{}, p.T("plan_no_start")
	}
	start, err := parseWhen(startText, pr.now, loc)
	noTime := false
	if err != nil {
		if t, errDay := parseWhen(startText+" "+planDayStart, pr.now, loc); errDay == nil {
			start, err, noTime = t, nil, true
		}
	}
	if err != nil {
		return planRow{}, p.T("plan_in_column", "Column", p.T("field_start")) + " " + pr.b.badDate(p, stepStart, startText, err, pr.now)
	}
	if !start.After(pr.now) {
		return planRow{}, p.T("plan_start_past", "When", localesHTML(p.DateYear(start.In(loc))))
	}
	e.Start = start
	if endText := cell(c, planColEnd); endText != "" {
		end, err := parseEnd(endText, start, pr.now, loc)
		if err != nil {
			return planRow{}, p.T("plan_in_column", "Column", p.T("field_end")) + " " + pr.b.badDate(p, stepEnd, endText, err, pr.now)
		}
		if !end.After(start) {
			return planRow{}, p.T("ne_end_before_start", "Start", localesHTML(p.DateYear(start.In(loc))))
		}
		e.End = end
	}
	e.Place = cell(c, planColPlace)
	if n := utf8.RuneCountInString(e.Place); n < 2 || n > maxPlaceLen {
		return planRow{}, p.T("ne_bad_place", "Max", maxPlaceLen)
	}
	orgs, names, reason := pr.organisers(cell(c, planColOrganisers))
	if reason != "" {
		return planRow{}, reason
	}
	e.Organisers = orgs
	if e.Capacity, ok = planCapacity(cell(c, planColCapacity)); !ok {
		return planRow{}, p.T("plan_bad_capacity", "Max", maxCapacity)
	}
	if e.Unit, e.MaxTeam, ok = planUnit(cell(c, planColUnit)); !ok {
		return planRow{}, p.T("plan_bad_unit", "Max", maxTeamSize)
	}
	if dlText := cell(c, planColDeadline); dlText != "" {
		dl, err := parseWhen(dlText, pr.now, loc)
		if err != nil {
			// A day alone closes at its end, as the works' deadline does.
			if t, errDay := parseWhen(dlText+" 23:59", pr.now, loc); errDay == nil {
				dl, err = t, nil
			}
		}
		if err != nil {
			return planRow{}, p.T("plan_in_column", "Column", p.T("field_deadline")) + " " + pr.b.badDate(p, stepDeadline, dlText, err, pr.now)
		}
		if !dl.After(pr.now) {
			return planRow{}, p.T("plan_deadline_past", "When", localesHTML(p.DateYear(dl.In(loc))))
		}
		if !dl.Before(start) {
			return planRow{}, p.T("ne_deadline_after_start", "Start", localesHTML(p.DateYear(start.In(loc))))
		}
		e.Deadline = dl
	}
	e.Reminders = storage.DefaultReminders(kind)
	e.Form = storage.DefaultForm(kind, e.Unit)
	return planRow{Line: tr.Line, Orgs: names, NoTime: noTime, Row: storage.PlanRow{Key: storage.PlanKey(e.Title, e.Start, e.Place), Event: e}}, ""
}

// planCapacity reads the seats column: empty, 0 or «без ограничений» is
// no limit.
func planCapacity(s string) (int, bool) {
	f := foldPlanWord(s)
	switch f {
	case "", "0", "нет", "без ограничений", "не ограничено", "no limit":
		return 0, true
	}
	n, err := strconv.Atoi(f)
	return n, err == nil && n >= 1 && n <= maxCapacity
}

var teamRe = regexp.MustCompile(`^(команд[а-я]*|team)( до| up to)? (\d+)( [а-я.]*)?$`)

// planUnit reads the participation column: empty or «индивидуально» is
// individual; «команда до N» (also «команда N», «команда до 5 чел.») a
// team of up to N pupils.
func planUnit(s string) (unit string, maxTeam int, ok bool) {
	f := foldPlanWord(s)
	switch f {
	case "", "индивидуально", "индивидуальное", "individual", "individually":
		return storage.UnitIndividual, 0, true
	}
	m := teamRe.FindStringSubmatch(f)
	if m == nil {
		return "", 0, false
	}
	n, err := strconv.Atoi(m[3])
	if err != nil || n < 1 || n > maxTeamSize {
		return "", 0, false
	}
	return storage.UnitTeam, n, true
}

// organisers reads the organisers column: names separated by «;», «,» or
// line breaks, each found as the organisation search finds it. Empty is
// the user's own organisation. An unknown name is told with the closest
// names; a name matching several, with them.
func (pr *planReader) organisers(s string) (ids []int64, names []string, reason string) {
	p := pr.p
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '\n' })
	if strings.TrimSpace(s) == "" {
		if pr.user.OrgID == 0 {
			return nil, nil, p.T("plan_no_organisers")
		}
		return []int64{pr.user.OrgID}, []string{pr.orgShort(pr.user.OrgID)}, ""
	}
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		o, candidates := pr.findOrg(part)
		switch {
		case o != nil:
			if !slices.Contains(ids, o.ID) {
				ids = append(ids, o.ID)
				names = append(names, orgShortOf(*o))
			}
		case len(candidates) > 1 && matchesAll(candidates, part):
			return nil, nil, p.T("plan_org_ambiguous", "Name", truncateRunes(part, 60), "Options", orgNameList(candidates))
		case len(candidates) > 0:
			return nil, nil, p.T("plan_org_unknown_near", "Name", truncateRunes(part, 60), "Options", orgNameList(candidates))
		default:
			return nil, nil, p.T("plan_org_unknown", "Name", truncateRunes(part, 60))
		}
	}
	if len(ids) == 0 {
		return nil, nil, p.T("plan_no_organisers")
	}
	return ids, names, ""
}

// matchesAll reports whether every candidate matches query as the search
// does (the candidates are the search's, not merely the closest).
func matchesAll(list []storage.Organisation, query string) bool {
	q := orgSearchWords(query)
	for _, o := range list {
		if !matchesOrg(orgIndex(o), q) {
			return false
		}
	}
	return true
}

// orgShortOf is an organisation's short name, else its name.
func orgShortOf(o storage.Organisation) string {
	if o.ShortName != "" {
		return o.ShortName
	}
	return o.Name
}

func (pr *planReader) orgShort(id int64) string {
	for _, o := range pr.orgs {
		if o.ID == id {
			return orgShortOf(o)
		}
	}
	return "#" + strconv.FormatInt(id, 10)
}

// orgNameList names up to three organisations by their short names.
func orgNameList(list []storage.Organisation) string {
	var names []string
	for _, o := range list[:min(3, len(list))] {
		names = append(names, "«"+orgShortOf(o)+"»")
	}
	return strings.Join(names, ", ")
}

// findOrg finds the organisation a plan names: one whose name or short
// name is the text (folded), else the only one the search finds. When it
// is not found, candidates are the search's matches (several: the name is
// ambiguous) or, when the search finds none, the closest names.
func (pr *planReader) findOrg(text string) (*storage.Organisation, []storage.Organisation) {
	folded := foldOrgText(text)
	for i, o := range pr.orgs {
		if foldOrgText(o.Name) == folded || (o.ShortName != "" && foldOrgText(o.ShortName) == folded) {
			return &pr.orgs[i], nil
		}
	}
	found := filterOrgs(pr.orgs, text)
	if len(found) == 1 {
		return &found[0], nil
	}
	if len(found) > 1 {
		return nil, found
	}
	return nil, closestOrgs(pr.orgs, text, 3)
}

// closestOrgs are up to n organisations closest to a name the search did
// not find: by how many of its words they hold (a word typed with a typo
// counts when its first three letters match), the pickers' order among
// equals. None when no word is near.
func closestOrgs(all []storage.Organisation, text string, n int) []storage.Organisation {
	query := orgSearchWords(text)
	type scored struct {
		o     storage.Organisation
		score int
	}
	var list []scored
	for _, o := range all {
		index := orgIndex(o)
		score := 0
		for _, q := range query {
			best := 0
			for _, w := range index {
				switch {
				case sameWord(w, q):
					best = 2
				case best == 0 && nearWord(w, q):
					best = 1
				}
			}
			score += best
		}
		if score > 0 {
			list = append(list, scored{o, score})
		}
	}
	orgs := make([]storage.Organisation, len(list))
	for i, s := range list {
		orgs[i] = s.o
	}
	sortOrgs(orgs)
	scoreOf := map[int64]int{}
	for _, s := range list {
		scoreOf[s.o.ID] = s.score
	}
	slices.SortStableFunc(orgs, func(a, b storage.Organisation) int { return scoreOf[b.ID] - scoreOf[a.ID] })
	return orgs[:min(n, len(orgs))]
}

// nearWord reports whether w and q, words of letters, share their first
// three letters: «гимнозия» is near «гимназия».
func nearWord(w, q string) bool {
	if _, err := strconv.Atoi(q); err == nil {
		return false
	}
	rw, rq := []rune(w), []rune(q)
	return len(rw) >= 3 && len(rq) >= 3 && string(rw[:3]) == string(rq[:3])
}
