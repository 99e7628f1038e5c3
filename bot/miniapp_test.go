package bot

import (
	"testing"

	"vmeste/storage"
	"vmeste/telegramtest"
)

const testAppURL = "https://vmeste.example.ru/app/"

// TestMiniAppMenuButtonFollowsTheRole: with the Mini App served, a
// coordinator gets it as their menu button when the role is granted, and
// /help offers it; when the role is revoked the button goes back to the
// default and /help offers it no more. A teacher never gets it.
func TestMiniAppMenuButtonFollowsTheRole(t *testing.T) {
	h := newHarness(t, func(b *Bot) { b.cfg.AppURL = testAppURL })
	h.seedOrgs(gibdd)
	m := h.say(admin, "/invite", "https://t.me/vmeste_test_bot?start=c")
	payload := inviteLink(t, m.PlainText())
	h.say(teacher, "/start "+payload, "Выберите язык")
	h.press(teacher, "✓ Русский", "Согласие на обработку персональных данных")
	h.press(teacher, "✅ Согласен(на)", "Как вас зовут")
	h.say(teacher, "Кодзоев Алим", "организацию")
	h.press(teacher, gibdd.Name, "должность")
	h.say(teacher, "Инспектор", "Команды")
	if u := h.user(teacher.ID); u.Role != storage.RoleCoordinator {
		t.Fatalf("role %q", u.Role)
	}
	if mb, ok := h.tg.MenuButton(teacher.ID); !ok || mb.Type != "web_app" || mb.URL != testAppURL || mb.Text != "Панель" {
		t.Errorf("the coordinator's menu button: %+v %v", mb, ok)
	}
	if help := h.say(teacher, "/help", "/newevent"); !webAppButton(help.Buttons, testAppURL) {
		t.Errorf("/help offers no panel: %+v", help.Buttons)
	}

	h.say(admin, "/coordinators", "Кодзоев Алим")
	h.press(admin, "🚫 Снять роль: Кодзоев Алим", "снять роль координатора?")
	h.press(admin, "Да, снять роль", "Координаторы: 0")
	if mb, ok := h.tg.MenuButton(teacher.ID); !ok || mb.Type != "default" {
		t.Errorf("the revoked coordinator's menu button: %+v %v", mb, ok)
	}
	if help := h.say(teacher, "/help", "/events"); webAppButton(help.Buttons, "") {
		t.Errorf("a teacher's /help offers the panel: %+v", help.Buttons)
	}
	if _, ok := h.tg.MenuButton(teacher2.ID); ok {
		t.Error("a teacher got a menu button")
	}
}

// webAppButton reports whether rows hold a web_app button (to url, unless
// url is "").
func webAppButton(rows [][]telegramtest.Button, url string) bool {
	for _, row := range rows {
		for _, b := range row {
			if b.WebApp != "" && (url == "" || b.WebApp == url) {
				return true
			}
		}
	}
	return false
}
