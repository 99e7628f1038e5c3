package bot

import (
	"context"
	"slices"
	"strings"
	"testing"

	"vmeste/scheduler"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// deliverOutbox runs the outbox sender against the emulator for the rest
// of the test, so that notices arrive as messages a user can press.
func (h *harness) deliverOutbox() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := scheduler.NewSender(h.store, scheduler.Gateway{G: h.bot.tg, Render: h.bot.RenderCertificate}, scheduler.SenderConfig{Rate: 1000})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil {
			h.t.Errorf("sender: %v", err)
		}
	}()
	h.t.Cleanup(func() { cancel(); <-done })
}

// waitFor waits for a bot message in chat that contains every part.
func (h *harness) waitFor(chat int64, parts ...string) telegramtest.Message {
	h.t.Helper()
	m, err := h.tg.WaitBotMessage(h.ctx(), chat, contains(parts...))
	if err != nil {
		h.t.Fatalf("chat %d: no message with %q: %v", chat, parts, err)
	}
	return m
}

// startToOrgPicker takes a Russian-speaking newcomer to the organisation
// picker.
func (h *harness) startToOrgPicker(u telegramtest.User, fullName string) {
	h.t.Helper()
	h.say(u, "/start", "Выберите язык")
	h.press(u, "✓ Русский", "Согласие на обработку персональных данных")
	h.press(u, "✅ Согласен(на)", "Как вас зовут")
	h.say(u, fullName, "Выберите вашу организацию")
}

const kendelen = "МКОУ «СОШ №3» с.п. Кенделен"

// The case: a teacher whose school is not in the list asks for it,
// the admin adds it, and she goes on registering where she was.
func TestRegistrationThroughMissingOrgToAdminApproval(t *testing.T) {
	h := newHarness(t, nil)
	h.deliverOutbox()
	h.seedOrgs(school1, gibdd, crtdiu)
	h.register(admin, "Админов Админ", school1.Name)

	h.startToOrgPicker(teacher, "гетоева зульфия магомедовна")
	if u := h.user(teacher.ID); u.FullName != "Гетоева Зульфия Магомедовна" {
		t.Fatalf("name stored as %q", u.FullName)
	}
	h.press(teacher, "🏫 Моей организации нет в списке", "полное название")
	h.say(teacher, "ш", "от 3 до") // too short: refused, nothing asked
	h.say(teacher, kendelen, "Запрос отправлен администратору", kendelen)

	req := h.waitFor(admin.ID, "Запрос: организации нет в списке", "Гетоева Зульфия Магомедовна", kendelen, "при регистрации")
	if len(req.Buttons) != 3 {
		t.Fatalf("request buttons: %+v", req.Buttons)
	}
	// The teacher waits: a stray message does not lose her place.
	h.say(teacher, "Спасибо!", "Запрос отправлен администратору")

	h.press(admin, "➕ Добавить в список", "Какого вида организация")
	h.press(admin, "« Назад", "Запрос: организации нет в списке") // changed their mind, then again
	h.press(admin, "➕ Добавить в список", "Какого вида организация")
	_, m := h.press(admin, "Школа (ОО)", "Добавлена в список", kendelen)
	if len(m.Buttons) != 0 {
		t.Errorf("the decided request still has buttons: %+v", m.Buttons)
	}

	h.waitFor(teacher.ID, "Администратор добавил вашу организацию", kendelen, "Ваша должность")
	h.press(teacher, "Учитель", "вы зарегистрированы", kendelen, "Учитель")
	u := h.user(teacher.ID)
	if !u.Registered || h.orgName(u.OrgID) != kendelen || u.Position != "Учитель" {
		t.Fatalf("stored teacher: %+v", u)
	}
	var added storage.Organisation
	for _, o := range h.orgs() {
		if o.Name == kendelen {
			added = o
		}
	}
	if added.Kind != storage.KindSchool {
		t.Errorf("added organisation: %+v", added)
	}
}

func (h *harness) orgs() []storage.Organisation {
	h.t.Helper()
	list, err := h.store.Organisations(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return list
}

// «It is this one»: the admin points to a listed organisation; a second
// press of the old request is told it is decided; a refusal sends the
// person back to the list.
func TestMissingOrgMatchedAndRefused(t *testing.T) {
	h := newHarness(t, nil)
	h.deliverOutbox()
	h.seedOrgs(school1, gibdd, crtdiu)
	h.register(admin, "Админов Админ", school1.Name)

	h.startToOrgPicker(teacher, "Кулиева Фатима")
	h.press(teacher, "🏫 Моей организации нет в списке", "полное название")
	h.say(teacher, "Центр творчества Моккаева", "Запрос отправлен")
	h.waitFor(admin.ID, "Центр творчества Моккаева")
	_, m := h.press(admin, "🔗 Она уже есть в списке", "Какая из организаций списка")
	if first := m.Buttons[0][0].Text; first != crtdiu.Name {
		t.Errorf("the likeliest organisation is not first: %q", first)
	}
	h.press(admin, crtdiu.Name, "это организация из списка", crtdiu.Name)
	h.waitFor(teacher.ID, "нашёл вашу организацию в списке", crtdiu.Name, "Ваша должность")
	h.say(teacher, "Педагог-организатор", "вы зарегистрированы")
	if u := h.user(teacher.ID); h.orgName(u.OrgID) != crtdiu.Name {
		t.Errorf("teacher's organisation: %d", u.OrgID)
	}

	// Someone else asks; the admin refuses; the old message's buttons
	// are stale.
	h.startToOrgPicker(teacher2, "Байзуллаев Ахмат")
	h.press(teacher2, "🏫 Моей организации нет в списке", "полное название")
	h.say(teacher2, "Кафе «Эльбрус»", "Запрос отправлен")
	h.waitFor(admin.ID, "Кафе «Эльбрус»")
	h.press(admin, "✖ Отказать", "Отказать в запросе")
	h.press(admin, "Да, отказать", "отказано")
	h.waitFor(teacher2.ID, "не добавил организацию", "Кафе «Эльбрус»")
	_, picker := h.press(teacher2, "Выбрать из списка", "Выберите вашу организацию")
	if picker.Edited != 0 {
		t.Error("the refusal notice was replaced by the list")
	}
	h.waitFor(teacher2.ID, "не добавил организацию") // still there
	h.press(teacher2, school1.Name, "Ваша должность")
	for _, o := range h.orgs() {
		if strings.Contains(o.Name, "Эльбрус»") && o.Kind == storage.KindOtherOrg {
			t.Errorf("a refused organisation was added: %+v", o)
		}
	}
}

// The admin's own first /start with an empty list: no "the administrator
// has not added them" addressed to himself; he types his organisation and
// it is added.
func TestAdminFirstStartWithEmptyList(t *testing.T) {
	h := newHarness(t, nil)
	h.say(admin, "/start", "Выберите язык")
	h.press(admin, "✓ Русский", "Согласие на обработку персональных данных")
	h.press(admin, "✅ Согласен(на)", "Как вас зовут")
	m := h.say(admin, "Тебуев Руслан", "Список организаций пока пуст", "сразу добавлю")
	if strings.Contains(m.PlainText(), "администратор ещё не добавил") {
		t.Errorf("the admin is told about the administrator: %q", m.PlainText())
	}
	h.say(admin, "МКУ «Управление образования» Эльбрусского района", "Организация добавлена в список")
	h.waitFor(admin.ID, "Ваша должность")
	h.press(admin, "Методист", "вы зарегистрированы", "Управление образования")
}

// With no admin to ask, a person is told so instead of waiting for nobody.

func TestMissingOrgWithoutAdmins(t *testing.T) {
	h := newHarness(t, func(b *Bot) { b.admins = map[int64]bool{} })
	h.seedOrgs(school1)
	h.startToOrgPicker(teacher, "Иванова Мария")
	h.press(teacher, "🏫 Моей организации нет в списке", "полное название")
	h.say(teacher, "Новая школа", "администратор бота не назначен")
	h.press(teacher, "« Назад к списку", "Выберите вашу организацию")
}

// The picker as a teacher sees it: schools first, №2 before №10, and the
// ways people type a school's or kindergarten's name.
func TestOrgPickerOrderAndSearch(t *testing.T) {
	h := newHarness(t, nil)
	h.seedOrgs(
		storage.Organisation{Name: "ГБПОУ «Эльбрусский региональный колледж»", Kind: storage.KindCollege},
		storage.Organisation{Name: "ГБУЗ «Районная больница»", Kind: storage.KindHealth},
		storage.Organisation{Name: "Краеведческий музей", Kind: storage.KindCulture},
		storage.Organisation{Name: "МКОУ «СОШ №10» г.п. Тырныауз", Kind: storage.KindSchool},
		storage.Organisation{Name: "МКОУ «СОШ №2» с.п. Бедык", Kind: storage.KindSchool},
		storage.Organisation{Name: "МКДОУ «Детский сад №3» г.п. Тырныауз", Kind: storage.KindPreschool},
		storage.Organisation{Name: "МОУ «Гимназия №5»", Kind: storage.KindSchool},
	)
	h.startToOrgPicker(teacher, "Иванова Мария")
	m := h.lastBot(teacher.ID)
	var order []string
	for _, row := range m.Buttons {
		order = append(order, row[0].Text)
	}
	want := []string{"МОУ «Гимназия №5»", "МКОУ «СОШ №2» с.п. Бедык", "МКОУ «СОШ №10» г.п. Тырныауз", "МКДОУ «Детский сад №3» г.п. Тырныауз"}
	for i, w := range want {
		if i >= len(order) || order[i] != w {
			t.Fatalf("picker order %q, want it to begin %q", order, want)
		}
	}
	// Below the organisations, before the wizard's way out (Назад, Отмена).
	if i := slices.Index(order, "🏫 Моей организации нет в списке"); i < 0 || i != slices.Index(order, "« Назад")-1 {
		t.Errorf("«Моей организации нет в списке» is button %d of %q, want it right after the organisations", i, order)
	}
	for query, want := range map[string]string{
		"школа 2":     "СОШ №2",
		"детсад 3":    "Детский сад №3",
		"д/с №3":      "Детский сад №3",
		"гимназия 5":  "Гимназия №5",
		"сош№10":      "СОШ №10",
		"«сош 2»":     "СОШ №2",
		"тырныауз 10": "СОШ №10",
	} {
		m := h.say(teacher, query, "по запросу")
		if len(m.Buttons) == 0 || !strings.Contains(m.Buttons[0][0].Text, want) {
			t.Errorf("%q: first button %+v, want %q", query, m.Buttons, want)
		}
		if strings.Contains(m.Buttons[0][0].Text, "СОШ №10") && want == "СОШ №2" {
			t.Errorf("%q found №10", query)
		}
	}
}

func (h *harness) lastBot(chat int64) telegramtest.Message {
	h.t.Helper()
	list := h.tg.BotMessages(chat)
	if len(list) == 0 {
		h.t.Fatal("no bot messages")
	}
	return list[len(list)-1]
}

// Unknown text gets a menu for the user's role, and the menu works; /help
// explains the main actions.
func TestUnknownTextGetsRoleMenu(t *testing.T) {
	h := newHarness(t, nil)
	h.seedOrgs(school1)
	m := h.say(teacher, "привет", "/start")
	if len(m.Buttons) != 1 || m.Buttons[0][0].Text != "📝 Зарегистрироваться" {
		t.Errorf("a newcomer's menu: %+v", m.Buttons)
	}
	h.press(teacher, "📝 Зарегистрироваться", "Выберите язык")
	h.press(teacher, "✓ Русский", "Согласие на обработку персональных данных")
	h.press(teacher, "✅ Согласен(на)", "Как вас зовут")
	h.say(teacher, "Иванова Мария", "Выберите вашу организацию")
	h.press(teacher, school1.Name, "Ваша должность")
	h.press(teacher, "Классный руководитель", "вы зарегистрированы")

	m = h.say(teacher, "Добрый день! Когда конкурс?", "Вот что можно сделать")
	labels := buttonLabels(m)
	for _, want := range []string{"📅 Мероприятия", "🗂 Мои записи", "👤 Профиль"} {
		if !strings.Contains(labels, want) {
			t.Errorf("teacher's menu %q lacks %q", labels, want)
		}
	}
	if strings.Contains(labels, "Новое мероприятие") || strings.Contains(labels, "Организации") {
		t.Errorf("a teacher is offered more than hers: %q", labels)
	}
	_, prof := h.press(teacher, "👤 Профиль", "Профиль", "Иванова Мария")
	if prof.Edited != 0 {
		t.Error("the menu was replaced instead of a new message")
	}

	h.register(admin, "Админов Админ", school1.Name)
	m = h.say(admin, "что тут делать", "Вот что можно сделать")
	if labels := buttonLabels(m); !strings.Contains(labels, "➕ Новое мероприятие") || !strings.Contains(labels, "🏫 Организации") {
		t.Errorf("admin's menu: %q", labels)
	}
	h.press(admin, "🏫 Организации", "Организации")

	help := h.say(teacher, "/help", "Найти мероприятие и записаться", "/events", "Команды")
	if strings.Contains(help.PlainText(), "Координатору") {
		t.Error("a teacher's help speaks to coordinators")
	}
	h.say(admin, "/help", "Найти мероприятие", "Координатору", "Администратору", "Моей организации нет в списке")
}

func buttonLabels(m telegramtest.Message) string {
	var sb strings.Builder
	for _, row := range m.Buttons {
		for _, b := range row {
			sb.WriteString(b.Text + "|")
		}
	}
	return sb.String()
}

// In /profile the same request ends the profile change; a second admin
// who presses the same request later is told that it is decided.
func TestMissingOrgInProfileAndSecondAdmin(t *testing.T) {
	admin2 := telegramtest.User{ID: 1001, FirstName: "Второй", LanguageCode: "ru"}
	h := newHarness(t, func(b *Bot) { b.admins[admin2.ID] = true })
	h.deliverOutbox()
	h.seedOrgs(school1, gibdd)
	h.register(admin, "Админов Админ", school1.Name)
	h.say(admin2, "/start", "Выберите язык") // an admin the bot may write to
	h.register(teacher, "Иванова Мария", school1.Name)

	h.say(teacher, "/profile", "Профиль")
	h.press(teacher, "Сменить организацию", "Выберите вашу организацию")
	h.press(teacher, "🏫 Моей организации нет в списке", "полное название")
	h.say(teacher, "МКДОУ «Детский сад №7» с.п. Эльбрус", "Запрос отправлен")
	h.waitFor(admin.ID, "смена организации в профиле", "Иванова Мария")
	h.waitFor(admin2.ID, "смена организации в профиле")

	_, kinds := h.press(admin, "➕ Добавить в список", "Какого вида")
	if first := kinds.Buttons[0][0].Text; first != "ДОУ" {
		t.Errorf("the kind its name suggests is not first: %q", first)
	}
	h.press(admin, "ДОУ", "Добавлена в список")
	h.waitFor(teacher.ID, "добавил вашу организацию", "Профиль обновлён")
	if u := h.user(teacher.ID); h.orgName(u.OrgID) != "МКДОУ «Детский сад №7» с.п. Эльбрус" {
		t.Errorf("profile not changed: %+v", u)
	}
	if _, err := h.store.Conversation(t.Context(), teacher.ID); !storage.IsNotFound(err) {
		t.Errorf("the profile change did not end: %v", err)
	}
	ans, m := h.press(admin2, "✖ Отказать", "Добавлена в список")
	if !strings.Contains(ans.Text, "уже есть решение") || len(m.Buttons) != 0 {
		t.Errorf("second admin: answer %q, message %+v", ans.Text, m)
	}
}
