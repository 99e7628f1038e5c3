package storage

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// contestWithForm is a published team contest a week after t0 with a form that
// lists pupils, asks the phone and one choice question, takes works and
// lets one application in per organisation.
func contestWithForm() Event {
	e := testEvent("Добрая дорога детства")
	e.Unit, e.MaxTeam = UnitTeam, 5
	e.Form = Form{
		Pupils: true, Phone: NeedRequired,
		Questions: []Question{{ID: 1, Text: "Номинация", Kind: QuestionChoice, Options: []string{"Рисунок", "Плакат"}, Required: true}},
		Works:     &WorksSpec{Kinds: []WorkKind{WorkPhoto}, MaxFiles: 2, Until: week.Add(-24 * time.Hour)},
		OrgQuota:  1,
	}
	return e
}

// invalidForms are forms Validate refuses, each named by what is wrong.
func invalidForms() map[string]Form {
	six := make([]Question, 6)
	for i := range six {
		six[i] = Question{ID: i + 1, Text: "Вопрос", Kind: QuestionText}
	}
	return map[string]Form{
		"six questions":   {Questions: six},
		"one option":      {Questions: []Question{{ID: 1, Text: "Номинация", Kind: QuestionChoice, Options: []string{"Рисунок"}}}},
		"long question":   {Questions: []Question{{ID: 1, Text: strings.Repeat("я", MaxQuestionLen+1), Kind: QuestionText}}},
		"21 files":        {Works: &WorksSpec{MaxFiles: MaxWorksLimit + 1}},
		"no files":        {Works: &WorksSpec{}},
		"unknown phone":   {Phone: "maybe"},
		"negative quota":  {OrgQuota: -1},
		"same id twice":   {Questions: []Question{{ID: 1, Text: "А", Kind: QuestionText}, {ID: 1, Text: "Б", Kind: QuestionYesNo}}},
		"unknown kind":    {Questions: []Question{{ID: 1, Text: "А", Kind: "essay"}}},
		"repeated option": {Questions: []Question{{ID: 1, Text: "А", Kind: QuestionChoice, Options: []string{"Да", "да"}}}},
	}
}

func TestCreateEventValidatesTheForm(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	for name, f := range invalidForms() {
		t.Run(name, func(t *testing.T) {
			e := testEvent("Безопасное колесо")
			e.Form = f
			if _, err := s.CreateEvent(ctx, e); !errors.Is(err, ErrBadForm) {
				t.Fatalf("CreateEvent = %v, want ErrBadForm", err)
			}
		})
	}
	if n, err := s.Drafts(ctx); err != nil || len(n) != 0 {
		t.Fatalf("drafts after refusals: %v, %v", n, err)
	}
	if _, total, _ := s.UpcomingEvents(ctx, t0, "", 0, 10); total != 0 {
		t.Fatalf("%d events stored by refused creations", total)
	}

	e := mustCreateEvent(t, s, contestWithForm())
	got := mustEvent(t, s, e.ID)
	want := contestWithForm().Form
	want.LastQuestionID = 1
	if !reflect.DeepEqual(got.Form, want) {
		t.Errorf("stored form %+v\nwant %+v", got.Form, want)
	}
}

func TestUpdateEventValidatesTheForm(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	e := mustCreateEvent(t, s, contestWithForm())
	for name, f := range invalidForms() {
		t.Run(name, func(t *testing.T) {
			bad := e
			bad.Form = f
			bad.Title = "Изменённое название"
			if _, err := s.UpdateEvent(ctx, bad, nil, nil); !errors.Is(err, ErrBadForm) {
				t.Fatalf("UpdateEvent = %v, want ErrBadForm", err)
			}
			if got := mustEvent(t, s, e.ID); got.Title != e.Title || !reflect.DeepEqual(got.Form, e.Form) {
				t.Fatalf("a refused edit changed the event: %+v", got)
			}
		})
	}
}

// A question removed and another added: the new one never takes the
// removed one's id, so the answers given to it are not read as answers to
// the new one; a form that tries is refused.
func TestUpdateEventNeverReusesAQuestionID(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	e := mustCreateEvent(t, s, contestWithForm())

	removed := e
	removed.Form.Questions = nil
	res, err := s.UpdateEvent(ctx, removed, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Event.Form; f.LastQuestionID != 1 || f.NextQuestionID() != 2 {
		t.Fatalf("after removing question 1: last %d, next %d; want 1, 2", f.LastQuestionID, f.NextQuestionID())
	}

	reused := res.Event
	reused.Form.Questions = []Question{{ID: 1, Text: "Тема выступления", Kind: QuestionText}}
	if _, err := s.UpdateEvent(ctx, reused, nil, nil); !errors.Is(err, ErrBadForm) {
		t.Fatalf("a new question with the removed one's id: %v, want ErrBadForm", err)
	}

	added := res.Event
	added.Form.Questions = []Question{{ID: added.Form.NextQuestionID(), Text: "Тема выступления", Kind: QuestionText}}
	added.Form.LastQuestionID = 0 // a caller that dropped it does not lower it
	res, err = s.UpdateEvent(ctx, added, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Event.Form; f.LastQuestionID != 2 || len(f.Questions) != 1 || f.Questions[0].ID != 2 {
		t.Fatalf("after adding: %+v", f)
	}
}

// The quota cannot go below what one organisation already has; the
// refusal carries the figure and changes nothing. Raising it, removing
// it, or a quota the organisations are within is saved.
func TestUpdateEventRefusesQuotaBelowTaken(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	school, other := mustCreateOrg(t, s, "СОШ №1"), mustCreateOrg(t, s, "СОШ №2")
	for _, u := range []User{
		{ID: 11, ChatID: 11, FullName: "Учитель 11", OrgID: school, Registered: true, Active: true},
		{ID: 12, ChatID: 12, FullName: "Учитель 12", OrgID: school, Registered: true, Active: true},
		{ID: 13, ChatID: 13, FullName: "Учитель 13", OrgID: school, Registered: true, Active: true},
		{ID: 21, ChatID: 21, FullName: "Учитель 21", OrgID: other, Registered: true, Active: true},
	} {
		mustPutUser(t, s, u)
	}
	e := testEvent("Безопасное колесо")
	e.Form = Form{Phone: NeedOptional}
	e = mustCreateEvent(t, s, e)
	for _, u := range []int64{11, 12, 13, 21} {
		mustRegister(t, s, e.ID, u, t0)
	}
	if _, err := s.CancelRegistration(ctx, e.ID, 13, nil); err != nil { // a cancelled one does not count
		t.Fatal(err)
	}

	one := e
	one.Form.OrgQuota = 1
	one.Title = "Безопасное колесо — 2027"
	_, err := s.UpdateEvent(ctx, one, nil, nil)
	var limit *LimitError
	if !errors.As(err, &limit) || !errors.Is(err, ErrQuotaBelowTaken) || limit.OrgTaken != 2 {
		t.Fatalf("quota 1 with 2 from one school: %v (%+v), want ErrQuotaBelowTaken with 2", err, limit)
	}
	if got := mustEvent(t, s, e.ID); got.Form.OrgQuota != 0 || got.Title != e.Title {
		t.Fatalf("a refused quota changed the event: %+v", got)
	}

	two := e
	two.Form.OrgQuota = 2
	res, err := s.UpdateEvent(ctx, two, nil, nil)
	if err != nil || res.Event.Form.OrgQuota != 2 {
		t.Fatalf("quota 2 with 2 from one school: %+v, %v", res.Event.Form, err)
	}
	one = res.Event
	one.Form.OrgQuota = 1
	if _, err := s.UpdateEvent(ctx, one, nil, nil); !errors.Is(err, ErrQuotaBelowTaken) {
		t.Fatalf("lowering 2 to 1: %v, want ErrQuotaBelowTaken", err)
	}
	none := res.Event
	none.Form.OrgQuota = 0
	if res, err := s.UpdateEvent(ctx, none, nil, nil); err != nil || res.Event.Form.OrgQuota != 0 {
		t.Fatalf("no quota: %+v, %v", res.Event.Form, err)
	}
}

// Turning the pupils' list off, or removing a question, keeps what the
// applications hold.
func TestFormEditKeepsApplications(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	mustTeachers(t, s, 11)
	e := testEvent("Безопасное колесо")
	e.Unit, e.MaxTeam = UnitTeam, 5
	e = mustCreateEvent(t, s, e)
	mustRegister(t, s, e.ID, 11, t0)
	app := &Application{Pupils: []Pupil{{Name: "Иванов Пётр", Class: "5Б"}}, Answers: []Answer{{QuestionID: 1, Text: "Рисунок"}}}
	if err := s.db.Update(func(tx *bolt.Tx) error { // as an application stored before the edit
		var r Registration
		if err := getJSON(tx.Bucket(bucketRegs), regKey(e.ID, 11), &r); err != nil {
			return err
		}
		r.Application = app
		return putJSON(tx.Bucket(bucketRegs), regKey(e.ID, 11), r)
	}); err != nil {
		t.Fatal(err)
	}
	edit := e
	edit.Form = Form{Phone: NeedOptional} // no pupils, no questions
	if _, err := s.UpdateEvent(ctx, edit, nil, nil); err != nil {
		t.Fatal(err)
	}
	r, err := s.Registration(ctx, e.ID, 11)
	if err != nil || r.Application == nil || !reflect.DeepEqual(*r.Application, *app) {
		t.Fatalf("the application after the form's edit: %+v, %v", r.Application, err)
	}
}
