package bot

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// auditSeed is a district with a history: organisations, a coordinator
// whose name holds HTML, an event created, edited and then cancelled by
// the coordinator through the bot, and a dozen organisations added by the
// admin (so that the list has two pages).
type auditSeed struct {
	gibdd, school int64
	event         storage.Event
}

func (h *harness) seedAudit() auditSeed {
	h.t.Helper()
	ctx := context.Background()
	ids := h.seedOrgs(gibdd, school1)
	s := auditSeed{gibdd: ids[0], school: ids[1]}
	h.makeCoordinator(coordinator, s.gibdd)
	u := h.user(coordinator.ID)
	u.FullName = "Кулиева <Фатима> & Co"
	if err := h.store.PutUser(ctx, u); err != nil {
		h.t.Fatal(err)
	}
	h.registerDirect(admin, s.school)
	h.registerDirect(ivanova, s.school)
	asCoordinator := storage.WithActor(ctx, coordinator.ID)
	e, err := h.store.CreateEvent(asCoordinator, storage.Event{Title: "Безопасное колесо", Kind: storage.EventCompetition,
		Start: h.clock.Now().AddDate(0, 0, 7), Place: "ЦРТДиЮ", Organisers: []int64{s.gibdd}, Unit: storage.UnitIndividual,
		Status: storage.EventPublished, CreatedBy: coordinator.ID})
	if err != nil {
		h.t.Fatal(err)
	}
	e.Place = "Стадион «Тырныауз»"
	if _, err := h.store.UpdateEvent(asCoordinator, e, nil, nil); err != nil {
		h.t.Fatal(err)
	}
	s.event = e
	asAdmin := storage.WithActor(ctx, admin.ID)
	for i := range 11 {
		if _, err := h.store.CreateOrganisation(asAdmin, storage.Organisation{Name: fmt.Sprintf("МКДОУ «Детский сад №%d»", i+1),
			Kind: storage.KindPreschool}); err != nil {
			h.t.Fatal(err)
		}
	}
	// The cancellation goes through the bot: the actor is whoever sent
	// the update (middleware), not anything the handler passes.
	card := h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	if a := h.forge(coordinator, card.ID, cb(cbEventCancelYes, e.ID)); a.ShowAlert {
		h.t.Fatalf("cancel: %q", a.Text)
	}
	return s
}

var auditLineRe = regexp.MustCompile(`^\d+\. .* · `)

// auditLines are the numbered lines of an /audit message, plain text.
func auditLines(m telegramtest.Message) []string {
	var out []string
	for _, l := range strings.Split(m.PlainText(), "\n") {
		if auditLineRe.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

func TestAuditEndToEnd(t *testing.T) {
	h := newHarness(t, nil)
	s := h.seedAudit()
	ctx := context.Background()
	_, total, err := h.store.AuditPage(ctx, storage.AuditFilter{}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}

	// Everything, newest first: the coordinator's cancellation on top,
	// her name escaped.
	m := h.say(admin, "/audit", "Журнал изменений — все записи", fmt.Sprintf("%d записей · стр. 1 из 2", total))
	lines := auditLines(m)
	if len(lines) != auditPageSize {
		t.Fatalf("first page: %d lines, want %d:\n%s", len(lines), auditPageSize, m.PlainText())
	}
	if want := "1. "; !strings.HasPrefix(lines[0], want) || !strings.Contains(lines[0], "Кулиева <Фатима> & Co · отмена мероприятия «Безопасное колесо»") {
		t.Errorf("newest line: %q", lines[0])
	}
	if !strings.Contains(m.Text, "Кулиева &lt;Фатима&gt; &amp; Co") {
		t.Errorf("the name is not escaped in %q", m.Text)
	}
	if !strings.Contains(lines[0], h.clock.Now().In(moscowZone).Format("15:04")) {
		t.Errorf("the line has no time of day: %q", lines[0])
	}
	for _, l := range labels(m) {
		if l == "" {
			t.Error("an empty button")
		}
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			if len(b.CallbackData) > maxCallbackData {
				t.Errorf("callback data %q: %d bytes", b.CallbackData, len(b.CallbackData))
			}
		}
	}

	// The second page: the rest, ending with the oldest.
	_, m = h.press(admin, "Далее ›", "стр. 2 из 2")
	if got := len(auditLines(m)); got != total-auditPageSize {
		t.Errorf("second page: %d lines, want %d:\n%s", got, total-auditPageSize, m.PlainText())
	}

	// Typed filters.
	m = h.say(admin, fmt.Sprintf("/audit e%d", s.event.ID), "мероприятие «Безопасное колесо»", "3 записи")
	got := auditLines(m)
	for i, want := range []string{"отмена мероприятия", "изменение мероприятия «Безопасное колесо» (№1): место", "создание мероприятия"} {
		if i >= len(got) || !strings.Contains(got[i], want) {
			t.Errorf("event filter, line %d: %q; want %q", i+1, got, want)
		}
	}
	m = h.say(admin, fmt.Sprintf("/audit u%d", coordinator.ID), "Кулиева <Фатима> & Co")
	if got := auditLines(m); len(got) != 4 || !strings.Contains(got[3], "назначение координатором: Кулиева") {
		t.Errorf("person filter: %q", got)
	}
	m = h.say(admin, fmt.Sprintf("/audit o%d", s.gibdd), "организация «ГИБДД»")
	if got := auditLines(m); len(got) != 5 { // added, the role, and the event's three
		t.Errorf("organisation filter: %q", got)
	}
	h.say(admin, "/audit x1", "Не понимаю фильтр")
	h.say(admin, "/audit e0", "Не понимаю фильтр")

	// One entry in full, and its filters.
	m = h.say(admin, fmt.Sprintf("/audit e%d", s.event.ID), "3 записи")
	_, m = h.press(admin, "2", "Запись журнала", "место: «ЦРТДиЮ» → «Стадион „Тырныауз“»")
	want := []string{"🗓 Все по этому мероприятию", "👤 Все этого человека", "🏫 Все по этой организации", "‹ К списку"}
	if !slices.Equal(labels(m), want) {
		t.Errorf("entry buttons %q, want %q", labels(m), want)
	}
	if !strings.Contains(m.PlainText(), fmt.Sprintf("(id %d)", coordinator.ID)) {
		t.Errorf("entry: %s", m.PlainText())
	}
	_, m = h.press(admin, "🏫 Все по этой организации", "организация «ГИБДД»")

	// The XLSX of the current filter: a row per entry.
	h.press(admin, "📥 XLSX")
	doc := h.waitFor(admin.ID, "Журнал изменений — организация «ГИБДД» (№1): 5 записей.")
	if doc.Document == nil || !strings.HasSuffix(doc.Document.Name, ".xlsx") {
		t.Fatalf("the file: %+v", doc)
	}
	f := openXLSX(t, doc.Document.Content)
	rows, err := f.GetRows("Журнал")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || !slices.Equal(rows[0], []string{"Когда", "Кто", "Telegram id", "Что", "Было → стало"}) {
		t.Fatalf("rows %q", rows)
	}
	if r := rows[1]; r[1] != "Кулиева <Фатима> & Co" || r[2] != fmt.Sprint(coordinator.ID) || !strings.HasPrefix(r[3], "отмена мероприятия «Безопасное колесо»") {
		t.Errorf("newest row %q", r)
	}
	if r := rows[2]; len(r) < 5 || r[4] != "место: «ЦРТДиЮ» → «Стадион „Тырныауз“»" {
		t.Errorf("edit row %q", r)
	}
}

// TestAuditRefused: a teacher and a coordinator get the bot's usual
// refusal, typed or forged, and see nothing of the trail.
func TestAuditRefused(t *testing.T) {
	h := newHarness(t, nil)
	s := h.seedAudit()
	key := func() string {
		list, _, err := h.store.AuditPage(context.Background(), storage.AuditFilter{}, 0, 1)
		if err != nil || len(list) == 0 {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", list[0].Key)
	}()
	for _, u := range []telegramtest.User{ivanova, coordinator} {
		m := h.say(u, "/audit", "Это действие вам недоступно.")
		for _, data := range []string{cb(cbAuditPage, "a", 0), cb(cbAuditPage, fmt.Sprintf("e%d", s.event.ID), 0),
			cb(cbAuditEntry, key, "a", 0), cb(cbAuditXLSX, "a")} {
			a := h.forge(u, m.ID, data)
			if !a.ShowAlert || a.Text != "Это действие вам недоступно." {
				t.Errorf("%d pressing %s: %q (alert %v)", u.ID, data, a.Text, a.ShowAlert)
			}
		}
		for _, m := range h.tg.BotMessages(u.ID) {
			if strings.Contains(m.PlainText(), "Журнал") || m.Document != nil {
				t.Errorf("%d was shown %q", u.ID, m.PlainText())
			}
		}
	}
	// Forged and stale data from the admin: answered, nothing shown.
	m := h.say(admin, "/audit", "Журнал изменений")
	for _, data := range []string{"au:z:0", "au:a:-1", "au:a", "ai:00:a:0", "ai:" + key + ":q:0", "ax:", "ax:e-3"} {
		if a := h.forge(admin, m.ID, data); !strings.Contains(a.Text, "неактуальна") {
			t.Errorf("%s: %q", data, a.Text)
		}
	}
	if a := h.forge(admin, m.ID, cb(cbAuditEntry, strings.Repeat("00", 16), "a", 0)); !strings.Contains(a.Text, "уже нет") {
		t.Errorf("a pruned entry: %q", a.Text)
	}
}

// auditKeys are the keys of every action and field the storage records
// (checked by TestDynamicKeysExist).
func auditKeys() []string {
	var keys []string
	for _, a := range storage.AuditActions {
		switch a {
		case storage.AuditAttendance:
			keys = append(keys, "audit_action_attendance_yes", "audit_action_attendance_no")
		default:
			keys = append(keys, "audit_action_"+string(a))
		}
	}
	for _, f := range auditFields {
		keys = append(keys, "audit_field_"+f)
	}
	return append(keys, "audit_attended_true", "audit_attended_false",
		"auditfix_unit_"+storage.UnitIndividual, "auditfix_unit_"+storage.UnitTeam)
}
