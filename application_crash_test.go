package main

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// TestApplicationSurvivesSIGKILL fills in an application in the real
// binary and kills it with SIGKILL twice: once after the pupils were
// typed (the wizard's state, committed before the bot answered, must
// survive) and once right after «Отправить заявку» was confirmed (the
// application, committed before the confirmation, must be stored). The
// teacher goes on after each restart from where she was.
func TestApplicationSurvivesSIGKILL(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	db := filepath.Join(t.TempDir(), "vmeste.db")
	s, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	org := mustOrg(ctx, t, s, appSchool)
	seedStaff(ctx, t, s, emu, org)
	teacher := seedUsers(ctx, t, s, emu, 700, 1, org)[0]
	e, err := s.CreateEvent(ctx, storage.Event{
		Title: "Добрая дорога детства", Kind: storage.EventContest, Start: time.Now().Add(10 * 24 * time.Hour),
		Place: "ЦРТДиЮ", Organisers: []int64{org}, Unit: storage.UnitTeam, MaxTeam: 5,
		Form: storage.Form{Pupils: true, Phone: storage.NeedOptional,
			Questions: []storage.Question{{ID: 1, Text: "Номинация", Kind: storage.QuestionChoice, Options: []string{"Рисунок", "Плакат"}, Required: true}},
			Works:     &storage.WorksSpec{MaxFiles: 3}},
		Status: storage.EventPublished, CreatedBy: appCoord.ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	d := &telegramtest.Driver{TB: t, Server: emu, Timeout: 30 * time.Second}

	first, _ := startBinary(t, emu, db, "30")
	d.Say(teacher, fmt.Sprintf("/start e%d", e.ID), "Добрая дорога детства")
	d.Press(teacher, "✅ Записаться", "согласие родителей")
	d.Press(teacher, "✅ Подтверждаю", "Учащиеся команды")
	d.Say(teacher, "1. Хаджиева Мадина, 3А\nТемирканов Ислам Русланович 3 а\nГетоева Алина — 4Б\nУлимбашев Азамат, 4б",
		"В команде 4 учащихся", "Название команды")
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()

	second, _ := startBinary(t, emu, db, "30")
	d.Press(teacher, "Без названия", "Телефон для связи")
	d.Say(teacher, "8 928 700-11-22", "Номинация")
	d.Press(teacher, "Рисунок", "Работы")
	v := emu.Version()
	emu.SendPhoto(teacher, []byte("рисунок"), "")
	d.Expect(teacher.ID, v, "1 из 3")
	d.Press(teacher, "✅ Готово", "Всё верно?")
	d.Press(teacher, "✅ Отправить заявку", "Вы записаны")
	if err := second.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = second.Wait()

	s, err = storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Registration(ctx, e.ID, teacher.ID)
	if err != nil {
		t.Fatalf("the confirmed application is not stored: %v", err)
	}
	app := r.Application
	if r.State != storage.RegConfirmed || r.TeamSize != 4 || app == nil || len(app.Pupils) != 4 || app.Pupils[1].Name != "Темирканов Ислам Русланович" ||
		app.Pupils[1].Class != "3А" || app.Phone != "+79287001122" || len(app.Works) != 1 || app.Answers[0].Text != "Рисунок" || app.ParentsConsentAt.IsZero() {
		t.Errorf("stored %+v with %+v", r, app)
	}
	if c, err := s.Conversation(ctx, teacher.ID); err == nil {
		t.Errorf("the wizard outlived the application: %+v", c)
	}
}
