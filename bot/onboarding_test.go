package bot

import (
	"strings"
	"testing"

	"vmeste/storage"
)

func TestOnboardingSurvivesRestart(t *testing.T) {
	h := newHarness(t, nil)
	h.seedOrgs(school1, gibdd, crtdiu)

	m := h.say(teacher, "/start", "Выберите язык")
	if len(m.Buttons) != 1 || len(m.Buttons[0]) != 2 {
		t.Fatalf("language buttons: %+v", m.Buttons)
	}
	h.press(teacher, "✓ Русский", "Согласие на обработку персональных данных")
	h.press(teacher, "✅ Согласен(на)", "Как вас зовут")
	h.say(teacher, "Иван 3", "буквами") // bad name: refused, nothing changes
	if u := h.user(teacher.ID); u.FullName != "" {
		t.Fatalf("a bad name was stored: %q", u.FullName)
	}

	h.restart() // the bot goes down in the middle of onboarding

	h.say(teacher, "  Иванова   Мария Петровна ", "Выберите вашу организацию")
	h.say(teacher, "гибдд", "по запросу «гибдд»")
	h.press(teacher, gibdd.Name, "Ваша должность")

	h.restart()

	h.say(teacher, "Инспектор по пропаганде БДД", "вы зарегистрированы", "Иванова Мария Петровна", gibdd.Name)
	u := h.user(teacher.ID)
	if !u.Registered || u.FullName != "Иванова Мария Петровна" || u.Position != "Инспектор по пропаганде БДД" || u.Lang != "ru" {
		t.Fatalf("stored user: %+v", u)
	}
	if _, err := h.store.Conversation(t.Context(), teacher.ID); !storage.IsNotFound(err) {
		t.Errorf("the wizard was not ended: %v", err)
	}
	h.say(teacher, "/start", "С возвращением")
}

func TestOnboardingInEnglishAndOrgPaging(t *testing.T) {
	h := newHarness(t, nil)
	for i := 0; i < 11; i++ {
		h.seedOrgs(storage.Organisation{Name: "Школа " + string(rune('A'+i)), Kind: storage.KindSchool})
	}
	h.say(englishT, "/start", "Choose your language")
	h.press(englishT, "✓ English", "Consent to the processing of personal data", "Управление образования")
	h.press(englishT, "✅ I agree", "What is your name")
	h.say(englishT, "Anna Smith", "Choose your organisation (page 1 of 2)")
	_, m := h.press(englishT, "Next ›", "page 2 of 2")
	if m.Edited == 0 {
		t.Error("paging sent a new message instead of editing")
	}
	h.press(englishT, "Школа K", "Your position")
	h.say(englishT, "x", "2 to 100 characters")
	h.press(englishT, "Lecturer", "you are registered")
	if u := h.user(englishT.ID); u.Lang != "en" || u.Position != "Lecturer" {
		t.Errorf("user: %+v", u)
	}
}

func TestDoubleTapRunsOnce(t *testing.T) {
	h := newHarness(t, nil)
	h.seedOrgs(school1)
	m := h.say(teacher, "/start", "Выберите язык")
	// Two taps on the same button before the bot answers either.
	q1 := h.tg.Callback(teacher, teacher.ID, m.ID, m.Buttons[0][0].CallbackData)
	q2 := h.tg.Callback(teacher, teacher.ID, m.ID, m.Buttons[0][0].CallbackData)
	for _, q := range []string{q1, q2} {
		if _, err := h.tg.WaitCallbackAnswered(h.ctx(), q); err != nil {
			t.Fatal(err)
		}
	}
	a2, _ := h.tg.CallbackAnswer(q2)
	if !strings.Contains(a2.Text, "неактуальна") {
		t.Errorf("second tap answered %q, want the stale-button answer", a2.Text)
	}
	// Sync on a later reply, then count the prompts.
	h.press(teacher, "✅ Согласен(на)", "Как вас зовут")
	h.say(teacher, "Петров Пётр", "Выберите вашу организацию")
	n := 0
	for _, bm := range h.tg.BotMessages(teacher.ID) {
		// The consent's question, answered, says so in its place.
		if strings.Contains(bm.PlainText(), "согласие сохранено") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the consent's question was sent %d times, want once", n)
	}
}

func TestProfileAndSettings(t *testing.T) {
	h := newHarness(t, nil)
	h.seedOrgs(school1, crtdiu)
	h.register(teacher, "Иванова Мария", school1.Name)

	h.say(teacher, "/profile", "Профиль", "Иванова Мария", "педагог")
	h.press(teacher, "Сменить организацию", "Выберите вашу организацию")
	h.press(teacher, crtdiu.Name, "Профиль обновлён", crtdiu.Name)
	if u := h.user(teacher.ID); u.OrgID == 0 || h.orgName(u.OrgID) != crtdiu.Name {
		t.Errorf("org not changed: %+v", u)
	}
	h.press(teacher, "Изменить ФИО", "Как вас зовут")
	h.say(teacher, "Иванова-Петрова Мария", "Профиль обновлён", "Иванова-Петрова Мария")

	h.say(teacher, "/settings", "Настройки", "Русский")
	h.press(teacher, "English", "Settings", "English")
	h.say(teacher, "/help", "Commands", "/profile")
	if cmds := h.tg.Commands("chat", teacher.ID, ""); len(cmds) == 0 || cmds[0].Description == "" {
		t.Errorf("no per-chat English menu after changing the language: %+v", cmds)
	}
}

func (h *harness) orgName(id int64) string {
	o, err := h.store.Organisation(h.ctx(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return o.Name
}

func TestCancelLeavesWizard(t *testing.T) {
	h := newHarness(t, nil)
	h.seedOrgs(school1)
	h.say(teacher, "/cancel", "Отменять нечего")
	h.say(teacher, "/start", "Выберите язык")
	h.say(teacher, "/cancel", "Регистрация прервана")
	h.say(teacher, "привет", "/start")
}

func TestAnnouncementsOptOut(t *testing.T) {
	h := newHarness(t, nil)
	h.seedOrgs(school1)
	h.register(teacher, "Иванова Мария", school1.Name)
	h.say(teacher, "/settings", "Объявления: получаю")
	h.press(teacher, "🔕 Не получать объявления", "Объявления: не получаю")
	if !h.user(teacher.ID).NoAnnouncements {
		t.Fatal("the choice was not stored")
	}
	recipients, err := h.store.AudienceRecipients(h.ctx(), storage.Audience{Kind: storage.AudienceAllTeachers}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recipients {
		if r.UserID == teacher.ID {
			t.Error("a teacher who turned announcements off is still in the audience")
		}
	}
	h.press(teacher, "🔔 Получать объявления", "Объявления: получаю")
	if h.user(teacher.ID).NoAnnouncements {
		t.Fatal("turning announcements back on was not stored")
	}
}
