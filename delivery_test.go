package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"vmeste/storage"
	"vmeste/telegramtest"
)

var (
	appSchool = storage.Organisation{Name: "МКОУ «СОШ №2» г.п. Тырныауз", ShortName: "СОШ №2", Kind: storage.KindSchool}
	appGIBDD  = storage.Organisation{Name: "ОГИБДД МО МВД России «Эльбрусский»", ShortName: "ГИБДД", Kind: storage.KindTrafficPolice}
	staffRoom = telegramtest.Chat{ID: -100200, Type: telegramtest.ChatSupergroup, Title: "Учительская СОШ №2"}
)

// TestBroadcastWithinLimitsAndFaults sends an announcement to a school's
// teachers and its linked group while the emulator enforces Telegram's
// limits and answers some sends with 429, 403 and 500: nothing is lost,
// nothing is sent twice, no limit is broken, the report names who did not
// get it and why, and the blocked teacher is left out next time.
func TestBroadcastWithinLimitsAndFaults(t *testing.T) {
	emu := telegramtest.New(telegramtest.WithRateLimits(telegramtest.Limits{Global: 30, PerChat: 1, PerChatBurst: 3, PerGroupPerMinute: 20}))
	defer emu.Close()
	var school, police []telegramtest.User
	var optOut telegramtest.User
	a := newApp(t, emu, 25, func(ctx context.Context, s *storage.Store) {
		schoolID := mustOrg(ctx, t, s, appSchool)
		gibddID := mustOrg(ctx, t, s, appGIBDD)
		seedStaff(ctx, t, s, emu, gibddID)
		school = seedUsers(ctx, t, s, emu, 10000, 40, schoolID)
		police = seedUsers(ctx, t, s, emu, 20000, 5, gibddID)
		optOut = seedUsers(ctx, t, s, emu, 30000, 1, schoolID)[0]
		u, _ := s.User(ctx, optOut.ID)
		u.NoAnnouncements = true
		if err := s.PutUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		emu.AddChat(staffRoom)
		if err := s.PutGroup(ctx, storage.Group{ChatID: staffRoom.ID, Title: staffRoom.Title, OrgID: schoolID, Active: true}); err != nil {
			t.Fatal(err)
		}
	})
	limited, blocked, flaky := school[0], school[1], school[2]
	// A text broadcast goes out anew, signed: by sendMessage.
	emu.FailNext("sendMessage", limited.ID, telegramtest.TooManyRequests(1), 1)
	emu.FailNext("sendMessage", blocked.ID, telegramtest.Blocked(), 1)
	emu.FailNext("sendMessage", flaky.ID, telegramtest.ServerError(), 2)

	d := a.d
	d.Say(appCoord, "/broadcast", "Кому отправить")
	d.Press(appCoord, "🏫 Организациям выбранных видов", "Отметьте виды")
	d.Press(appCoord, "Школы", "Отметьте виды")
	d.Press(appCoord, "Готово (выбрано: 1)", "Теперь отправьте")
	d.Say(appCoord, "Педсовет переносится на <пятницу> & 15:00", "Получит 41 адресат") // 40 teachers + the group
	v := emu.Version()
	d.Press(appCoord, "📨 Отправить", "Рассылка №1 идёт")
	report := d.Expect(appCoord.ID, v, "Отчёт о рассылке №1", "доставлено 40 из 41")
	if !strings.Contains(report.PlainText(), "Педагог Номер-10001 — заблокировал(а) бота") {
		t.Errorf("the report does not name the blocked teacher:\n%s", report.PlainText())
	}
	d.Expect(appCoord.ID, v, "✅ Рассылка №1 завершена: доставлено 40 из 41, не доставлено 1")

	for _, u := range school {
		want := 1
		if u.ID == blocked.ID {
			want = 0
		}
		if got := copies(emu, u.ID); got != want {
			t.Errorf("teacher %d got %d copies, want %d", u.ID, got, want)
		}
	}
	for _, u := range append(police, optOut) {
		if got := copies(emu, u.ID); got != 0 {
			t.Errorf("teacher %d outside the audience got %d copies", u.ID, got)
		}
	}
	if got := copies(emu, staffRoom.ID); got != 1 {
		t.Errorf("the linked group got %d copies, want 1", got)
	}
	m := emu.BotMessages(school[5].ID)
	if len(m) != 1 || m[0].PlainText() != "Педсовет переносится на <пятницу> & 15:00\n\n— Координатор Района, ГИБДД" {
		t.Errorf("the copy differs from the original: %+v", m)
	}
	if n := emu.RateViolations(); n != 0 {
		t.Errorf("the bot broke Telegram's limits %d times", n)
	}
	if n := emu.Injected429(); n != 1 {
		t.Errorf("injected 429s answered: %d, want 1", n)
	}

	// The blocked teacher is left out of the next broadcast.
	d.Say(appCoord, "/broadcast", "Кому отправить")
	d.Press(appCoord, "👩‍🏫 Всем педагогам", "Теперь отправьте")
	d.Say(appCoord, "Второе объявление", "Получат 45 адресатов") // 45 teachers + the admin, less the blocked one
	v = emu.Version()
	d.Press(appCoord, "📨 Отправить", "Рассылка №2 идёт")
	d.Expect(appCoord.ID, v, "Объявление получили все адресаты")
	if got := copies(emu, blocked.ID); got != 0 {
		t.Errorf("the blocked teacher got %d copies", got)
	}
	// Writing to the bot again brings them back.
	d.Say(blocked, "/help", "Команды")
	d.Say(appCoord, "/broadcast", "Кому отправить")
	d.Press(appCoord, "👩‍🏫 Всем педагогам", "Теперь отправьте")
	d.Say(appCoord, "Третье объявление", "Получат 46 адресатов")
	if n := emu.RateViolations(); n != 0 {
		t.Errorf("the bot broke Telegram's limits %d times", n)
	}
}

// TestGroupLinkAndRemoval: the bot added to a group greets it; a teacher
// cannot link it; a coordinator links it to an organisation; removed, the
// group is marked inactive.
func TestGroupLinkAndRemoval(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	var teacher telegramtest.User
	var dbPath string
	a := newApp(t, emu, 30, func(ctx context.Context, s *storage.Store) {
		id := mustOrg(ctx, t, s, appSchool)
		seedStaff(ctx, t, s, emu, id)
		teacher = seedUsers(ctx, t, s, emu, 10000, 1, id)[0]
	})
	dbPath = a.cfg.DB
	v := emu.Version()
	emu.AddBotToGroup(staffRoom, appCoord)
	a.d.Expect(staffRoom.ID, v, "отправьте здесь /link")

	v = emu.Version()
	emu.SendGroupText(staffRoom, teacher, "/link")
	a.d.Expect(staffRoom.ID, v, "недоступно")

	v = emu.Version()
	emu.SendGroupText(staffRoom, appCoord, "/link")
	a.d.Expect(staffRoom.ID, v, "К какой организации")
	a.d.PressIn(appCoord, staffRoom.ID, appSchool.Name, "Чат привязан к организации")

	v = emu.Version()
	emu.SendGroupText(staffRoom, teacher, "/link")
	a.d.Expect(staffRoom.ID, v, "недоступно")

	emu.RemoveBotFromGroup(staffRoom, appCoord)
	a.d.Say(appCoord, "/help", "Команды") // the membership update was handled before this one? Not guaranteed: check after stop
	a.stop()
	s, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g, err := s.Group(context.Background(), staffRoom.ID)
	if err != nil {
		t.Fatal(err)
	}
	if g.Active || g.OrgID == 0 || g.Title != staffRoom.Title {
		t.Errorf("group after removal: %+v", g)
	}
}

// TestStopBroadcast: a running broadcast is stopped from /broadcasts; the
// rest is not sent and the report says so.
func TestStopBroadcast(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	var teachers []telegramtest.User
	a := newApp(t, emu, 5, func(ctx context.Context, s *storage.Store) {
		id := mustOrg(ctx, t, s, appSchool)
		seedStaff(ctx, t, s, emu, id)
		teachers = seedUsers(ctx, t, s, emu, 10000, 100, id)
	})
	d := a.d
	d.Say(appCoord, "/broadcast", "Кому отправить")
	d.Press(appCoord, "👩‍🏫 Всем педагогам", "Теперь отправьте")
	d.Say(appCoord, "Объявление", "Получит 101 адресат")
	d.Press(appCoord, "📨 Отправить", "Рассылка №1 идёт")
	d.Expect(teachers[2].ID, 0) // the third teacher has it: delivery is under way
	d.Say(appCoord, "/broadcasts", "Последние рассылки", "№1", "идёт")
	v := emu.Version()
	d.Press(appCoord, "⏹ Остановить №1", "остановлена")
	d.Expect(appCoord.ID, v, "Отчёт о рассылке №1", "рассылка остановлена")
	sent := 0
	for _, u := range teachers {
		sent += copies(emu, u.ID)
	}
	if sent == 0 || sent >= 100 {
		t.Errorf("%d copies sent before the stop; want some, not all", sent)
	}
	// Nothing more goes out after the stop.
	d.Say(appCoord, "/broadcasts", "остановлена")
	after := 0
	for _, u := range teachers {
		after += copies(emu, u.ID)
	}
	if after > sent+8 { // at most the sends in flight at the stop
		t.Errorf("%d copies after the stop, %d before", after, sent)
	}
}

// TestPromotionNoticeIsDelivered: a cancellation promotes the first on the
// waitlist, and the outbox delivers the notice with the card's button.
func TestPromotionNoticeIsDelivered(t *testing.T) {
	emu := telegramtest.New(telegramtest.WithRateLimits(telegramtest.Limits{Global: 30, PerChat: 1, PerChatBurst: 3}))
	defer emu.Close()
	var users []telegramtest.User
	a := newApp(t, emu, 25, func(ctx context.Context, s *storage.Store) {
		org := mustOrg(ctx, t, s, appSchool)
		seedStaff(ctx, t, s, emu, org)
		users = seedUsers(ctx, t, s, emu, 10000, 2, org)
		e, err := s.CreateEvent(ctx, storage.Event{Title: "Солдаты Победы", Kind: storage.EventContest, Start: time.Now().Add(72 * time.Hour),
			Place: "ДК «Эльбрус»", Organisers: []int64{org}, Unit: storage.UnitIndividual, Capacity: 1, Status: storage.EventPublished})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if _, err := s.Register(ctx, storage.SignUp{EventID: e.ID, UserID: u.ID}, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	})
	first, second := users[0], users[1]
	a.d.Say(first, "/my", "Солдаты Победы")
	a.d.Press(first, "❌ Отменить", "Отменить запись")
	v := emu.Version()
	a.d.Press(first, "Да, отменить запись", "отменена")
	a.d.Expect(second.ID, v, "Освободилось место", "Солдаты Победы")
	a.d.Press(second, "Открыть мероприятие", "Вы записаны")
	if n := emu.RateViolations(); n != 0 {
		t.Errorf("the bot broke Telegram's limits %d times", n)
	}
}
