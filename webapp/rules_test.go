package webapp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"vmeste/storage"
)

// editForm is the editor's form for e as the page renders it, with its
// revision.
func (f *fixture) editForm(e storage.Event) url.Values {
	return url.Values{"title": {e.Title}, "kind": {string(e.Kind)}, "org": {itoa(f.orgA)}, "place": {e.Place}, "unit": {"individual"},
		"start": {e.Start.In(f.location).Format(localInput)}, "rev": {strconv.Itoa(e.Revision)}}
}

// register signs up users for the event, confirmed while seats last.
func (f *fixture) register(ctx context.Context, eventID int64, users ...storage.User) {
	f.t.Helper()
	for _, u := range users {
		if _, err := f.store.Register(ctx, storage.SignUp{EventID: eventID, UserID: u.ID}, time.Now()); err != nil {
			f.t.Fatal(err)
		}
	}
}

// outboxTexts are the texts of the pending outbox entries.
func (f *fixture) outboxTexts(ctx context.Context) []string {
	f.t.Helper()
	pending, err := f.store.PendingOutbox(ctx, 0, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, o := range pending {
		out = append(out, o.Content.Text)
	}
	return out
}

// TestMarkRefusesAWaitlisted: a waitlisted participant is neither marked
// present nor given a place from the page (SetAttendance and SetResult
// refuse, 409 in the chat's words), and nobody is told a result.
func TestMarkRefusesAWaitlisted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := f.event(ctx, "Шахматный турнир", storage.EventContest)
	e.Capacity = 1
	if _, err := f.store.UpdateEvent(ctx, e, nil, nil); err != nil {
		t.Fatal(err)
	}
	f.register(ctx, e.ID, f.teacher, f.coordB)
	if r, err := f.store.Registration(ctx, e.ID, f.coordB.ID); err != nil || r.State != storage.RegWaitlist {
		t.Fatalf("coordB's registration = %+v, %v; want waitlisted", r, err)
	}
	for _, form := range []url.Values{
		{"user": {itoa(f.coordB.ID)}, "attended": {"yes"}},
		{"user": {itoa(f.coordB.ID)}, "result": {"1"}},
	} {
		code, body := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/mark", f.as(f.coordA), form)
		if code != http.StatusConflict || !strings.Contains(body, "только записанному участнику") {
			t.Errorf("mark %v of a waitlisted: %d\n%s", form, code, body)
		}
	}
	r, err := f.store.Registration(ctx, e.ID, f.coordB.ID)
	if err != nil || r.Attended != nil || r.Result != "" {
		t.Errorf("waitlisted registration after the refusals = %+v, %v; want unmarked", r, err)
	}
	for _, text := range f.outboxTexts(ctx) {
		if strings.HasPrefix(text, "result ") {
			t.Errorf("a result notice was enqueued: %q", text)
		}
	}
}

// TestSaveRefusesACancelledEvent: an edit opened before the event was
// cancelled in the chat is refused when saved (409, the chat's words),
// and the stored event is not touched.
func TestSaveRefusesACancelledEvent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := f.event(ctx, "Кросс наций", storage.EventCompetition)
	form := f.editForm(e) // the page's form, opened
	if _, _, err := f.store.CancelEvent(ctx, e.ID, nil); err != nil {
		t.Fatal(err)
	}
	cancelled, _ := f.store.Event(ctx, e.ID)
	form.Set("place", "Стадион")
	code, body := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/edit", f.as(f.coordA), form)
	if code != http.StatusConflict || !strings.Contains(body, "Отменённое мероприятие изменить нельзя") {
		t.Errorf("save of a cancelled event: %d\n%s", code, body)
	}
	if got, err := f.store.Event(ctx, e.ID); err != nil || got.Place != cancelled.Place || got.Revision != cancelled.Revision {
		t.Errorf("stored %+v, %v; want it unchanged", got, err)
	}
}

// TestSaveRefusesAnOldForm: a form opened before the chat changed the
// event is refused when saved (409, «изменили, пока форма была открыта»),
// the chat's change stays and participants get no notice undoing it; the
// form opened again saves.
func TestSaveRefusesAnOldForm(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := f.event(ctx, "Зарница", storage.EventCompetition)
	f.register(ctx, e.ID, f.teacher)
	form := f.editForm(e)
	chat := e
	chat.Place = "Парк Победы"
	if _, err := f.store.UpdateEvent(ctx, chat, nil, nil); err != nil {
		t.Fatal(err)
	}
	form.Set("title", "Зарница-2027")
	code, body := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/edit", f.as(f.coordA), form)
	if code != http.StatusConflict || !strings.Contains(body, "Мероприятие изменили, пока форма была открыта") {
		t.Errorf("save of an old form: %d\n%s", code, body)
	}
	got, err := f.store.Event(ctx, e.ID)
	if err != nil || got.Place != "Парк Победы" || got.Title != e.Title {
		t.Fatalf("stored %+v, %v; want the chat's change kept, the old form's refused", got, err)
	}
	if texts := f.outboxTexts(ctx); len(texts) != 0 {
		t.Errorf("outbox after a refused edit: %q; want nothing", texts)
	}
	fresh := f.editForm(got)
	fresh.Set("title", "Зарница-2027")
	if code, body := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/edit", f.as(f.coordA), fresh); code != http.StatusOK || !strings.Contains(body, "data-saved") {
		t.Fatalf("save of the form opened again: %d\n%s", code, body)
	}
	if code, _ := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/edit", f.as(f.coordA), url.Values{"title": {"Без ревизии"}}); code != http.StatusBadRequest {
		t.Errorf("an edit without rev: %d; want 400", code)
	}
}

// TestMadeUpOrganiserRefused: an organisation id that is not stored is
// refused as the chat refuses it (org_gone), on a new event and on an
// edit, and nothing is stored.
func TestMadeUpOrganiserRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := f.now.Add(20 * 24 * time.Hour).In(f.location).Format(localInput)
	form := url.Values{"title": {"Фальшивка"}, "kind": {"contest"}, "org": {itoa(f.orgA), "999999"}, "place": {"Тырныауз"},
		"unit": {"individual"}, "start": {start}}
	code, body := f.do(http.MethodPost, "/app/events/new", f.as(f.coordA), form)
	if code != http.StatusConflict || !strings.Contains(body, "Этой организации уже нет") {
		t.Errorf("a new event with organiser 999999: %d\n%s", code, body)
	}
	if list, err := f.store.OrganisedEvents(ctx, f.coordA.ID, f.orgA); err != nil || len(list) != 0 {
		t.Errorf("stored after the refusal: %v, %v", list, err)
	}
	e := f.event(ctx, "Настоящее", storage.EventContest)
	edit := f.editForm(e)
	edit.Add("org", "999999")
	code, body = f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/edit", f.as(f.coordA), edit)
	if code != http.StatusConflict || !strings.Contains(body, "Этой организации уже нет") {
		t.Errorf("an edit adding organiser 999999: %d\n%s", code, body)
	}
	if got, err := f.store.Event(ctx, e.ID); err != nil || len(got.Organisers) != 1 || got.Revision != e.Revision {
		t.Errorf("stored %+v, %v; want it unchanged", got, err)
	}
}

// TestPublishFromPageAsksToAnnounce: a draft published in the page sends
// the chat's «Сообщить педагогам?» prompt to the coordinator's chat in
// PublishEvent's transaction, and so does a new event published; a draft
// whose start has passed is not published (ne_start_passed) and asks
// nothing.
func TestPublishFromPageAsksToAnnounce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d, err := f.store.CreateEvent(ctx, storage.Event{Title: "Неделя добра", Kind: storage.EventCampaign, Start: f.now.Add(40 * 24 * time.Hour).Truncate(time.Minute),
		Place: "Школы района", Organisers: []int64{f.orgA}, Unit: storage.UnitIndividual, CreatedBy: f.coordA.ID})
	if err != nil {
		t.Fatal(err)
	}
	form := f.editForm(d)
	form.Set("action", "publish")
	if code, body := f.do(http.MethodPost, "/app/events/"+itoa(d.ID)+"/edit", f.as(f.coordA), form); code != http.StatusOK {
		t.Fatalf("publish: %d\n%s", code, body)
	}
	pending, err := f.store.PendingOutbox(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].Content.Text != "announce? "+d.Title || pending[0].ChatID != f.coordA.ChatID {
		t.Fatalf("outbox after the publish: %+v; want the prompt to the coordinator", pending)
	}

	past, err := f.store.CreateEvent(ctx, storage.Event{Title: "Вчерашний черновик", Kind: storage.EventCampaign, Start: f.now.Add(-time.Hour).Truncate(time.Minute),
		Place: "Школы района", Organisers: []int64{f.orgA}, Unit: storage.UnitIndividual, CreatedBy: f.coordA.ID})
	if err != nil {
		t.Fatal(err)
	}
	form = f.editForm(past)
	form.Set("action", "publish")
	code, body := f.do(http.MethodPost, "/app/events/"+itoa(past.ID)+"/edit", f.as(f.coordA), form)
	if code != http.StatusConflict || !strings.Contains(body, "Время начала уже прошло") {
		t.Errorf("publish of a passed start: %d\n%s", code, body)
	}
	if got, err := f.store.Event(ctx, past.ID); err != nil || got.Status != storage.EventDraft {
		t.Errorf("stored %+v, %v; want still a draft", got, err)
	}
	if texts := f.outboxTexts(ctx); len(texts) != 1 {
		t.Errorf("outbox after the refused publish: %q; want only the first prompt", texts)
	}

	created := url.Values{"title": {"Сразу опубликовано"}, "kind": {"contest"}, "org": {itoa(f.orgA)}, "place": {"Тырныауз"},
		"unit": {"individual"}, "start": {f.now.Add(20 * 24 * time.Hour).In(f.location).Format(localInput)}, "action": {"publish"}}
	if code, body := f.do(http.MethodPost, "/app/events/new", f.as(f.coordA), created); code != http.StatusOK {
		t.Fatalf("a new event published: %d\n%s", code, body)
	}
	if texts := f.outboxTexts(ctx); len(texts) != 2 || texts[1] != "announce? Сразу опубликовано" {
		t.Errorf("outbox after a new event published: %q; want its prompt", texts)
	}
}
