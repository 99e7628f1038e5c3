package storage

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CoverageQuery asks for the coverage report (охват) of a period.
type CoverageQuery struct {
	// From and To bound the period: events starting in [From, To).
	From, To time.Time
	// Org limits the report to the events this organisation owns or
	// organises (a coordinator's view); 0 is the whole district.
	Org int64
	// Now decides which events were held: finished ones, and published
	// ones that started before Now. Zero means the store's clock.
	Now time.Time
}

// CoverageFigures are the report's figures for the whole period or one
// line of a cut. Participation counts confirmed registrations at events
// held: a waitlisted or cancelled sign-up, a draft, an event not started
// yet and a cancelled event reach nobody.
type CoverageFigures struct {
	EventsHeld      int
	EventsCancelled int
	// Orgs is the number of organisations with a confirmed registration.
	Orgs int
	// Registrations is the number of confirmed registrations.
	Registrations int
	// Teachers is the number of distinct users (a forgotten person counts
	// once, by their anonymous id).
	Teachers int
	// Pupils is the number of distinct pupils where applications list
	// them (the organisation, the ФИО and the class, folded as pupilKey
	// does: the same name and class at two schools are two children), plus
	// the team sizes of registrations that list none.
	Pupils int
	// Marked and Attended: registrations whose attendance is marked, and
	// those marked as present.
	Marked, Attended int
	// Winners hold places 1–3; Laureates are laureates.
	Winners, Laureates int
}

// AttendanceRate is Attended/Marked in percent, -1 when nothing is marked.
func (f CoverageFigures) AttendanceRate() float64 {
	if f.Marked == 0 {
		return -1
	}
	return 100 * float64(f.Attended) / float64(f.Marked)
}

// CoverageLine is one line of a cut: exactly one of Kind, Agency and Org
// says which.
type CoverageLine struct {
	Kind   EventKind
	Agency OrgKind
	Org    Organisation
	CoverageFigures
}

// Coverage is the report of a period.
type Coverage struct {
	Query CoverageQuery
	Total CoverageFigures
	// Previous is the same period a year earlier, for the growth (рост
	// охвата); its cuts are not kept.
	Previous CoverageFigures
	// ByAgency cuts by the kind of the events' organisers (an event of
	// ГИБДД and a school counts in both lines); ByKind by the kind of
	// event; ByOrg by the participants' organisations. Lines with no
	// event held or cancelled are left out. ByAgency and ByKind are in
	// order of events held, ByOrg of pupils, then teachers, most first.
	ByAgency, ByKind, ByOrg []CoverageLine
	// Absent are the schools, kindergartens and colleges of the directory
	// with no confirmed registration at an event held in the period, by
	// name.
	Absent []Organisation
}

// Coverage computes the coverage report for q in one read transaction. It
// reads the fixed-width report rows (report_rows.go) of the events starting
// in the period, found through events_by_start, and of their registrations,
// and decodes no JSON but the organisations'. A To not after From is an
// error.
func (s *Store) Coverage(ctx context.Context, q CoverageQuery) (Coverage, error) {
	if !q.To.After(q.From) {
		return Coverage{}, fmt.Errorf("storage: coverage: empty period %s – %s", q.From, q.To)
	}
	if q.Now.IsZero() {
		q.Now = s.now()
	}
	out := Coverage{Query: q}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		orgs := map[int64]Organisation{}
		if err := tx.Bucket(bucketOrgs).ForEach(func(_, v []byte) error {
			var o Organisation
			if err := jsonUnmarshal(v, &o); err != nil {
				return err
			}
			orgs[o.ID] = o
			return nil
		}); err != nil {
			return fmt.Errorf("organisations: %w", err)
		}
		cur := newTally(orgs)
		if err := cur.scan(ctx, tx, q); err != nil {
			return err
		}
		prev := newTally(orgs)
		pq := q
		pq.From, pq.To, pq.Now = q.From.AddDate(-1, 0, 0), q.To.AddDate(-1, 0, 0), q.Now
		if err := prev.scan(ctx, tx, pq); err != nil {
			return err
		}
		cur.finish(&out, true)
		var p Coverage
		prev.finish(&p, false)
		out.Previous = p.Total
		cur.release()
		prev.release()
		return nil
	})
	if err != nil {
		return Coverage{}, fmt.Errorf("storage: coverage %s – %s: %w", q.From.Format(time.DateOnly), q.To.Format(time.DateOnly), err)
	}
	return out, nil
}

// Line indexes of a tally: 0 the total, then one per event kind, then one
// per organisation kind (the agencies); each is a bit of a mask.
const (
	lineKinds    = 1
	lineAgencies = lineKinds + 12
)

func init() {
	if len(EventKinds) > 12 || lineAgencies+len(OrgKinds) > 32 {
		panic("storage: coverage line masks do not fit")
	}
}

// mix combines an organisation with a user id or a pupil's key into one
// map key; two different pairs meeting is as likely as two 64-bit hashes
// colliding.
func mix(org int64, v uint64) uint64 {
	return v ^ (uint64(org)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019)
}

// orgLine is an organisation's line while counting: its figures, the
// lines (mask) it took part in, the last event counted, and its place in
// tally.orgLines.
type orgLine struct {
	CoverageFigures
	id        int64
	mask      uint32
	index     uint32
	lastEvent int64
}

// A mark is where a teacher or a pupil was reached: the lines (a mask) in
// its low 32 bits, the index of the organisation in tally.orgLines in its
// high ones (0: none). Marks are plain integers so that the maps holding a
// million of them stay small.
func mark(mask uint32, org uint32) uint64 { return uint64(mask) | uint64(org)<<32 }

// tally counts one period.
type tally struct {
	orgs  map[int64]Organisation
	lines [32]CoverageFigures
	byOrg map[int64]*orgLine
	// byID is byOrg for the ids of the directory's organisations, which
	// are small (a bucket sequence): indexed without hashing.
	byID []*orgLine
	// orgLines are byOrg's lines by index, from 1.
	orgLines []*orgLine
	users    *markTable        // user → mark, with the first organisation
	moved    map[uint64]uint32 // mix(org, user) → org index: a teacher's other organisations
	pupils   *markTable        // mix(org, pupilKey) → mark
	// pupilKeys and pupilMarks are an event's pupils, added to pupils
	// together (markTable.orAll).
	pupilKeys, pupilMarks []uint64
}

func newTally(orgs map[int64]Organisation) *tally {
	var top int64
	for id := range orgs {
		top = max(top, id)
	}
	return &tally{orgs: orgs, byOrg: map[int64]*orgLine{}, byID: make([]*orgLine, min(top+1, 1<<16)), orgLines: []*orgLine{nil}, users: newMarkTable(),
		moved: map[uint64]uint32{}, pupils: newMarkTable()}
}

// release gives the tally's tables back for the next report.
func (t *tally) release() {
	t.users.release()
	t.pupils.release()
}

// scan counts the events starting in [q.From, q.To) and their
// registrations.
func (t *tally) scan(ctx context.Context, tx *bolt.Tx, q CoverageQuery) error {
	rowsE, rowsR := tx.Bucket(bucketReportEvents), tx.Bucket(bucketReportRegs)
	regs := rowsR.Cursor()
	end := startKey(q.To, 0)
	now := q.Now.UnixNano()
	var (
		re    reportEvent
		rr    reportReg
		lines []int
	)
	c := tx.Bucket(bucketEventsByStart).Cursor()
	for k, _ := c.Seek(startKey(q.From, 0)); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		id := k[8:16]
		row := rowsE.Get(id)
		if row == nil {
			return fmt.Errorf("event %d has no report row", btoi(id))
		}
		if err := decodeReportEvent(row, &re); err != nil {
			return fmt.Errorf("event %d: %w", btoi(id), err)
		}
		if q.Org != 0 && re.owner != q.Org && !slices.Contains(re.organisers, q.Org) {
			continue
		}
		held := re.status == rowFinished || re.status == rowPublished && re.start <= now
		if !held && re.status != rowCancelled {
			continue
		}
		mask := uint32(1)
		if re.kind > 0 {
			mask |= 1 << (lineKinds + int(re.kind) - 1)
		}
		for _, o := range re.organisers {
			if i := slices.Index(OrgKinds, t.orgs[o].Kind); i >= 0 {
				mask |= 1 << (lineAgencies + i)
			}
		}
		lines = lines[:0]
		for m := mask; m != 0; m &= m - 1 {
			lines = append(lines, bits.TrailingZeros32(m))
		}
		if !held {
			for _, l := range lines {
				t.lines[l].EventsCancelled++
			}
			continue
		}
		for _, l := range lines {
			t.lines[l].EventsHeld++
		}
		eventID := int64(binary.BigEndian.Uint64(id))
		for rk, rv := regs.Seek(id); rk != nil && bytes.HasPrefix(rk, id); rk, rv = regs.Next() {
			if err := decodeReportReg(rv, &rr); err != nil {
				return fmt.Errorf("registration %x: %w", rk, err)
			}
			if rr.state != rowConfirmed {
				continue
			}
			t.add(eventID, int64(binary.BigEndian.Uint64(rk[8:])), mask, lines, &rr)
		}
		t.pupils.orAll(t.pupilKeys, t.pupilMarks)
		t.pupilKeys, t.pupilMarks = t.pupilKeys[:0], t.pupilMarks[:0]
	}
	return nil
}

// add counts one confirmed registration of user at a held event.
func (t *tally) add(eventID, user int64, mask uint32, lines []int, rr *reportReg) {
	var (
		ol  *orgLine
		idx uint32
	)
	if rr.org != 0 {
		if rr.org > 0 && rr.org < int64(len(t.byID)) {
			ol = t.byID[rr.org]
		} else {
			ol = t.byOrg[rr.org]
		}
		if ol == nil {
			ol = &orgLine{id: rr.org, index: uint32(len(t.orgLines))}
			t.byOrg[rr.org] = ol
			if rr.org > 0 && rr.org < int64(len(t.byID)) {
				t.byID[rr.org] = ol
			}
			t.orgLines = append(t.orgLines, ol)
		}
		idx = ol.index
		ol.mask |= mask
	}
	u := t.users.at(uint64(user))
	first := uint32(*u >> 32)
	if first == 0 {
		first = idx
	}
	*u = mark(uint32(*u)|mask, first)
	if first != idx && idx != 0 {
		t.moved[mix(rr.org, uint64(user))] = idx
	}
	if ol != nil {
		if ol.lastEvent != eventID {
			ol.lastEvent = eventID
			ol.EventsHeld++
		}
		ol.count(rr)
	}
	for _, l := range lines {
		countInto(&t.lines[l], rr)
	}
	n := len(rr.pupils) / 8
	if n == 0 {
		for _, l := range lines {
			t.lines[l].Pupils += rr.team
		}
		if ol != nil {
			ol.Pupils += rr.team
		}
		return
	}
	for i := range n {
		k := mix(rr.org, binary.BigEndian.Uint64(rr.pupils[8*i:]))
		if k == 0 {
			k = 1
		}
		t.pupilKeys, t.pupilMarks = append(t.pupilKeys, k), append(t.pupilMarks, mark(mask, idx))
	}
}

func (l *orgLine) count(rr *reportReg) { countInto(&l.CoverageFigures, rr) }

// countInto adds a registration's own figures (not teachers or pupils).
func countInto(f *CoverageFigures, rr *reportReg) {
	f.Registrations++
	if rr.attended != 0 {
		f.Marked++
		if rr.attended == 2 {
			f.Attended++
		}
	}
	switch rr.result {
	case 1, 2, 3:
		f.Winners++
	case 4:
		f.Laureates++
	}
}

// finish turns the counts into out's figures; cuts only when asked.
func (t *tally) finish(out *Coverage, cuts bool) {
	t.users.each(func(u uint64) {
		for m := uint32(u); m != 0; m &= m - 1 {
			t.lines[bits.TrailingZeros32(m)].Teachers++
		}
		if i := u >> 32; i != 0 {
			t.orgLines[i].Teachers++
		}
	})
	for _, i := range t.moved {
		t.orgLines[i].Teachers++
	}
	t.pupils.each(func(p uint64) {
		for m := uint32(p); m != 0; m &= m - 1 {
			t.lines[bits.TrailingZeros32(m)].Pupils++
		}
		if i := p >> 32; i != 0 {
			t.orgLines[i].Pupils++
		}
	})
	for _, l := range t.byOrg {
		for m := l.mask; m != 0; m &= m - 1 {
			t.lines[bits.TrailingZeros32(m)].Orgs++
		}
	}
	out.Total = t.lines[0]
	if !cuts {
		return
	}
	some := func(f CoverageFigures) bool { return f.EventsHeld+f.EventsCancelled > 0 }
	for i, k := range EventKinds {
		if f := t.lines[lineKinds+i]; some(f) {
			out.ByKind = append(out.ByKind, CoverageLine{Kind: k, CoverageFigures: f})
		}
	}
	for i, k := range OrgKinds {
		if f := t.lines[lineAgencies+i]; some(f) {
			out.ByAgency = append(out.ByAgency, CoverageLine{Agency: k, CoverageFigures: f})
		}
	}
	byHeld := func(a, b CoverageLine) int { return cmp.Compare(b.EventsHeld, a.EventsHeld) }
	slices.SortStableFunc(out.ByKind, byHeld)
	slices.SortStableFunc(out.ByAgency, byHeld)
	for id, l := range t.byOrg {
		o, ok := t.orgs[id]
		if !ok {
			o = Organisation{ID: id}
		}
		l.Orgs = 1
		out.ByOrg = append(out.ByOrg, CoverageLine{Org: o, CoverageFigures: l.CoverageFigures})
	}
	slices.SortFunc(out.ByOrg, func(a, b CoverageLine) int {
		return cmp.Or(cmp.Compare(b.Pupils, a.Pupils), cmp.Compare(b.Teachers, a.Teachers),
			cmp.Compare(a.Org.Name, b.Org.Name), cmp.Compare(a.Org.ID, b.Org.ID))
	})
	for id, o := range t.orgs {
		switch o.Kind {
		case KindSchool, KindPreschool, KindCollege:
			if t.byOrg[id] == nil {
				out.Absent = append(out.Absent, o)
			}
		}
	}
	slices.SortFunc(out.Absent, func(a, b Organisation) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
}

// SchoolYear is the school year now falls in (1 September to 1 September,
// in loc): [from, to), and the year it starts in. Reports and dashboards
// default to it.
func SchoolYear(now time.Time, loc *time.Location) (from, to time.Time, year int) {
	now = now.In(loc)
	year = now.Year()
	if now.Month() < time.September {
		year--
	}
	return time.Date(year, time.September, 1, 0, 0, 0, 0, loc), time.Date(year+1, time.September, 1, 0, 0, 0, 0, loc), year
}
