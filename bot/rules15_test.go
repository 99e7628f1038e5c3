package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vmeste/storage"
)

// TestChatMarkRefusesAWaitlisted: in the chat, a waitlisted participant
// (a button kept from the list, or forged) is neither marked nor given a
// place: storage refuses, and the coordinator reads the page's words; a
// confirmed one is marked as before.
func TestChatMarkRefusesAWaitlisted(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	users := h.teachers(5001, 2, ids[0])
	e := h.event(ids[0], func(e *storage.Event) { e.Capacity = 1 })
	for _, u := range users {
		if _, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: u.ID}, h.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if r := h.registration(e.ID, users[1]); r.State != storage.RegWaitlist {
		t.Fatalf("second sign-up %s; want waitlisted", r.State)
	}
	h.clock.advance(8 * 24 * time.Hour) // the event has taken place: marking is open
	m := h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	for _, data := range []string{
		cb(cbAttendanceToggle, e.ID, users[1].ID, 0),
		cb(cbResultPick, e.ID, users[1].ID, 0),
		cb(cbResultSet, e.ID, users[1].ID, 0, 0),
	} {
		if a := h.forge(coordinator, m.ID, data); !strings.Contains(a.Text, "только записанному участнику") {
			t.Errorf("%s for a waitlisted: answered %q", data, a.Text)
		}
	}
	if r := h.registration(e.ID, users[1]); r.Attended != nil || r.Result != "" {
		t.Errorf("waitlisted registration after the refusals: %+v; want unmarked", r)
	}
	if n := h.notices(users[1].ID); len(n) != 0 {
		t.Errorf("the waitlisted was told %q", n)
	}
	h.forge(coordinator, m.ID, cb(cbAttendanceToggle, e.ID, users[0].ID, 0))
	if r := h.registration(e.ID, users[0]); r.Attended == nil || !*r.Attended {
		t.Errorf("confirmed registration after the toggle: %+v; want attended", r)
	}
}

// TestChatPublishRefusesAPassedStart: «Опубликовать» on a draft whose
// start has passed is refused by PublishEvent, in the chat's words, and
// the draft stays a draft.
func TestChatPublishRefusesAPassedStart(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	d := h.event(ids[0], func(e *storage.Event) { e.Status, e.Start = storage.EventDraft, h.clock.Now().Add(time.Hour) })
	m := h.say(coordinator, fmt.Sprintf("/start e%d", d.ID), "Безопасное колесо")
	h.clock.advance(2 * time.Hour)
	if a := h.forge(coordinator, m.ID, cb(cbEventPublish, d.ID)); !strings.Contains(a.Text, "Время начала уже прошло") {
		t.Errorf("publish of a passed start answered %q", a.Text)
	}
	if got, err := h.store.Event(h.ctx(), d.ID); err != nil || got.Status != storage.EventDraft {
		t.Errorf("stored %s, %v; want still a draft", got.Status, err)
	}
}

// TestChatSaveRefusesACancelledEvent: an edit opened in the chat before
// the event was cancelled (in the page, say) is refused at «Сохранить» by
// UpdateEvent's transaction, in the chat's words, and the edit is closed.
func TestChatSaveRefusesACancelledEvent(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], nil)
	m := h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.forge(coordinator, m.ID, cb(cbEventEdit, e.ID))
	if _, _, err := h.store.CancelEvent(h.ctx(), e.ID, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := h.store.Event(h.ctx(), e.ID)
	h.forge(coordinator, h.lastBot(coordinator.ID).ID, cbEventSave)
	said := false
	for _, m := range h.tg.BotMessages(coordinator.ID) {
		said = said || strings.Contains(m.Text, "Отменённое мероприятие изменить нельзя")
	}
	if !said {
		t.Errorf("save of a cancelled event: the chat did not say it cannot be edited: %+v", h.tg.BotMessages(coordinator.ID))
	}
	if _, err := h.store.Conversation(h.ctx(), coordinator.ID); !storage.IsNotFound(err) {
		t.Errorf("the edit is still open after the refusal: %v", err)
	}
	if got, _ := h.store.Event(h.ctx(), e.ID); got.Revision != before.Revision || got.Status != storage.EventCancelled {
		t.Errorf("stored %+v; want it unchanged", got)
	}
}

// TestChatSaveRefusesAnOldEdit: an edit begun in the chat before the event
// was changed elsewhere (the Mini App) is refused at «Сохранить» in the
// page's words, and the other change stays.
func TestChatSaveRefusesAnOldEdit(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], nil)
	m := h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.forge(coordinator, m.ID, cb(cbEventEdit, e.ID))
	page := e
	page.Place = "Стадион «Геолог»"
	if _, err := h.store.UpdateEvent(h.ctx(), page, nil, nil); err != nil {
		t.Fatal(err)
	}
	h.forge(coordinator, h.lastBot(coordinator.ID).ID, cbEventSave)
	said := false
	for _, m := range h.tg.BotMessages(coordinator.ID) {
		said = said || strings.Contains(m.Text, "Мероприятие изменили, пока форма была открыта")
	}
	if !said {
		t.Errorf("save of an old edit: the chat did not say so: %+v", h.tg.BotMessages(coordinator.ID))
	}
	if got, _ := h.store.Event(h.ctx(), e.ID); got.Place != "Стадион «Геолог»" {
		t.Errorf("stored place %q; want the other change kept", got.Place)
	}
}
