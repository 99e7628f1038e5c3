package storage

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

// formEvent is a published team contest whose form lists pupils, asks the
// phone, one choice question and takes up to 2 works.
func formEvent(t *testing.T, s *Store, quota int) Event {
	t.Helper()
	e := testEvent("Добрая дорога детства")
	e.Unit, e.MaxTeam = UnitTeam, 5
	e.Deadline = week.Add(-48 * time.Hour)
	e.Form = Form{
		Pupils: true, Phone: NeedRequired, OrgQuota: quota,
		Questions: []Question{{ID: 1, Text: "Номинация", Kind: QuestionChoice, Options: []string{"Рисунок", "Плакат"}, Required: true}},
		Works:     &WorksSpec{MaxFiles: 2, Kinds: []WorkKind{WorkPhoto, WorkDocument}},
	}
	return mustCreateEvent(t, s, e)
}

func putTeacher(t *testing.T, s *Store, id, org int64) {
	t.Helper()
	for {
		if _, err := s.Organisation(context.Background(), org); err == nil {
			break
		}
		if _, err := s.CreateOrganisation(context.Background(), Organisation{Name: fmt.Sprintf("Школа %d", time.Now().UnixNano()), Kind: KindSchool}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutUser(context.Background(), User{ID: id, ChatID: id, FullName: fmt.Sprintf("Учитель %d", id), OrgID: org, Role: RoleTeacher, Registered: true, Active: true}); err != nil {
		t.Fatal(err)
	}
}

func goodApplication(pupils int) *Application {
	a := &Application{Phone: "+79281234567", ParentsConsentAt: t0,
		Answers: []Answer{{QuestionID: 1, Text: "Рисунок"}}}
	for i := range pupils {
		a.Pupils = append(a.Pupils, Pupil{Name: fmt.Sprintf("Иванов Пётр %d", i), Class: "5Б"})
	}
	return a
}

func TestRegisterWithApplication(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	e := formEvent(t, s, 0)
	putTeacher(t, s, 10, 3)
	app := goodApplication(4)
	app.Works = []Work{{FileID: "f1", FileUniqueID: "u1", Kind: WorkPhoto}}
	r, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: 10, TeamSize: 1, Application: app}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if r.TeamSize != 4 || r.OrgID != 3 || r.Application == nil || len(r.Application.Pupils) != 4 {
		t.Fatalf("registration = %+v; want a team of 4 from org 3 with its pupils", r)
	}
	if w := r.Application.Works[0]; w.AddedBy != 10 || !w.AddedAt.Equal(t0) {
		t.Errorf("work = %+v; want added by 10 at t0", w)
	}
	got, err := s.Registration(ctx, e.ID, 10)
	if err != nil || !reflect.DeepEqual(got.Application.Pupils, app.Pupils) || got.Application.Phone != app.Phone {
		t.Fatalf("stored = %+v, %v", got, err)
	}
}

func TestRegisterRefusesApplicationsThatDoNotFit(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Application) *Application
		want   error
		field  string
	}{
		{"no application", func(*Application) *Application { return nil }, ErrBadApplication, "pupils"},
		{"no pupils", func(a *Application) *Application { a.Pupils = nil; return a }, ErrBadApplication, "pupils"},
		{"too many pupils", func(a *Application) *Application {
			a.Pupils = goodApplication(6).Pupils
			return a
		}, ErrTeamTooLarge, ""},
		{"pupil without a class", func(a *Application) *Application { a.Pupils[1].Class = ""; return a }, ErrBadApplication, "pupil"},
		{"pupil with a long name", func(a *Application) *Application {
			a.Pupils[0].Name = string(make([]rune, MaxPupilNameLen+1))
			return a
		}, ErrBadApplication, "pupil"},
		{"bad birth", func(a *Application) *Application { a.Pupils[0].Birth = "12.03.2014"; return a }, ErrBadApplication, "pupil"},
		{"no parents' consent", func(a *Application) *Application { a.ParentsConsentAt = time.Time{}; return a }, ErrBadApplication, "parents_consent"},
		{"no phone", func(a *Application) *Application { a.Phone = ""; return a }, ErrBadApplication, "phone"},
		{"bad phone", func(a *Application) *Application { a.Phone = "8 928 123"; return a }, ErrBadApplication, "phone"},
		{"not an option", func(a *Application) *Application { a.Answers[0].Text = "Скульптура"; return a }, ErrBadApplication, "answer"},
		{"unknown question", func(a *Application) *Application {
			a.Answers = append(a.Answers, Answer{QuestionID: 9, Text: "да"})
			return a
		}, ErrBadApplication, "answer"},
		{"required unanswered", func(a *Application) *Application { a.Answers = nil; return a }, ErrBadApplication, "answer"},
		{"video not taken", func(a *Application) *Application {
			a.Works = []Work{{FileID: "v", FileUniqueID: "v", Kind: WorkVideo}}
			return a
		}, ErrWorksClosed, ""},
		{"three works", func(a *Application) *Application {
			for i := range 3 {
				a.Works = append(a.Works, Work{FileID: fmt.Sprint(i), FileUniqueID: fmt.Sprint(i), Kind: WorkPhoto})
			}
			return a
		}, ErrWorksFull, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			e := formEvent(t, s, 0)
			putTeacher(t, s, 10, 3)
			r, err := s.Register(context.Background(), SignUp{EventID: e.ID, UserID: 10, Application: tt.change(goodApplication(3))}, t0)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Register = %+v, %v; want %v", r, err, tt.want)
			}
			var ae *ApplicationError
			if tt.field != "" && (!errors.As(err, &ae) || ae.Field != tt.field) {
				t.Errorf("error %v; want field %q", err, tt.field)
			}
			if after := mustEvent(t, s, e.ID); after.Taken != 0 || after.Waiting != 0 {
				t.Errorf("a refused application took a seat: %+v", after)
			}
		})
	}
}

// TestQuotaRace: twenty teachers of one school race for a quota of one,
// twenty of other schools sign up meanwhile: one of the school's and all
// the others get in, in Register's batched transactions.
func TestQuotaRace(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	e := formEvent(t, s, 1)
	for i := range 40 {
		org := int64(1)
		if i%2 == 1 {
			org = int64(100 + i)
		}
		putTeacher(t, s, int64(i+1), org)
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		ok      = map[int64]int{}
		refused int
	)
	for i := range 40 {
		wg.Go(func() {
			_, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: int64(i + 1), Application: goodApplication(2)}, t0)
			mu.Lock()
			defer mu.Unlock()
			var qe *QuotaError
			switch {
			case err == nil:
				ok[map[bool]int64{true: 1, false: int64(100 + i)}[i%2 == 0]]++
			case errors.As(err, &qe) && qe.Quota == 1 && qe.Org == 1:
				refused++
			default:
				t.Errorf("teacher %d: %v", i+1, err)
			}
		})
	}
	wg.Wait()
	if ok[1] != 1 || refused != 19 || len(ok) != 21 {
		t.Errorf("school 1 got %d, %d refused, %d schools in; want 1, 19, 21", ok[1], refused, len(ok))
	}
	// A cancellation frees the school's quota.
	ps, err := s.Participants(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.OrgID == 1 {
			if _, err := s.CancelRegistration(ctx, e.ID, p.UserID, nil); err != nil {
				t.Fatal(err)
			}
			other := p.UserID%40 + 2 // another teacher of school 1 (odd ids)
			if _, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: other, Application: goodApplication(1)}, t0); err != nil {
				t.Errorf("after the cancellation: %v", err)
			}
		}
	}
}

func TestUpdateApplicationUntilTheDeadline(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	e := formEvent(t, s, 0)
	putTeacher(t, s, 10, 3)
	app := goodApplication(3)
	app.Works = []Work{{FileID: "f1", FileUniqueID: "u1", Kind: WorkPhoto}}
	if _, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: 10, Application: app}, t0); err != nil {
		t.Fatal(err)
	}
	edit := *goodApplication(2)
	edit.Pupils[0].Name = "Петрова Анна"
	edit.Answers[0].Text = "Плакат"
	at := t0.Add(time.Hour)
	r, err := s.UpdateApplication(ctx, e.ID, 10, edit, at)
	if err != nil {
		t.Fatal(err)
	}
	if r.TeamSize != 2 || r.Application.Pupils[0].Name != "Петрова Анна" || len(r.Application.Works) != 1 || !r.Application.ChangedAt.Equal(at) {
		t.Fatalf("after the edit = %+v / %+v", r, r.Application)
	}
	// Too many pupils, a bad answer: refused, nothing changes.
	for _, bad := range []Application{*goodApplication(6), {Phone: "+79281234567", ParentsConsentAt: t0, Pupils: edit.Pupils}} {
		if _, err := s.UpdateApplication(ctx, e.ID, 10, bad, at); err == nil {
			t.Errorf("UpdateApplication(%+v) took it", bad)
		}
	}
	if got, _ := s.Registration(ctx, e.ID, 10); got.TeamSize != 2 || got.Application.Answers[0].Text != "Плакат" {
		t.Errorf("a refused edit changed %+v", got.Application)
	}
	if _, err := s.UpdateApplication(ctx, e.ID, 10, edit, e.Deadline); !errors.Is(err, ErrSignUpClosed) {
		t.Errorf("at the deadline: %v; want ErrSignUpClosed", err)
	}
	if _, err := s.UpdateApplication(ctx, e.ID, 11, edit, at); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("a stranger: %v; want ErrNotRegistered", err)
	}
}

func TestWorks(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	e := formEvent(t, s, 0)
	putTeacher(t, s, 10, 3)
	if _, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: 10, Application: goodApplication(1)}, t0); err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Minute)
	add := func(uid string, k WorkKind) error {
		_, err := s.AddWork(ctx, e.ID, 10, Work{FileID: "id-" + uid, FileUniqueID: uid, Kind: k}, at)
		return err
	}
	if err := add("a", WorkPhoto); err != nil {
		t.Fatal(err)
	}
	if err := add("a", WorkPhoto); err != nil {
		t.Errorf("the same file again: %v; want no error", err)
	}
	if err := add("v", WorkVideo); !errors.Is(err, ErrWorksClosed) {
		t.Errorf("a video: %v; want ErrWorksClosed", err)
	}
	if err := add("b", WorkDocument); err != nil {
		t.Fatal(err)
	}
	if err := add("c", WorkPhoto); !errors.Is(err, ErrWorksFull) {
		t.Errorf("a third: %v; want ErrWorksFull", err)
	}
	r, err := s.RemoveWork(ctx, e.ID, 10, "a", at)
	if err != nil || len(r.Application.Works) != 1 || r.Application.Works[0].FileUniqueID != "b" {
		t.Fatalf("RemoveWork = %+v, %v", r.Application, err)
	}
	if _, err := s.RemoveWork(ctx, e.ID, 10, "a", at); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing it twice: %v; want ErrNotFound", err)
	}
	if _, err := s.AddWork(ctx, e.ID, 10, Work{FileID: "x", FileUniqueID: "x", Kind: WorkPhoto}, e.Deadline); !errors.Is(err, ErrWorksClosed) {
		t.Errorf("at the deadline: %v; want ErrWorksClosed", err)
	}
}

func TestSummaryCountsChangedApplications(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestStore(t)
	e := formEvent(t, s, 0)
	for _, id := range []int64{10, 11} {
		putTeacher(t, s, id, id)
		if _, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: id, Application: goodApplication(1)}, t0.Add(-48*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	// Two edits by one teacher and one by the other in the day: 2 changed.
	for i, id := range []int64{10, 10, 11} {
		if _, err := s.UpdateApplication(ctx, e.ID, id, *goodApplication(2), t0.Add(time.Duration(i+1)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(20 * time.Hour)
	putTeacher(t, s, 7, 1) // the event's creator
	var got []SummaryItem
	n, err := s.EnqueueSummaries(ctx, "day1", t0, t0.Add(24*time.Hour), func(_ User, items []SummaryItem) Content {
		got = items
		return Content{Text: "x"}
	})
	if err != nil || n != 1 {
		t.Fatalf("EnqueueSummaries = %d, %v", n, err)
	}
	if len(got) != 1 || got[0].NewSignups != 0 || got[0].Changed != 2 {
		t.Errorf("items = %+v; want one with 0 new and 2 changed", got)
	}
}
