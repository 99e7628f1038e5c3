package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// coverageSeed is a school year (and the one before it) seeded through the
// store's own API, with what was seeded kept beside it so that the test
// counts the expected figures itself.
type coverageSeed struct {
	s      *Store
	orgs   map[string]Organisation
	events []seedEvent
	rows   []seedRow
	now    time.Time
}

type seedEvent struct {
	Event
	final EventStatus
}

type seedRow struct {
	event     int // index in events
	user      int64
	org       int64
	team      int
	pupils    []Pupil
	state     RegistrationState
	attended  *bool
	result    string
	forgotten bool
}

var (
	yearFrom = time.Date(2026, time.September, 1, 0, 0, 0, 0, time.UTC)
	yearTo   = time.Date(2027, time.September, 1, 0, 0, 0, 0, time.UTC)
)

func seedCoverage(t *testing.T) *coverageSeed {
	t.Helper()
	ctx := context.Background()
	s, clk := newTestStore(t)
	sd := &coverageSeed{s: s, orgs: map[string]Organisation{}, now: time.Date(2027, time.June, 1, 12, 0, 0, 0, time.UTC)}
	for _, o := range []Organisation{
		{Name: "ОГИБДД по Эльбрусскому району", Kind: KindTrafficPolice},
		{Name: "Отдел ГО и ЧС", Kind: KindEmergencies},
		{Name: "Дом культуры", Kind: KindCulture},
		{Name: "Совет ветеранов", Kind: KindVeterans},
		{Name: "СОШ №1", Kind: KindSchool},
		{Name: "СОШ №2", Kind: KindSchool},
		{Name: "СОШ №3", Kind: KindSchool},
		{Name: "Детский сад «Солнышко»", Kind: KindPreschool},
		{Name: "Эльбрусский колледж", Kind: KindCollege},
	} {
		id, err := s.CreateOrganisation(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		o.ID = id
		sd.orgs[o.Name] = o
	}
	org := func(name string) int64 { return sd.orgs[name].ID }
	teachers := map[int64]string{1: "СОШ №1", 2: "СОШ №1", 3: "СОШ №2", 4: "Детский сад «Солнышко»", 5: "СОШ №2", 6: "СОШ №1"}
	for id, o := range teachers {
		if err := s.PutUser(ctx, User{ID: id, ChatID: id, FullName: fmt.Sprintf("Учитель %d", id), OrgID: org(o), Role: RoleTeacher, Registered: true, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, time.UTC) }
	pupilsForm := Form{Pupils: true}
	add := func(title string, kind EventKind, start time.Time, form Form, unit string, capacity int, status EventStatus, organisers ...string) int {
		e := Event{Title: title, Kind: kind, Start: start, Place: "ЦРТДиЮ", Unit: unit, Capacity: capacity, Form: form,
			Status: status, CreatedBy: 999}
		if unit == UnitTeam {
			e.MaxTeam = 10
		}
		for _, o := range organisers {
			e.Organisers = append(e.Organisers, org(o))
		}
		sd.events = append(sd.events, seedEvent{Event: mustCreateEvent(t, s, e), final: status})
		return len(sd.events) - 1
	}
	gibdd, gochs, culture, veterans, school1 := "ОГИБДД по Эльбрусскому району", "Отдел ГО и ЧС", "Дом культуры", "Совет ветеранов", "СОШ №1"
	ev0 := add("Безопасное колесо 2025", EventContest, day(2025, 10, 10), pupilsForm, UnitTeam, 0, EventPublished, gibdd)
	ev1 := add("Безопасное колесо", EventContest, day(2026, 10, 10), pupilsForm, UnitTeam, 0, EventPublished, gibdd, school1)
	ev2 := add("Весенняя неделя добра", EventCampaign, day(2026, 11, 15), Form{}, UnitTeam, 0, EventPublished, gochs)
	ev3 := add("Семинар классных руководителей", EventSeminar, day(2027, 2, 1), Form{}, UnitIndividual, 2, EventPublished, culture)
	ev4 := add("Война глазами детей", EventCompetition, day(2027, 3, 1), pupilsForm, UnitTeam, 0, EventPublished, veterans)
	ev5 := add("Дорожная азбука", EventContest, day(2027, 3, 10), Form{}, UnitIndividual, 0, EventPublished, gibdd)
	add("Черновик", EventContest, day(2027, 3, 12), Form{}, UnitIndividual, 0, EventDraft, gibdd)
	ev7 := add("Летний лагерь", EventCamp, day(2027, 7, 1), Form{}, UnitIndividual, 0, EventPublished, culture)
	add("Встреча после года", EventMeeting, day(2027, 9, 5), Form{}, UnitIndividual, 0, EventPublished, culture)

	signUp := func(ev int, user int64, team int, pupils ...Pupil) *seedRow {
		t.Helper()
		su := SignUp{EventID: sd.events[ev].ID, UserID: user, TeamSize: team}
		if len(pupils) > 0 {
			su.Application = &Application{Pupils: pupils, ParentsConsentAt: t0}
		}
		r, err := s.Register(ctx, su, sd.events[ev].Start.Add(-30*24*time.Hour))
		if err != nil {
			t.Fatalf("sign %d up for %q: %v", user, sd.events[ev].Title, err)
		}
		sd.rows = append(sd.rows, seedRow{event: ev, user: user, org: org(teachers[user]), team: r.TeamSize, pupils: pupils, state: r.State})
		return &sd.rows[len(sd.rows)-1]
	}
	p := func(name, class string) Pupil { return Pupil{Name: name, Class: class} }
	yes, no := true, false
	mark := func(row *seedRow, came *bool, result string) {
		t.Helper()
		id := sd.events[row.event].ID
		if came != nil {
			if err := s.SetAttendance(ctx, id, row.user, *came); err != nil {
				t.Fatal(err)
			}
			row.attended = came
		}
		if result != "" {
			if err := s.SetResult(ctx, id, row.user, result, nil); err != nil {
				t.Fatal(err)
			}
			row.result = result
		}
	}

	signUp(ev0, 1, 0, p("Иванов Пётр", "5Б"))
	signUp(ev0, 3, 0, p("Сидорова Анна", "6А"))

	r := signUp(ev1, 1, 0, p("Иванов Пётр", "5Б"), p("Петров Олег", "5Б"))
	mark(r, &yes, ResultFirst)
	r = signUp(ev1, 3, 0, p("Сидорова Анна", "6А"), p("Кузнецов Илья", "6А"), p("Орлова Мария", "6А"))
	mark(r, &yes, ResultLaureate)
	r = signUp(ev1, 5, 0, p("Хасанов Алим", "7В"))
	mark(r, &no, "")

	signUp(ev2, 1, 10)
	signUp(ev2, 4, 6)
	signUp(ev2, 5, 4)
	r = signUp(ev2, 2, 3)
	if _, err := s.CancelRegistration(ctx, sd.events[ev2].ID, 2, nil); err != nil {
		t.Fatal(err)
	}
	r.state = RegCancelled

	r = signUp(ev3, 2, 0)
	mark(r, &yes, "")
	signUp(ev3, 6, 0)
	if r := signUp(ev3, 3, 0); r.state != RegWaitlist {
		t.Fatalf("the third sign-up to a seminar of 2 seats is %s; want waitlist", r.state)
	}

	// The same pupil typed another way, and a new one.
	signUp(ev4, 1, 0, p("ИВАНОВ  Петр", "5 б"), p("Алиев Ислам", "5Б"))
	r = signUp(ev4, 6, 0, p("Гуляева Дана", "8А"))
	mark(r, nil, ResultSecond)

	signUp(ev5, 1, 0)
	signUp(ev7, 4, 0)

	clk.set(day(2027, 3, 5))
	if _, _, err := s.CancelEvent(ctx, sd.events[ev5].ID, nil); err != nil {
		t.Fatal(err)
	}
	sd.events[ev5].final = EventCancelled
	// The autumn's events are finished by the scheduler; the rest of the
	// past ones are still "published, started".
	if _, err := s.RunDue(ctx, day(2027, 1, 10), dueRenderer{}, 0); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{ev0, ev1, ev2} {
		sd.events[i].final = EventFinished
	}
	clk.set(sd.now)
	if _, err := s.ForgetUser(ctx, 5, Forget{Erased: "участник удалил данные"}); err != nil {
		t.Fatal(err)
	}
	for i := range sd.rows {
		if sd.rows[i].user == 5 {
			sd.rows[i].forgotten = true
		}
	}
	for _, e := range sd.events {
		if got := mustEvent(t, s, e.ID); got.Status != e.final {
			t.Fatalf("event %q is %s; the seed expects %s", e.Title, got.Status, e.final)
		}
	}
	return sd
}

// expect counts the figures of the seeded events in [from, to) that pass
// event, and their rows that pass row, without the store.
func (sd *coverageSeed) expect(from, to time.Time, event func(seedEvent) bool, row func(seedRow) bool) CoverageFigures {
	var f CoverageFigures
	in := func(e seedEvent) bool { return !e.Start.Before(from) && e.Start.Before(to) && event(e) }
	held := func(e seedEvent) bool {
		return e.final == EventFinished || e.final == EventPublished && !e.Start.After(sd.now)
	}
	heldEvents := map[int]bool{}
	for i, e := range sd.events {
		switch {
		case !in(e):
		case held(e):
			heldEvents[i] = true
			f.EventsHeld++
		case e.final == EventCancelled:
			f.EventsCancelled++
		}
	}
	teachers, pupils, orgs := map[string]bool{}, map[string]bool{}, map[int64]bool{}
	norm := func(s string) string {
		s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
		return strings.Join(strings.Fields(s), " ")
	}
	for _, r := range sd.rows {
		if !heldEvents[r.event] || r.state != RegConfirmed || !row(r) {
			continue
		}
		f.Registrations++
		who := fmt.Sprint(r.user)
		if r.forgotten {
			who = "forgotten"
		}
		teachers[who] = true
		orgs[r.org] = true
		if len(r.pupils) == 0 || r.forgotten {
			f.Pupils += r.team
		}
		if !r.forgotten {
			for _, p := range r.pupils {
				pupils[fmt.Sprint(r.org)+"|"+norm(p.Name)+"|"+strings.ReplaceAll(norm(p.Class), " ", "")] = true
			}
		}
		if r.attended != nil {
			f.Marked++
			if *r.attended {
				f.Attended++
			}
		}
		switch r.result {
		case ResultFirst, ResultSecond, ResultThird:
			f.Winners++
		case ResultLaureate:
			f.Laureates++
		}
	}
	f.Teachers, f.Pupils, f.Orgs = len(teachers), f.Pupils+len(pupils), len(orgs)
	return f
}

func anyRow(seedRow) bool { return true }

func TestCoverageSchoolYear(t *testing.T) {
	sd := seedCoverage(t)
	ctx := context.Background()
	for _, scope := range []struct {
		name string
		org  int64
	}{{"district", 0}, {"culture", sd.orgs["Дом культуры"].ID}, {"traffic police", sd.orgs["ОГИБДД по Эльбрусскому району"].ID}} {
		t.Run(scope.name, func(t *testing.T) {
			mine := func(e seedEvent) bool {
				return scope.org == 0 || e.OwnerOrg == scope.org || slices.Contains(e.Organisers, scope.org)
			}
			got, err := sd.s.Coverage(ctx, CoverageQuery{From: yearFrom, To: yearTo, Org: scope.org, Now: sd.now})
			if err != nil {
				t.Fatal(err)
			}
			if want := sd.expect(yearFrom, yearTo, mine, anyRow); got.Total != want {
				t.Errorf("total = %+v\nwant    %+v", got.Total, want)
			}
			if want := sd.expect(yearFrom.AddDate(-1, 0, 0), yearTo.AddDate(-1, 0, 0), mine, anyRow); got.Previous != want {
				t.Errorf("previous = %+v\nwant       %+v", got.Previous, want)
			}
			for _, k := range EventKinds {
				want := sd.expect(yearFrom, yearTo, func(e seedEvent) bool { return mine(e) && e.Kind == k }, anyRow)
				i := slices.IndexFunc(got.ByKind, func(l CoverageLine) bool { return l.Kind == k })
				switch {
				case i < 0 && want.EventsHeld+want.EventsCancelled > 0:
					t.Errorf("kind %s missing; want %+v", k, want)
				case i >= 0 && got.ByKind[i].CoverageFigures != want:
					t.Errorf("kind %s = %+v\nwant %+v", k, got.ByKind[i].CoverageFigures, want)
				}
			}
			for _, k := range OrgKinds {
				want := sd.expect(yearFrom, yearTo, func(e seedEvent) bool {
					if !mine(e) {
						return false
					}
					for _, o := range e.Organisers {
						for _, org := range sd.orgs {
							if org.ID == o && org.Kind == k {
								return true
							}
						}
					}
					return false
				}, anyRow)
				i := slices.IndexFunc(got.ByAgency, func(l CoverageLine) bool { return l.Agency == k })
				switch {
				case i < 0 && want.EventsHeld+want.EventsCancelled > 0:
					t.Errorf("agency %s missing; want %+v", k, want)
				case i >= 0 && got.ByAgency[i].CoverageFigures != want:
					t.Errorf("agency %s = %+v\nwant %+v", k, got.ByAgency[i].CoverageFigures, want)
				}
			}
			var absent []string
			for _, o := range sd.orgs {
				want := sd.expect(yearFrom, yearTo, mine, func(r seedRow) bool { return r.org == o.ID })
				// An organisation's line counts the events it took part in.
				want.EventsCancelled = 0
				held := map[int]bool{}
				for _, r := range sd.rows {
					e := sd.events[r.event]
					if r.org == o.ID && r.state == RegConfirmed && mine(e) && !e.Start.Before(yearFrom) && e.Start.Before(yearTo) &&
						(e.final == EventFinished || e.final == EventPublished && !e.Start.After(sd.now)) {
						held[r.event] = true
					}
				}
				want.EventsHeld = len(held)
				i := slices.IndexFunc(got.ByOrg, func(l CoverageLine) bool { return l.Org.ID == o.ID })
				switch {
				case want.Registrations == 0 && i >= 0:
					t.Errorf("%s has a line %+v; it took no part", o.Name, got.ByOrg[i])
				case want.Registrations > 0 && i < 0:
					t.Errorf("%s has no line; want %+v", o.Name, want)
				case i >= 0 && got.ByOrg[i].CoverageFigures != want:
					t.Errorf("%s = %+v\nwant %+v", o.Name, got.ByOrg[i].CoverageFigures, want)
				}
				if want.Registrations == 0 && (o.Kind == KindSchool || o.Kind == KindPreschool || o.Kind == KindCollege) {
					absent = append(absent, o.Name)
				}
			}
			var gotAbsent []string
			for _, o := range got.Absent {
				gotAbsent = append(gotAbsent, o.Name)
			}
			slices.Sort(absent)
			if !slices.Equal(gotAbsent, absent) {
				t.Errorf("absent = %q; want %q", gotAbsent, absent)
			}
		})
	}
}

// TestCoverageSeedShape guards the seed itself: the figures the issue
// names are really exercised.
func TestCoverageSeedShape(t *testing.T) {
	sd := seedCoverage(t)
	got, err := sd.s.Coverage(context.Background(), CoverageQuery{From: yearFrom, To: yearTo, Now: sd.now})
	if err != nil {
		t.Fatal(err)
	}
	f := got.Total
	// ev1..ev4 held, ev5 cancelled; teachers 1,2,3,4,6 and the forgotten 5;
	// pupils: ev1 5 listed + 1 (forgotten), ev2 10+6+4, ev4 1 new + 1 again.
	if f.EventsHeld != 4 || f.EventsCancelled != 1 || f.Teachers != 6 || f.Pupils != 5+1+20+2 || f.Winners != 2 || f.Laureates != 1 ||
		f.Marked != 4 || f.Attended != 3 || f.Orgs != 3 {
		t.Errorf("total = %+v", f)
	}
	if p := got.Previous; p.Pupils != 2 || p.Teachers != 2 {
		t.Errorf("previous = %+v; want 2 pupils, 2 teachers", p)
	}
	var absent []string
	for _, o := range got.Absent {
		absent = append(absent, o.Name)
	}
	if want := []string{"СОШ №3", "Эльбрусский колледж"}; !slices.Equal(absent, want) {
		t.Errorf("absent = %q; want %q", absent, want)
	}
	if _, err := sd.s.Coverage(context.Background(), CoverageQuery{From: yearTo, To: yearFrom}); err == nil {
		t.Error("an empty period was accepted")
	}
}

// TestReportRowsMigration: a database written before the report rows gets
// them at open, equal to the rows the writers keep.
func TestReportRowsMigration(t *testing.T) {
	sd := seedCoverage(t)
	ctx := context.Background()
	want, err := sd.s.Coverage(ctx, CoverageQuery{From: yearFrom, To: yearTo, Now: sd.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketReportEvents, bucketReportRegs} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, itob(3))
	}); err != nil {
		t.Fatal(err)
	}
	path := sd.s.db.Path()
	if err := sd.s.Close(); err != nil {
		t.Fatal(err)
	}
	// A backup made before the report rows is still one to restore.
	if err := VerifyBackup(path); err != nil {
		t.Errorf("a schema-3 backup without the report rows: %v", err)
	}
	s := openTestStore(t, path, Options{Now: func() time.Time { return sd.now }, LockTimeout: 100 * time.Millisecond})
	got, err := s.Coverage(ctx, CoverageQuery{From: yearFrom, To: yearTo, Now: sd.now})
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != want.Total || got.Previous != want.Previous || len(got.ByOrg) != len(want.ByOrg) {
		t.Errorf("after the migration %+v / %+v; want %+v / %+v", got.Total, got.Previous, want.Total, want.Previous)
	}
	if v, _ := s.Schema(); v != SchemaVersion() {
		t.Errorf("schema %d; want %d", v, SchemaVersion())
	}
}

// TestReportRowsInStep: after the seed's sign-ups, cancellations,
// attendance, results, a cancelled event, the scheduler's finishing and a
// /forget, every event and registration has exactly the report row its
// JSON gives, and no row is left without one.
func TestReportRowsInStep(t *testing.T) {
	sd := seedCoverage(t)
	err := sd.s.db.View(func(tx *bolt.Tx) error {
		for _, pair := range []struct {
			json, rows []byte
			encode     func(v []byte) ([]byte, error)
		}{
			{bucketEvents, bucketReportEvents, func(v []byte) ([]byte, error) {
				var e Event
				err := jsonUnmarshal(v, &e)
				return encodeReportEvent(e), err
			}},
			{bucketRegs, bucketReportRegs, func(v []byte) ([]byte, error) {
				var r Registration
				err := jsonUnmarshal(v, &r)
				return encodeReportReg(r), err
			}},
		} {
			rows := tx.Bucket(pair.rows)
			n := 0
			if err := tx.Bucket(pair.json).ForEach(func(k, v []byte) error {
				n++
				want, err := pair.encode(v)
				if err != nil {
					return err
				}
				if got := rows.Get(k); string(got) != string(want) {
					t.Errorf("%s %x: row %x; want %x", pair.rows, k, got, want)
				}
				return nil
			}); err != nil {
				return err
			}
			if got := rows.Stats().KeyN; got != n {
				t.Errorf("%s holds %d rows for %d records", pair.rows, got, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
