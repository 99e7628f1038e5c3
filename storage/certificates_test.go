package storage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"
)

// certFixture is «Безопасное колесо», a team contest a week after t0, and
// its six teachers, all signed up and the contest over:
//
//	1 Иванова  1st place, came, a team of 3  → diploma I, participation, thanks
//	2 Петрова  2nd place, came, alone        → diploma II, participation
//	3 Алиева   laureate, not marked, team 2  → laureate, thanks
//	4 Кулиев   came, no place                → participation
//	5 Сидоров  marked absent                 → nothing
//	6 Хаджиев  on the waitlist               → nothing
type certFixture struct {
	s     *Store
	clk   *testClock
	e     Event
	org   int64
	users []int64
}

var certTeachers = []string{"Иванова Мария Петровна", "Петрова Анна Сергеевна", "Алиева Залина Муратовна",
	"Кулиев Руслан Ахматович", "Сидоров Пётр Ильич", "Хаджиев Ислам Борисович"}

func newCertFixture(t *testing.T) *certFixture {
	t.Helper()
	ctx := context.Background()
	s, clk := newTestStore(t)
	f := &certFixture{s: s, clk: clk}
	f.org = mustCreateOrg(t, s, "МКОУ «СОШ №1» с.п. Бедык")
	gibdd := mustCreateOrg(t, s, "ОГИБДД МО МВД России «Эльбрусский»")
	e := testEvent("Безопасное колесо")
	e.Unit, e.MaxTeam, e.Capacity, e.Organisers = UnitTeam, 5, 5, []int64{gibdd, f.org}
	f.e = mustCreateEvent(t, s, e)
	teams := []int{3, 0, 2, 0, 0, 0}
	for i, name := range certTeachers {
		id := int64(3001 + i)
		f.users = append(f.users, id)
		mustPutUser(t, s, User{ID: id, ChatID: id, FullName: name, OrgID: f.org, Role: RoleTeacher, Registered: true, Active: true, Lang: "ru"})
		mustSignUp(t, s, SignUp{EventID: f.e.ID, UserID: id, TeamSize: teams[i], TeamName: map[int]string{3: "5Б", 2: "7В"}[teams[i]]}, t0)
	}
	clk.Advance(7*24*time.Hour + 3*time.Hour)
	for i, result := range []string{ResultFirst, ResultSecond, ResultLaureate} {
		if err := s.SetResult(ctx, f.e.ID, f.users[i], result, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i, came := range map[int]bool{0: true, 1: true, 3: true, 4: false} {
		if err := s.SetAttendance(ctx, f.e.ID, f.users[i], came); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// captions renders a delivery as the bot does, enough to read it back.
func captions(u User, c Certificate) Content {
	return Content{Text: fmt.Sprintf("%s %d для %s", c.Kind, c.Place, u.FullName)}
}

func (f *certFixture) issue(t *testing.T, kinds ...CertificateKind) CertificatePlan {
	t.Helper()
	if kinds == nil {
		kinds = CertificateKinds
	}
	plan, err := f.s.IssueCertificates(context.Background(), CertificateIssue{EventID: f.e.ID, By: 201, Kinds: kinds,
		Operator: "Управление образования"}, captions)
	if err != nil {
		t.Fatalf("IssueCertificates: %v", err)
	}
	return plan
}

func counts(c CertificateCounts) string {
	return fmt.Sprintf("%d/%d/%d/%d", c[CertDiploma], c[CertLaureate], c[CertParticipation], c[CertThanks])
}

func TestIssueCertificatesKindsAndCounts(t *testing.T) {
	ctx := context.Background()
	f := newCertFixture(t)
	preview, err := f.s.PlanCertificates(ctx, f.e.ID, CertificateKinds)
	if err != nil || counts(preview.New) != "2/1/3/2" || preview.Unmarked {
		t.Fatalf("PlanCertificates = %+v, %v; want 2/1/3/2 new", preview, err)
	}
	plan := f.issue(t)
	if counts(plan.New) != "2/1/3/2" || plan.Already.Total() != 0 || plan.Revoked.Total() != 0 || plan.Notified != 8 {
		t.Fatalf("issued %+v; want 2 diplomas, 1 laureate, 3 participation, 2 thanks, 8 deliveries", plan)
	}
	certs, err := f.s.EventCertificates(ctx, f.e.ID)
	if err != nil || len(certs) != 8 {
		t.Fatalf("EventCertificates: %d, %v", len(certs), err)
	}
	got := map[int64][]string{}
	number := regexp.MustCompile(`^2025-\d{4}$`)
	code := regexp.MustCompile(`^[a-z2-7]{8}$`)
	seen := map[string]bool{}
	for _, c := range certs {
		got[c.UserID] = append(got[c.UserID], fmt.Sprintf("%s%d", c.Kind, c.Place))
		if !number.MatchString(c.Number) || !code.MatchString(c.Code) || seen[c.Number] || seen[c.Code] {
			t.Errorf("certificate %d: number %q, code %q", c.ID, c.Number, c.Code)
		}
		seen[c.Number], seen[c.Code] = true, true
		if c.Event != "Безопасное колесо" || c.School != "МКОУ «СОШ №1» с.п. Бедык" || len(c.Organisers) != 2 ||
			c.IssuedBy != 201 || c.Operator != "Управление образования" || c.Notice == 0 || !c.EventStart.Equal(f.e.Start) {
			t.Errorf("snapshot of %d: %+v", c.ID, c)
		}
		if c.Recipient != certTeachers[c.UserID-3001] {
			t.Errorf("certificate %d is for %q", c.ID, c.Recipient)
		}
	}
	want := map[int64]string{3001: "[diploma1 participation0 thanks0]", 3002: "[diploma2 participation0]",
		3003: "[laureate0 thanks0]", 3004: "[participation0]"}
	if len(got) != len(want) {
		t.Errorf("certificates by user: %v", got)
	}
	for id, w := range want {
		if fmt.Sprint(got[id]) != w {
			t.Errorf("user %d: %v, want %s", id, got[id], w)
		}
	}
	// One delivery per certificate, to its teacher, printed at send time.
	pending, err := f.s.PendingOutbox(ctx, 0, 100)
	if err != nil || len(pending) != 8 {
		t.Fatalf("pending: %d, %v", len(pending), err)
	}
	byID := map[int64]Certificate{}
	for _, c := range certs {
		byID[c.ID] = c
	}
	for _, e := range pending {
		c, ok := byID[e.Content.Certificate]
		if !ok || e.ChatID != c.UserID || e.Origin.Key != fmt.Sprintf("cert:%d", c.ID) || c.Notice != e.ID {
			t.Errorf("entry %+v does not deliver its certificate", e)
		}
		delete(byID, e.Content.Certificate)
	}
	// Her own, for /my and /mydata.
	mine, err := f.s.UserCertificates(ctx, 3001)
	if err != nil || len(mine) != 3 {
		t.Errorf("UserCertificates: %d, %v", len(mine), err)
	}
	if d, err := f.s.PersonalData(ctx, 3001); err != nil || len(d.Certificates) != 3 {
		t.Errorf("PersonalData certificates: %d, %v", len(d.Certificates), err)
	}
}

func TestIssueCertificatesTwiceIssuesNothingNew(t *testing.T) {
	ctx := context.Background()
	f := newCertFixture(t)
	f.issue(t)
	again := f.issue(t)
	if again.New.Total() != 0 || again.Already.Total() != 8 || again.Revoked.Total() != 0 || again.Notified != 0 {
		t.Fatalf("second press: %+v", again)
	}
	if n, _ := f.s.OutboxPendingCount(ctx); n != 8 {
		t.Errorf("%d deliveries pending, want 8", n)
	}
	// Only some kinds: the others are left as they are.
	if p := f.issue(t, CertDiploma); p.New.Total() != 0 || p.Already.Total() != 2 {
		t.Errorf("diplomas only: %+v", p)
	}
}

func TestIssueCertificatesRevokesAChangedPlace(t *testing.T) {
	ctx := context.Background()
	f := newCertFixture(t)
	f.issue(t)
	old := certOf(t, f.s, f.e.ID, 3002, CertDiploma)
	// Петрова's 2nd place becomes 1st; Алиева loses her laureate's place.
	if err := f.s.SetResult(ctx, f.e.ID, 3002, ResultFirst, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetResult(ctx, f.e.ID, 3003, "", nil); err != nil {
		t.Fatal(err)
	}
	plan := f.issue(t)
	if counts(plan.New) != "1/0/0/0" || counts(plan.Revoked) != "1/1/0/1" || plan.Notified != 1 {
		t.Fatalf("after the change: new %s, revoked %s, %+v", counts(plan.New), counts(plan.Revoked), plan)
	}
	revoked, err := f.s.Certificate(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	fresh := certOf(t, f.s, f.e.ID, 3002, CertDiploma)
	if !revoked.Revoked() || revoked.ReplacedBy != fresh.ID || revoked.ReplacedByNumber != fresh.Number || fresh.Place != 1 || revoked.Place != 2 {
		t.Errorf("old %+v, new %+v", revoked, fresh)
	}
	// The old one's delivery, still pending, was withdrawn.
	entry, err := f.s.OutboxEntry(ctx, old.Notice)
	if err != nil || entry.State != OutboxSkipped || entry.Reason != ReasonReplaced {
		t.Errorf("the old delivery: %+v, %v", entry, err)
	}
	laureate := certOfAny(t, f.s, f.e.ID, 3003, CertLaureate)
	if !laureate.Revoked() || laureate.ReplacedBy != 0 {
		t.Errorf("the laureate's diploma without a place: %+v", laureate)
	}
	// So is her thank-you letter: her team neither came (nobody marked
	// it) nor has a place now. Nothing more changes.
	if p := f.issue(t); p.New.Total() != 0 || p.Revoked.Total() != 0 {
		t.Errorf("a third press: %+v", p)
	}
}

// certOf is the user's valid certificate of the kind.
func certOf(t *testing.T, s *Store, eventID, userID int64, kind CertificateKind) Certificate {
	t.Helper()
	certs, err := s.EventCertificates(context.Background(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range certs {
		if c.UserID == userID && c.Kind == kind && !c.Revoked() {
			return c
		}
	}
	t.Fatalf("user %d has no valid %s", userID, kind)
	return Certificate{}
}

// certOfAny is the user's latest certificate of the kind, revoked or not.
func certOfAny(t *testing.T, s *Store, eventID, userID int64, kind CertificateKind) Certificate {
	t.Helper()
	certs, err := s.EventCertificates(context.Background(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	var last Certificate
	for _, c := range certs {
		if c.UserID == userID && c.Kind == kind {
			last = c
		}
	}
	if last.ID == 0 {
		t.Fatalf("user %d has no %s", userID, kind)
	}
	return last
}

func TestIssueCertificatesRefusals(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	mustPutUser(t, s, User{ID: 11, ChatID: 11, FullName: "Иванова Мария", Role: RoleTeacher, Registered: true, Active: true})
	e := mustCreateEvent(t, s, testEvent("Солдаты Победы"))
	mustSignUp(t, s, SignUp{EventID: e.ID, UserID: 11}, t0)
	issue := func(kinds ...CertificateKind) error {
		_, err := s.IssueCertificates(ctx, CertificateIssue{EventID: e.ID, By: 1, Kinds: kinds}, captions)
		return err
	}
	if err := issue(CertificateKinds...); !errors.Is(err, ErrEventNotStarted) {
		t.Errorf("before the start: %v", err)
	}
	clk.Advance(8 * 24 * time.Hour)
	if err := issue(CertificateKinds...); !errors.Is(err, ErrAttendanceUnmarked) {
		t.Errorf("nobody marked: %v", err)
	}
	if _, err := s.IssueCertificates(ctx, CertificateIssue{EventID: 999, Kinds: CertificateKinds}, captions); !errors.Is(err, ErrNotFound) {
		t.Errorf("no such event: %v", err)
	}
	// Diplomas alone need no attendance.
	if err := s.SetResult(ctx, e.ID, 11, ResultThird, nil); err != nil {
		t.Fatal(err)
	}
	if err := issue(CertDiploma); err != nil {
		t.Errorf("a diploma without attendance: %v", err)
	}
	if certs, _ := s.EventCertificates(ctx, e.ID); len(certs) != 1 || certs[0].Place != 3 {
		t.Errorf("certificates: %+v", certs)
	}
	if n, _ := s.OutboxPendingCount(ctx); n != 1 {
		t.Errorf("%d deliveries", n)
	}
	// A cancelled event issues nothing.
	other := mustCreateEvent(t, s, testEvent("Весенняя неделя добра"))
	if _, _, err := s.CancelEvent(ctx, other.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueCertificates(ctx, CertificateIssue{EventID: other.ID, Kinds: CertificateKinds}, captions); !errors.Is(err, ErrEventNotStarted) {
		t.Errorf("a cancelled event: %v", err)
	}
}

func TestIssueCertificatesConcurrently(t *testing.T) {
	ctx := context.Background()
	f := newCertFixture(t)
	const coordinators = 8
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	for i := range coordinators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			plan, err := f.s.IssueCertificates(ctx, CertificateIssue{EventID: f.e.ID, By: int64(200 + i), Kinds: CertificateKinds}, captions)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			total += plan.New.Total()
			mu.Unlock()
		}()
	}
	wg.Wait()
	certs, err := f.s.EventCertificates(ctx, f.e.ID)
	if err != nil || total != 8 || len(certs) != 8 {
		t.Fatalf("%d coordinators at once issued %d (stored %d, %v); want 8", coordinators, total, len(certs), err)
	}
	if n, _ := f.s.OutboxPendingCount(ctx); n != 8 {
		t.Errorf("%d deliveries, want 8", n)
	}
}

func TestCertificateVerification(t *testing.T) {
	ctx := context.Background()
	f := newCertFixture(t)
	f.issue(t)
	c := certOf(t, f.s, f.e.ID, 3001, CertDiploma)
	if got, err := f.s.VerifyCertificate(ctx, c.ID, c.Code); err != nil || got.Number != c.Number {
		t.Errorf("the right code: %+v, %v", got, err)
	}
	if got, err := f.s.CertificateByNumber(ctx, c.Number); err != nil || got.ID != c.ID {
		t.Errorf("by number: %+v, %v", got, err)
	}
	for name, try := range map[string]func() error{
		"wrong code":   func() error { _, err := f.s.VerifyCertificate(ctx, c.ID, "aaaaaaaa"); return err },
		"made-up id":   func() error { _, err := f.s.VerifyCertificate(ctx, 4242, c.Code); return err },
		"wrong year":   func() error { _, err := f.s.CertificateByNumber(ctx, "2031"+c.Number[4:]); return err },
		"not a number": func() error { _, err := f.s.CertificateByNumber(ctx, "диплом"); return err },
	} {
		if err := try(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestForgetKeepsCertificatesAsCounts(t *testing.T) {
	ctx := context.Background()
	f := newForgetFixture(t)
	got, err := f.s.ForgetUser(ctx, forgottenID, Forget{Erased: erased})
	if err != nil {
		t.Fatal(err)
	}
	certs, err := f.s.EventCertificates(ctx, f.past.ID)
	if err != nil || len(certs) != 3 {
		t.Fatalf("certificates after /forget: %d, %v", len(certs), err)
	}
	for _, c := range certs {
		if c.UserID != got.AnonID || c.Recipient != erased || len(c.Pupils) != 0 || c.Team != "" || c.Number == "" || c.Revoked() {
			t.Errorf("kept certificate: %+v", c)
		}
	}
	if mine, _ := f.s.UserCertificates(ctx, forgottenID); len(mine) != 0 {
		t.Errorf("still indexed under the person: %d", len(mine))
	}
	if anon, _ := f.s.UserCertificates(ctx, got.AnonID); len(anon) != 3 {
		t.Errorf("under the anonymous id: %d", len(anon))
	}
	// Pressing «Выдать» again does not reissue to the anonymous id.
	plan, err := f.s.IssueCertificates(ctx, CertificateIssue{EventID: f.past.ID, By: coord, Kinds: CertificateKinds}, captions)
	if err != nil || plan.New.Total() != 0 || plan.Revoked.Total() != 0 {
		t.Errorf("after /forget: %+v, %v", plan, err)
	}
}
