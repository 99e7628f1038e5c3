package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"vmeste/storage"
)

// The application wizard (заявка): after «Записаться» on an event whose
// form asks for something, the teacher answers what it asks, in this
// order, and sends the application read back as a whole:
//
//   - a team event with a pupils' list: the confirmation that the school
//     holds the parents' consent, then the pupils typed as lines in one
//     message (the team's size is the list's length); a team event
//     without the list: the team's size as today; then an optional team
//     name;
//   - the phone, typed or shared with the «📱 Отправить номер» button;
//   - each of the coordinator's questions;
//   - the works (photos, documents, videos), while the event takes them;
//   - the read-back with «✅ Отправить заявку».
//
// The same wizard changes a submitted application one section at a time
// (pupils, phone, answers: Section), prefilled, and saves it with
// storage.UpdateApplication. Every question has «Отмена» and, after the
// first, «« Назад»; the state is the user's storage.Conversation, so a
// restart in the middle loses nothing. An event whose form asks nothing
// (or only sets a quota) keeps the sign-up it had: one tap, or the team
// wizard of team.go.
const (
	flowApply        = "apply"
	stepApplyConsent = "consent"
	stepApplyPupils  = "pupils"
	stepApplySize    = "size"
	stepApplyName    = "name"
	stepApplyPhone   = "phone"
	stepApplyWorks   = "works"
	stepApplyConfirm = "confirm"
	// stepApplyQuestion + the question's id is a question's step ("q2").
	stepApplyQuestion = "q"
)

// Sections of a submitted application that the teacher changes one at a
// time (callback data: one letter).
const (
	sectionPupils  = "p"
	sectionPhone   = "t"
	sectionAnswers = "q"
)

// applyDraft is the application being filled in (or changed).
type applyDraft struct {
	EventID int64 `json:"event_id"`
	// Title is the event's, to name the wizard (wizard.go) without a read.
	Title string `json:"title,omitempty"`
	// Card is the message of the card whose button began the application:
	// it is redrawn when the application is sent (0: a new card is sent).
	Card int `json:"card,omitempty"`
	// Section, when set, is the one section of a submitted application
	// being changed (sectionPupils…); "" for a new application.
	Section string              `json:"section,omitempty"`
	App     storage.Application `json:"app"`
	// TeamSize is asked for a team event whose form lists no pupils.
	TeamSize int    `json:"team_size,omitempty"`
	TeamName string `json:"team_name,omitempty"`
	// Pending are the pupils read from a list that had lines not read:
	// taken as they are with «Продолжить без них»; at the name step, the
	// list with the pupils typed there (one more pupil sent after the
	// list), taken with «Добавить в список».
	Pending []storage.Pupil `json:"pending,omitempty"`
	// MaybeName is what was typed at the name step when it read as pupils
	// too: the team's name if the teacher says so.
	MaybeName string `json:"maybe_name,omitempty"`
	// Status is the works' status message kept up to date (works.go).
	Status worksStatus `json:"status,omitzero"`
}

// needsApplication reports whether signing up for e fills in an
// application: its form asks for pupils (of a team), a phone, answers or
// works that are still taken. A form with only a quota does not.
func needsApplication(e storage.Event, now time.Time) bool {
	f := e.Form
	return (f.Pupils && e.Unit == storage.UnitTeam) || f.Phone != storage.NeedNone || len(f.Questions) > 0 || worksOpen(e, now)
}

// worksUntil is when e stops taking works: the form's Until, or when
// sign-up closes.
func worksUntil(e storage.Event) time.Time {
	if w := e.Form.Works; w != nil && !w.Until.IsZero() {
		return w.Until
	}
	return e.SignUpClosesAt()
}

// worksOpen reports whether e takes works now.
func worksOpen(e storage.Event, now time.Time) bool {
	return e.Form.Works != nil && now.Before(worksUntil(e))
}

// questionStep is the step of question id.
func questionStep(id int) string { return stepApplyQuestion + strconv.Itoa(id) }

// stepQuestion is the question a step asks, if it is a question's step.
func stepQuestion(e storage.Event, step string) (storage.Question, bool) {
	rest, ok := strings.CutPrefix(step, stepApplyQuestion)
	if !ok {
		return storage.Question{}, false
	}
	id, err := strconv.Atoi(rest)
	if err != nil {
		return storage.Question{}, false
	}
	return e.Form.Question(id)
}

// applySteps are the wizard's steps for e as its form is now, in order.
func applySteps(e storage.Event, d applyDraft, now time.Time) []string {
	f := e.Form
	team := e.Unit == storage.UnitTeam
	var steps []string
	questions := func() {
		for _, q := range f.Questions {
			steps = append(steps, questionStep(q.ID))
		}
	}
	switch d.Section {
	case sectionPupils:
		if d.App.ParentsConsentAt.IsZero() {
			steps = append(steps, stepApplyConsent)
		}
		steps = append(steps, stepApplyPupils)
	case sectionPhone:
		steps = append(steps, stepApplyPhone)
	case sectionAnswers:
		questions()
	default:
		if team && f.Pupils {
			steps = append(steps, stepApplyConsent, stepApplyPupils, stepApplyName)
		} else if team {
			steps = append(steps, stepApplySize, stepApplyName)
		}
		if f.Phone != storage.NeedNone {
			steps = append(steps, stepApplyPhone)
		}
		questions()
		if worksOpen(e, now) {
			steps = append(steps, stepApplyWorks)
		}
	}
	return append(steps, stepApplyConfirm)
}

// nextApplyStep is the step after step (the first when step is not one of
// them any more: the form changed).
func nextApplyStep(steps []string, step string) string {
	i := slices.Index(steps, step)
	if i < 0 || i+1 >= len(steps) {
		return steps[min(i+1, len(steps)-1)]
	}
	return steps[i+1]
}

// prevApplyStep is the step before step; "" for the first.
func prevApplyStep(steps []string, step string) string {
	if i := slices.Index(steps, step); i > 0 {
		return steps[i-1]
	}
	return ""
}

func applyConv(step string, d applyDraft) storage.Conversation {
	data, _ := json.Marshal(d)
	return storage.Conversation{Flow: flowApply, Step: step, Data: data}
}

// applyState is the wizard in progress with its draft and event.
type applyState struct {
	c storage.Conversation
	d applyDraft
	e storage.Event
}

// decodeApply reads the draft of an application wizard.
func decodeApply(c storage.Conversation) (applyDraft, error) {
	var d applyDraft
	if err := json.Unmarshal(c.Data, &d); err != nil {
		return d, fmt.Errorf("bot: application draft: %w", err)
	}
	return d, nil
}

// loadApply loads the application wizard's event; when it is gone the
// wizard ends and the user is told (ok false).
func (b *Bot) loadApply(ctx context.Context, r *Request, c storage.Conversation) (applyState, bool, error) {
	d, err := decodeApply(c)
	if err != nil {
		return applyState{}, false, err
	}
	e, err := b.store.Event(ctx, d.EventID)
	if storage.IsNotFound(err) {
		if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
			return applyState{}, false, err
		}
		_, err := b.send(ctx, r.ChatID, r.P.T("event_gone"), nil)
		return applyState{}, false, err
	}
	if err != nil {
		return applyState{}, false, fmt.Errorf("bot: application's event %d: %w", d.EventID, err)
	}
	return applyState{c: c, d: d, e: e}, true, nil
}

// saveApply stores the wizard at step with its draft.
func (b *Bot) saveApply(ctx context.Context, r *Request, s *applyState, step string) error {
	s.c = applyConv(step, s.d)
	return b.store.PutConversation(ctx, r.User.ID, s.c)
}

// startApply begins a new application for e (the card's «Записаться»):
// card is the card's message, redrawn when the application is sent.
func (b *Bot) startApply(ctx context.Context, r *Request, e storage.Event, card int) error {
	s := applyState{e: e, d: applyDraft{EventID: e.ID, Title: e.Title, Card: card}}
	step := applySteps(e, s.d, b.cfg.Now())[0]
	if err := b.saveApply(ctx, r, &s, step); err != nil {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.askApply(ctx, r, s, r.P.T("apply_begin", "Title", e.Title), false)
}

// advanceApply stores what the step took and asks the next step. ack says
// what was taken: a pressed button's question is replaced by it, a typed
// answer gets it above the next question.
func (b *Bot) advanceApply(ctx context.Context, r *Request, s applyState, ack string) error {
	next := nextApplyStep(applySteps(s.e, s.d, b.cfg.Now()), s.c.Step)
	s.d.Pending, s.d.MaybeName = nil, ""
	if err := b.saveApply(ctx, r, &s, next); err != nil {
		return err
	}
	if r.Update.CallbackQuery != nil {
		if err := b.answer(ctx, r, "", false); err != nil {
			return err
		}
		if ack != "" {
			if err := b.reply(ctx, r, ack, keyboard{}); err != nil {
				return err
			}
		}
		return b.askApply(ctx, r, s, "", false)
	}
	return b.askApply(ctx, r, s, ack, false)
}

// resumeApply asks the application's current question again.
func (b *Bot) resumeApply(ctx context.Context, r *Request, c storage.Conversation) error {
	s, ok, err := b.loadApply(ctx, r, c)
	if !ok {
		return err
	}
	return b.askApply(ctx, r, s, "", false)
}

// backApply asks the step before again, keeping every answer given.
func (b *Bot) backApply(ctx context.Context, r *Request, c storage.Conversation) error {
	s, ok, err := b.loadApply(ctx, r, c)
	if !ok {
		return err
	}
	prev := prevApplyStep(applySteps(s.e, s.d, b.cfg.Now()), c.Step)
	if prev == "" {
		return b.staleQuestion(ctx, r)
	}
	s.d.Pending, s.d.MaybeName = nil, ""
	from := c.Step
	if err := b.saveApply(ctx, r, &s, prev); err != nil {
		return err
	}
	if from == stepApplyPhone { // the phone's reply keyboard goes, with a word of its own
		if err := b.sendRemovingKeyboard(ctx, r.ChatID, r.P.T("apply_phone_back")); err != nil {
			return err
		}
		return b.askApply(ctx, r, s, "", false)
	}
	return b.askApply(ctx, r, s, "", true)
}

// describeApply names the application in progress by its event's title.
func describeApply(r *Request, c storage.Conversation) string {
	d, err := decodeApply(c)
	if err != nil || d.Title == "" {
		return ""
	}
	if d.Section != "" {
		return r.P.T("wizard_flow_apply_edit", "Title", d.Title)
	}
	return r.P.T("wizard_flow_apply_titled", "Title", d.Title)
}
