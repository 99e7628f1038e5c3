package bot

import (
	"strings"
	"testing"

	"vmeste/storage"
)

func inviteLink(t *testing.T, text string) string {
	t.Helper()
	i := strings.Index(text, "?start=")
	if i < 0 {
		t.Fatalf("no deep link in %q", text)
	}
	return strings.Fields(text[i+len("?start="):])[0]
}

func TestInviteUseReuseRevoke(t *testing.T) {
	h := newHarness(t, nil)
	h.seedOrgs(gibdd)
	m := h.say(admin, "/invite", "https://t.me/vmeste_test_bot?start=c")
	payload := inviteLink(t, m.PlainText())
	if len(payload) > 64 {
		t.Fatalf("payload %d characters, Telegram allows 64", len(payload))
	}

	// A newcomer opens the link: coordinator, then registers.
	h.say(teacher, "/start "+payload, "Выберите язык")
	if _, err := h.tg.WaitBotMessage(h.ctx(), teacher.ID, contains("теперь вы координатор")); err != nil {
		t.Fatal(err)
	}
	h.press(teacher, "✓ Русский", "Согласие на обработку персональных данных")
	h.press(teacher, "✅ Согласен(на)", "Как вас зовут")
	h.say(teacher, "Кодзоев Алим", "организацию")
	h.press(teacher, gibdd.Name, "должность")
	h.say(teacher, "Инспектор", "Команды")
	if u := h.user(teacher.ID); u.Role != storage.RoleCoordinator {
		t.Fatalf("role %q", u.Role)
	}
	if n := h.notices(admin.ID); len(n) != 1 || !strings.Contains(n[0], "приглашение принято") {
		t.Errorf("the admin was not told: %q", n)
	}
	if len(h.tg.Commands("chat", teacher.ID, "")) == 0 {
		t.Error("the coordinator got no menu of their own")
	}

	// Reuse by someone else is refused.
	h.say(teacher2, "/start "+payload, "уже использовано")
	if u := h.user(teacher2.ID); u.Role == storage.RoleCoordinator {
		t.Fatal("a used invitation made a second coordinator")
	}
	h.say(teacher2, "/start cNoSuchCode", "не найдено")

	// Revoke the coordinator.
	h.say(admin, "/coordinators", "Координаторы: 1", "Кодзоев Алим")
	h.press(admin, "🚫 Снять роль: Кодзоев Алим", "Кодзоев Алим — снять роль координатора?")
	h.press(admin, "Да, снять роль", "Координаторы: 0")
	if u := h.user(teacher.ID); u.Role != storage.RoleTeacher {
		t.Fatalf("role after revoke %q", u.Role)
	}

	// A pending invitation can be revoked, and then it does not work.
	m = h.say(admin, "/invite", "?start=c")
	payload = inviteLink(t, m.PlainText())
	h.say(admin, "/coordinators", "Действует 1 приглашение")
	h.press(admin, "✖ Отозвать приглашение до "+h.bot.catalog.For("ru").Date(h.mustInvite(payload[1:]).ExpiresAt.In(h.bot.cfg.Location)), "Координаторы")
	h.say(teacher2, "/start "+payload, "уже использовано или отозвано")

	// Teachers cannot invite.
	h.say(teacher, "/invite", "недоступно")
}

func (h *harness) mustInvite(code string) storage.Invite {
	h.t.Helper()
	list, err := h.store.PendingInvites(h.ctx())
	if err != nil {
		h.t.Fatal(err)
	}
	for _, inv := range list {
		if inv.Code == code {
			return inv
		}
	}
	h.t.Fatalf("invite %q not pending", code)
	return storage.Invite{}
}
