package storage

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Size is how big a district GenerateDistrict writes.
type Size struct {
	// Teachers are registered users with an organisation, consent given;
	// one in fifty is a coordinator.
	Teachers int
	// Orgs are organisations: a tenth partner agencies, the rest schools,
	// kindergartens and colleges.
	Orgs int
	// Events are spread evenly from Span before Now to a fortieth of Span
	// after it: the past ones finished (a thirtieth cancelled), the future
	// ones published, with two reminders each in the due index.
	Events int
	// Regs are registrations, Regs/Events an event on average (from 0 to
	// twice that), of distinct teachers.
	Regs int
	// Now is the generator's clock (UTC midnight of 2026-12-03 if zero);
	// Span is the time the past events cover (five years if zero).
	Now  time.Time
	Span time.Duration
}

// Generated is what GenerateDistrict wrote and how long it took. The byte
// figures are differences of bbolt's high-water mark (Tx.Size: the pages
// in use, not the file, which grows in 16 MB steps), so each is what one
// kind of record costs with every index it has.
type Generated struct {
	Size
	// TeacherBytes, EventBytes and RegBytes are the bytes the teachers
	// (with the organisations), the events and the registrations added.
	TeacherBytes, EventBytes, RegBytes int64
	// FileBytes is the size of the file at the end.
	FileBytes int64
	// Took is the whole generation, open to sync.
	Took time.Duration
}

// generateTx is how many records one transaction of GenerateDistrict
// writes: big transactions, few commits.
const generateTx = 20_000

// generateFill is the FillPercent of the buckets GenerateDistrict appends
// to in key order: pages split full, as a bucket only ever appended to
// should be (bbolt's default, 0.5, leaves them half empty).
const generateFill = 0.9

// GenerateDistrict writes a new database at path (which must not exist)
// holding a district of the given size, for benchmarks and the startup
// test: organisations, teachers, events and registrations with every index
// the bot keeps (events_by_start, report rows, due, regs_by_user,
// regs_by_time, org_users), written through the same helpers as the bot
// (putUser, putEvent, putReg, reindexDue). Keys are written in order, in
// transactions of generateTx records, without fsync until one at the end:
// a crash while generating leaves a file to delete, never a real database.
// The content is the same for the same Size (a fixed seed).
func GenerateDistrict(ctx context.Context, path string, size Size) (Generated, error) {
	out := Generated{Size: size}
	if size.Orgs < 10 || size.Teachers < 1 || size.Events < 0 || size.Regs < 0 || (size.Events == 0 && size.Regs > 0) {
		return out, fmt.Errorf("storage: generate: size %+v: want 10 or more organisations, a teacher, events for the registrations", size)
	}
	if size.Regs/max(size.Events, 1)*2 > size.Teachers {
		return out, fmt.Errorf("storage: generate: %d registrations an event need more than %d teachers", 2*size.Regs/size.Events, size.Teachers)
	}
	if _, err := os.Stat(path); err == nil {
		return out, fmt.Errorf("storage: generate: %s exists", path)
	}
	if size.Now.IsZero() {
		size.Now = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	}
	if size.Span <= 0 {
		size.Span = 5 * 365 * 24 * time.Hour
	}
	out.Size = size
	start := time.Now()
	s, err := Open(path, Options{NoSync: true, Now: func() time.Time { return size.Now }})
	if err != nil {
		return out, fmt.Errorf("storage: generate: %w", err)
	}
	g := &generator{s: s, size: size}
	err = g.run(ctx, &out)
	if err == nil {
		err = s.db.Sync()
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return out, fmt.Errorf("storage: generate %s: %w", path, err)
	}
	if info, err := os.Stat(path); err == nil {
		out.FileBytes = info.Size()
	}
	out.Took = time.Since(start)
	return out, nil
}

// generator holds GenerateDistrict's state between its phases.
type generator struct {
	s        *Store
	size     Size
	agencies []int64 // organisation ids of the partner agencies
	schools  []int64 // and of the schools, kindergartens and colleges
}

// run writes the three phases, measuring the bytes each adds.
func (g *generator) run(ctx context.Context, out *Generated) error {
	used := func() (n int64) {
		_ = g.s.db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
		return n
	}
	for _, phase := range []struct {
		run   func(context.Context) error
		bytes *int64
	}{{g.teachers, &out.TeacherBytes}, {g.events, &out.EventBytes}, {g.regs, &out.RegBytes}} {
		before := used()
		if err := phase.run(ctx); err != nil {
			return err
		}
		*phase.bytes = used() - before
	}
	return nil
}

// batches calls fn(tx, from, to) for [0, n) in ranges of generateTx, one
// write transaction each, stopping at ctx's end.
func (g *generator) batches(ctx context.Context, n int, fn func(tx *bolt.Tx, from, to int) error) error {
	for from := 0; from < n; from += generateTx {
		if err := ctx.Err(); err != nil {
			return err
		}
		to := min(from+generateTx, n)
		if err := g.s.db.Update(func(tx *bolt.Tx) error { return fn(tx, from, to) }); err != nil {
			return err
		}
	}
	return nil
}

// fill sets generateFill on the buckets appended to in key order.
func fill(tx *bolt.Tx, names ...[]byte) {
	for _, name := range names {
		tx.Bucket(name).FillPercent = generateFill
	}
}

// teachers writes the organisations and the teachers (user ids 1 to
// Teachers, so a teacher's organisation is a function of the id).
func (g *generator) teachers(ctx context.Context) error {
	now := g.size.Now
	err := g.s.db.Update(func(tx *bolt.Tx) error {
		agencyKinds := []OrgKind{KindTrafficPolice, KindEmergencies, KindCulture, KindHealth, KindVeterans, KindPolice, KindAdditional}
		for i := range g.size.Orgs {
			o := Organisation{Kind: KindSchool, Contact: "+7 900 000-00-00"}
			switch {
			case i < g.size.Orgs/10:
				o.Kind = agencyKinds[i%len(agencyKinds)]
				o.Name = fmt.Sprintf("Ведомство района №%d", i+1)
			case i%10 == 7:
				o.Kind = KindPreschool
				o.Name = fmt.Sprintf("МБДОУ «Детский сад №%d»", i+1)
			case i%25 == 3:
				o.Kind = KindCollege
				o.Name = fmt.Sprintf("ГБПОУ «Колледж №%d»", i+1)
			default:
				o.Name = fmt.Sprintf("МБОУ «Средняя общеобразовательная школа №%d»", i+1)
			}
			o.ShortName = fmt.Sprintf("ОО №%d", i+1)
			if err := createOrg(tx, &o, now); err != nil {
				return err
			}
			if i < g.size.Orgs/10 {
				g.agencies = append(g.agencies, o.ID)
			} else {
				g.schools = append(g.schools, o.ID)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return g.batches(ctx, g.size.Teachers, func(tx *bolt.Tx, from, to int) error {
		fill(tx, bucketUsers)
		for i := from; i < to; i++ {
			if err := putUser(tx, g.teacher(int64(i+1)), now, false); err != nil {
				return err
			}
		}
		return nil
	})
}

// teacher is the user with the given id.
func (g *generator) teacher(id int64) User {
	u := User{
		ID: id, ChatID: id, OrgID: g.teacherOrg(id), Lang: "ru", Registered: true, Active: true,
		FullName: fmt.Sprintf("Иванова Мария Петровна %d", id), Position: "учитель начальных классов",
		Consents: []Consent{{Version: "a1b2c3d4", Given: true, At: g.size.Now.Add(-time.Duration(id) * time.Minute)}},
	}
	if id%50 == 0 {
		u.Role = RoleCoordinator
	}
	return u
}

func (g *generator) teacherOrg(id int64) int64 {
	if id%50 == 0 && len(g.agencies) > 0 {
		return g.agencies[id%int64(len(g.agencies))]
	}
	return g.schools[id%int64(len(g.schools))]
}

// eventStart is event i's start (i from 0): evenly from Now-Span to
// Now+Span/40, at 10:00 plus a few hours.
func (g *generator) eventStart(i int) time.Time {
	total := g.size.Span + g.size.Span/40
	t := g.size.Now.Add(-g.size.Span).Add(time.Duration(float64(total) * float64(i) / float64(g.size.Events)))
	return t.Truncate(24 * time.Hour).Add(time.Duration(7+i%6) * time.Hour)
}

// regCount is how many registrations event i has: Regs/Events on average,
// paired events adding and taking the same random amount so that the
// total is exactly Regs.
func (g *generator) regCount(i int) int {
	base := g.size.Regs*(i+1)/g.size.Events - g.size.Regs*i/g.size.Events
	avg := g.size.Regs / g.size.Events
	if avg == 0 || i^1 >= g.size.Events {
		return base
	}
	d := rand.New(rand.NewPCG(uint64(i/2), 14)).IntN(avg + 1)
	if i%2 == 0 {
		return base + d
	}
	return max(base-d, 0)
}

// participants are event i's registered teachers, in id order.
func (g *generator) participants(i int) []int64 {
	n := g.regCount(i)
	rng := rand.New(rand.NewPCG(uint64(i), 2026))
	seen := make(map[int64]bool, n)
	ids := make([]int64, 0, n)
	for len(ids) < n {
		id := 1 + rng.Int64N(int64(g.size.Teachers))
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// event is event i (id i+1), with its Taken count.
func (g *generator) event(i int) Event {
	rng := rand.New(rand.NewPCG(uint64(i), 27))
	start := g.eventStart(i)
	author := int64(50 * (1 + rng.IntN(max(g.size.Teachers/50, 1))))
	e := Event{
		ID: int64(i + 1), Title: fmt.Sprintf("Муниципальный конкурс чтецов «Живое слово» %d", i+1),
		Kind:        EventKinds[rng.IntN(len(EventKinds))],
		Description: "Конкурс проводится среди обучающихся 1–11 классов. Участники читают наизусть стихотворение или отрывок прозы о родном крае.",
		Start:       start, End: start.Add(3 * time.Hour), Place: "МБУ ДО «Центр детского творчества», актовый зал",
		Organisers: []int64{g.agencies[rng.IntN(len(g.agencies))]}, Audience: "5–9 классы",
		Unit: UnitTeam, MaxTeam: 10, Capacity: 2*g.size.Regs/max(g.size.Events, 1) + 2,
		Reminders: []time.Duration{24 * time.Hour, 2 * time.Hour},
		Status:    EventFinished, CreatedBy: author,
		CreatedAt: start.Add(-30 * 24 * time.Hour), UpdatedAt: start, Revision: 2,
	}
	if rng.IntN(3) == 0 {
		e.Organisers = append(e.Organisers, g.schools[rng.IntN(len(g.schools))])
	}
	e.OwnerOrg = g.teacherOrg(author)
	switch {
	case start.After(g.size.Now):
		e.Status = EventPublished
	case rng.IntN(30) == 0:
		e.Status = EventCancelled
	}
	e.Taken = g.regCount(i)
	return e
}

// events writes the events, their start index, report rows and, for the
// published ones, their due entries.
func (g *generator) events(ctx context.Context) error {
	return g.batches(ctx, g.size.Events, func(tx *bolt.Tx, from, to int) error {
		fill(tx, bucketEvents, bucketReportEvents, bucketEventsByStart)
		for i := from; i < to; i++ {
			e := g.event(i)
			if err := putEvent(tx, e); err != nil {
				return err
			}
			if err := tx.Bucket(bucketEventsByStart).Put(startKey(e.Start, e.ID), nil); err != nil {
				return err
			}
			if err := g.s.reindexDue(tx, nil, &e, g.size.Now); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketEvents).SetSequence(uint64(to))
	})
}

// regs writes the registrations event by event (regs and report_regs in
// key order), their regs_by_time keys (in order too: a sign-up is made a
// day before its event), then regs_by_user, sorted first.
func (g *generator) regs(ctx context.Context) error {
	byUser := make([][2]int64, 0, g.size.Regs)
	i := 0
	err := g.batches(ctx, g.size.Regs, func(tx *bolt.Tx, _, to int) error {
		fill(tx, bucketRegs, bucketReportRegs, bucketRegsByTime)
		for ; i < g.size.Events && len(byUser) < to; i++ {
			e := g.event(i)
			rng := rand.New(rand.NewPCG(uint64(i), 3))
			for n, u := range g.participants(i) {
				r := Registration{EventID: e.ID, UserID: u, State: RegConfirmed, OrgID: g.teacherOrg(u),
					TeamSize:  1 + rng.IntN(e.MaxTeam),
					CreatedAt: e.Start.Add(-24*time.Hour - time.Duration(n)*time.Minute), UpdatedAt: e.Start.Add(-24 * time.Hour)}
				if e.Status == EventFinished {
					came := rng.IntN(10) < 9
					r.Attended = &came
					if came && e.Kind.Graded() && rng.IntN(5) == 0 {
						r.Result = []string{ResultFirst, ResultSecond, ResultThird, ResultLaureate}[rng.IntN(4)]
					}
				}
				if err := putReg(tx, r); err != nil {
					return err
				}
				if err := tx.Bucket(bucketRegsByTime).Put(regTimeKey(r.CreatedAt, r.EventID, r.UserID), nil); err != nil {
					return err
				}
				byUser = append(byUser, [2]int64{u, e.ID})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(byUser, func(a, b [2]int64) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	return g.batches(ctx, len(byUser), func(tx *bolt.Tx, from, to int) error {
		fill(tx, bucketRegsByUser)
		for _, p := range byUser[from:to] {
			if err := tx.Bucket(bucketRegsByUser).Put(userRegKey(p[0], p[1]), nil); err != nil {
				return err
			}
		}
		return nil
	})
}
