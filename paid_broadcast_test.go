package main

import (
	"context"
	"strings"
	"testing"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// TestPaidBroadcast sends an announcement to a school's teachers through
// the emulator, which keeps Telegram's limits (30 a second, 1,000 for paid
// broadcasts, the per-chat ones): with -paid-broadcast every copy carries
// allow_paid_broadcast and the bot's replies in the dialogue do not;
// without it nothing does. Either way every teacher gets one copy and no
// limit is broken.
func TestPaidBroadcast(t *testing.T) {
	for _, c := range []struct {
		name  string
		extra []string
		paid  bool
	}{{"off", nil, false}, {"on", []string{"-paid-broadcast", "500"}, true}} {
		t.Run(c.name, func(t *testing.T) {
			emu := telegramtest.New(telegramtest.WithRateLimits(telegramtest.Limits{Global: 30, PaidGlobal: 1000, PerChat: 1, PerChatBurst: 3, PerGroupPerMinute: 20}))
			defer emu.Close()
			var school []telegramtest.User
			a := newApp(t, emu, 25, func(ctx context.Context, s *storage.Store) {
				schoolID := mustOrg(ctx, t, s, appSchool)
				seedStaff(ctx, t, s, emu, schoolID)
				school = seedUsers(ctx, t, s, emu, 10000, 40, schoolID)
			}, c.extra...)
			d := a.d
			d.Say(appCoord, "/broadcast", "Кому отправить")
			d.Press(appCoord, "🏫 Организациям выбранных видов", "Отметьте виды")
			d.Press(appCoord, "Школы", "Отметьте виды")
			d.Press(appCoord, "Готово (выбрано: 1)", "Теперь отправьте")
			d.Say(appCoord, "Педсовет переносится на пятницу", "Получит 41 адресат") // 40 teachers and the coordinator
			v := emu.Version()
			d.Press(appCoord, "📨 Отправить", "Рассылка №1 идёт")
			d.Expect(appCoord.ID, v, "Отчёт о рассылке №1", "доставлено 41 из 41")
			// The coordinator is a recipient too: her chat is busy, and her
			// own reply («идёт: доставлено 0») must not land over the
			// reporter's final edit.
			d.Expect(appCoord.ID, v, "Рассылка №1 завершена", "доставлено 41 из 41")
			reports := 0
			for _, m := range emu.BotMessages(appCoord.ID) {
				if strings.Contains(m.PlainText(), "идёт") {
					t.Errorf("a status still reads %q after the report", m.PlainText())
				}
				// The reporter's own messages go to one chat: never paid.
				if text := m.PlainText(); strings.Contains(text, "Отчёт о рассылке") || strings.Contains(text, "Рассылка №1") {
					reports++
					if m.PaidBroadcast {
						t.Errorf("the reporter's message carries allow_paid_broadcast: %q", text)
					}
				}
			}
			if reports == 0 {
				t.Error("found neither the report nor the status in the coordinator's chat")
			}

			for _, u := range school {
				msgs := emu.BotMessages(u.ID)
				if len(msgs) != 1 || !isBroadcastCopy(msgs[0]) {
					t.Fatalf("teacher %d got %d messages, want the one copy", u.ID, len(msgs))
				}
				if msgs[0].PaidBroadcast != c.paid {
					t.Errorf("teacher %d's copy: allow_paid_broadcast %v, want %v", u.ID, msgs[0].PaidBroadcast, c.paid)
				}
			}
			replies := 0
			for _, m := range emu.BotMessages(appCoord.ID) {
				text := m.PlainText()
				if strings.Contains(text, "Кому отправить") || strings.Contains(text, "Теперь отправьте") || strings.Contains(text, "Получит 41 адресат") {
					replies++
					if m.PaidBroadcast {
						t.Errorf("a reply in the dialogue carries allow_paid_broadcast: %q", text)
					}
				}
			}
			if replies == 0 {
				t.Error("found none of the dialogue's replies in the coordinator's chat")
			}
			if n := emu.RateViolations(); n != 0 {
				t.Errorf("%d sends broke the emulator's limits", n)
			}
		})
	}
}
