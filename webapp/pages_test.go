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

// editorForm is a complete, valid editor form for a new event.
func (f *fixture) editorForm(title string, start time.Time) url.Values {
	return url.Values{"title": {title}, "kind": {"contest"}, "org": {itoa(f.orgA), itoa(f.orgB)}, "place": {"ДК «Юность»"},
		"start": {start.In(f.location).Format(localInput)}, "unit": {"team"}, "maxteam": {"4"}, "capacity": {"10"},
		"reminder": {"10080", "1440"}, "phone": {"optional"}, "pupils": {"on"},
		"q1_text": {"Номинация"}, "q1_kind": {"choice"}, "q1_options": {"Рисунок; Плакат"}, "q1_required": {"on"}}
}

// TestEditorRefusesInTheChatsWords: a bad value gets 422, the chat's
// message at its field, and nothing is stored.
func TestEditorRefusesInTheChatsWords(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good := f.editorForm("Безопасное колесо", f.now.Add(30*24*time.Hour))
	for _, tc := range []struct {
		name  string
		field string
		value string
		want  string
	}{
		{"short title", "title", "Аб", "Название — от 3 до 200 символов."},
		{"no kind", "kind", "", "Выберите вид мероприятия."},
		{"a start gone", "start", f.now.Add(-time.Hour).In(f.location).Format(localInput), "Время начала уже прошло"},
		{"an end before the start", "end", f.now.Add(29 * 24 * time.Hour).In(f.location).Format(localInput), "Окончание должно быть позже начала"},
		{"a deadline after the start", "deadline", f.now.Add(31 * 24 * time.Hour).In(f.location).Format(localInput), "Запись должна закрываться раньше начала"},
		{"a team of 51", "maxteam", "51", "Нужно число от 1 до 50."},
		{"capacity zero", "capacity", "0", "Нужно число от 1 до 100000."},
		{"a one-option choice", "q1_options", "Рисунок", "Нужно хотя бы два варианта"},
		{"a place of one letter", "place", "Я", "Место"},
	} {
		form := url.Values{}
		for k, v := range good {
			form[k] = v
		}
		form.Set(tc.field, tc.value)
		code, body := f.do(http.MethodPost, "/app/events/new", f.as(f.coordA), form)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("%s: %d, want 422 with %q:\n%s", tc.name, code, tc.want, body)
		}
	}
	if code, body := f.do(http.MethodPost, "/app/events/new", f.as(f.coordA), url.Values{"title": {"Без организаторов"}, "kind": {"contest"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "Нужен хотя бы один организатор.") {
		t.Errorf("no organisers: %d", code)
	}
	if list, err := f.store.OrganisedEvents(ctx, f.coordA.ID, f.orgA); err != nil || len(list) != 0 {
		t.Fatalf("refused forms stored events: %v %v", list, err)
	}
	code, body := f.do(http.MethodPost, "/app/events/new", f.as(f.coordA), good)
	if code != http.StatusOK || !strings.Contains(body, "data-saved") {
		t.Fatalf("a good form: %d\n%s", code, body)
	}
	list, err := f.store.OrganisedEvents(ctx, f.coordA.ID, f.orgA)
	if err != nil || len(list) != 1 {
		t.Fatalf("stored: %v %v", list, err)
	}
	e := list[0]
	if e.Status != storage.EventDraft || e.OwnerOrg != f.orgA || e.CreatedBy != f.coordA.ID || e.MaxTeam != 4 || e.Capacity != 10 ||
		len(e.Organisers) != 2 || len(e.Reminders) != 2 || !e.Form.Pupils || e.Form.Phone != storage.NeedOptional ||
		len(e.Form.Questions) != 1 || len(e.Form.Questions[0].Options) != 2 || !e.Form.Questions[0].Required {
		t.Errorf("stored as %+v", e)
	}
}

// TestEditPublishedSendsTheChangeNotice: moving a published event's start
// in the page enqueues the chat's change notice to its participants in
// UpdateEvent's transaction; a capacity below the seats taken is refused
// with the chat's words.
func TestEditPublishedSendsTheChangeNotice(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := f.event(ctx, "Война глазами детей", storage.EventContest)
	for _, u := range []storage.User{f.teacher, f.coordB} {
		if _, err := f.store.Register(ctx, storage.SignUp{EventID: e.ID, UserID: u.ID}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	form := url.Values{"title": {e.Title}, "kind": {string(e.Kind)}, "org": {itoa(f.orgA)}, "place": {e.Place}, "unit": {"individual"},
		"start": {e.Start.Add(24 * time.Hour).In(f.location).Format(localInput)}, "capacity": {"1"}, "rev": {strconv.Itoa(e.Revision)}}
	code, body := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/edit", f.as(f.coordA), form)
	if code != http.StatusConflict || !strings.Contains(body, "Уже записаны 2 участника") {
		t.Errorf("capacity below taken: %d\n%s", code, body)
	}
	form.Set("capacity", "")
	code, body = f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/edit", f.as(f.coordA), form)
	if code != http.StatusOK || !strings.Contains(body, "data-saved") {
		t.Fatalf("the edit: %d\n%s", code, body)
	}
	pending, err := f.store.PendingOutbox(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	told := 0
	for _, o := range pending {
		if o.Content.Text == "changed "+e.Title {
			told++
		}
	}
	if told != 2 {
		t.Errorf("change notices enqueued: %d, want 2 (%+v)", told, pending)
	}
}

// TestPagesRender: each page answers 200 to its coordinator with its
// parts, and the participants' marking goes through SetAttendance and
// SetResult.
func TestPagesRender(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := f.event(ctx, "Солдаты Победы", storage.EventContest)
	if _, err := f.store.Register(ctx, storage.SignUp{EventID: e.ID, UserID: f.teacher.ID}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{"/app/", "Солдаты Победы"},
		{"/app/?kind=seminar", `id="h-upcoming"`},
		{"/app/?event=" + itoa(e.ID), "Пользователь 103"},
		{"/app/events/new", `id="editor"`},
		{"/app/events/" + itoa(e.ID) + "/edit", "Солдаты Победы"},
		{"/app/events/" + itoa(e.ID) + "/participants?sort=name&state=confirmed", "Пользователь 103"},
		{"/app/dashboard", `data-figure="teachers"`},
		{"/app/dashboard?period=dates&from=2026-01-01&to=2026-12-31", `data-figure="pupils"`},
	} {
		code, body := f.do(http.MethodGet, tc.path, f.as(f.coordA), nil)
		if code != http.StatusOK || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: %d, want 200 with %q\n%s", tc.path, code, tc.want, body)
		}
	}
	code, _ := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/mark", f.as(f.coordA), url.Values{"user": {itoa(f.teacher.ID)}, "attended": {"yes"}, "result": {"2"}})
	if code != http.StatusOK {
		t.Fatalf("mark: %d", code)
	}
	reg, err := f.store.Registration(ctx, e.ID, f.teacher.ID)
	if err != nil || reg.Attended == nil || !*reg.Attended || reg.Result != storage.ResultSecond {
		t.Errorf("marked as %+v, %v", reg, err)
	}
	if code, _ := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/mark", f.as(f.coordA), url.Values{"user": {itoa(f.teacher.ID)}, "result": {"7"}}); code != http.StatusBadRequest {
		t.Errorf("an unknown result: %d, want 400", code)
	}
	if code, _ := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/mark", f.as(f.coordA), url.Values{"user": {"555"}, "attended": {"yes"}}); code != http.StatusNotFound {
		t.Errorf("someone not signed up: %d, want 404", code)
	}
}

// TestUserValuesEscaped: what users typed reaches the page as text, never
// as markup.
func TestUserValuesEscaped(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	evil := f.user(ctx, 200, f.orgA, storage.RoleTeacher)
	evil.FullName = `<img src=x onerror=alert(1)> "Иванова"`
	if err := f.store.PutUser(ctx, evil); err != nil {
		t.Fatal(err)
	}
	e := f.event(ctx, `<script>alert("t")</script> Дари добро`, storage.EventCampaign)
	if _, err := f.store.Register(ctx, storage.SignUp{EventID: e.ID, UserID: evil.ID}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/app/", "/app/events/" + itoa(e.ID) + "/participants", "/app/events/" + itoa(e.ID) + "/edit"} {
		code, body := f.do(http.MethodGet, path, f.as(f.coordA), nil)
		if code != http.StatusOK || strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("GET %s: %d, a user's value came through as markup", path, code)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("GET %s: the title is not there, escaped", path)
		}
	}
}

// TestDashboardScope: a coordinator sees their organisation's figures
// whatever the query asks; an admin the district, or the organisation
// chosen.
func TestDashboardScope(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		who  storage.User
		path string
		want string
	}{
		{f.coordA, "/app/dashboard?org=" + itoa(f.orgB), `<p class="meta" id="dash-scope">МКОУ СОШ №1 г. Тырныауза`},
		{f.admin, "/app/dashboard", `<p class="meta" id="dash-scope">Весь район`},
		{f.admin, "/app/dashboard?org=" + itoa(f.orgB), `<p class="meta" id="dash-scope">ОГИБДД ОМВД по Эльбрусскому району`},
	} {
		code, body := f.do(http.MethodGet, tc.path, f.as(tc.who), nil)
		if code != http.StatusOK || !strings.Contains(body, tc.want) {
			t.Errorf("%d GET %s: %d, want %q", tc.who.ID, tc.path, code, tc.want)
		}
	}
	if _, body := f.do(http.MethodGet, "/app/dashboard", f.as(f.coordA), nil); strings.Contains(body, `id="d-org"`) {
		t.Error("a coordinator is offered other organisations")
	}
}

// TestAdminEditTellsTheAuthor: an admin's edit and publication of a
// coordinator's draft in the page enqueue the bot's notices to its author
// in the storage calls that make them.
func TestAdminEditTellsTheAuthor(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d, err := f.store.CreateEvent(ctx, storage.Event{Title: "Весенняя неделя добра", Kind: storage.EventCampaign, Start: f.now.Add(40 * 24 * time.Hour),
		Place: "Школы района", Organisers: []int64{f.orgA}, Unit: storage.UnitIndividual, CreatedBy: f.coordA.ID})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"title": {d.Title + " 2027"}, "kind": {string(d.Kind)}, "org": {itoa(f.orgA)}, "place": {d.Place}, "unit": {"individual"},
		"start": {d.Start.In(f.location).Format(localInput)}, "action": {"publish"}, "rev": {strconv.Itoa(d.Revision)}}
	if code, body := f.do(http.MethodPost, "/app/events/"+itoa(d.ID)+"/edit", f.as(f.coordB), form); code != http.StatusForbidden || strings.Contains(body, d.Title) {
		t.Errorf("another organisation's coordinator on a draft: %d", code)
	}
	code, body := f.do(http.MethodPost, "/app/events/"+itoa(d.ID)+"/edit", f.as(f.admin), form)
	if code != http.StatusOK || !strings.Contains(body, "опубликовано") {
		t.Fatalf("the admin's publication: %d\n%s", code, body)
	}
	got, err := f.store.Event(ctx, d.ID)
	if err != nil || got.Status != storage.EventPublished || got.Title != d.Title+" 2027" {
		t.Fatalf("stored: %+v %v", got, err)
	}
	pending, err := f.store.PendingOutbox(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var told []string
	for _, o := range pending {
		if o.UserID == f.coordA.ID {
			told = append(told, o.Content.Text)
		}
	}
	if strings.Join(told, ",") != "author: edited,author: published" {
		t.Errorf("the author was told %q", told)
	}
}

// TestPageWritesAreAudited: what the page changes is in the audit trail
// under the user who changed it, as the chat's changes are.
func TestPageWritesAreAudited(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := f.event(ctx, "Школа безопасности", storage.EventCompetition)
	if _, err := f.store.Register(ctx, storage.SignUp{EventID: e.ID, UserID: f.teacher.ID}, time.Now()); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"title": {e.Title}, "kind": {string(e.Kind)}, "org": {itoa(f.orgA)}, "place": {"Полигон МЧС"}, "unit": {"individual"},
		"start": {e.Start.In(f.location).Format(localInput)}, "rev": {strconv.Itoa(e.Revision)}}
	if code, _ := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/edit", f.as(f.coordA), form); code != http.StatusOK {
		t.Fatalf("edit: %d", code)
	}
	if code, _ := f.do(http.MethodPost, "/app/events/"+itoa(e.ID)+"/mark", f.as(f.admin), url.Values{"user": {itoa(f.teacher.ID)}, "result": {"3"}}); code != http.StatusOK {
		t.Fatalf("mark: %d", code)
	}
	entries, err := f.store.AuditEntries(ctx, storage.AuditFilter{Event: e.ID}, 100)
	if err != nil {
		t.Fatal(err)
	}
	by := map[storage.AuditAction]int64{}
	for _, a := range entries {
		by[a.Action] = a.Actor
	}
	if by[storage.AuditEventEdit] != f.coordA.ID || by[storage.AuditResult] != f.admin.ID {
		t.Errorf("audited %v, want the coordinator's edit and the admin's result: %+v", by, entries)
	}
}
