package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// countReminders counts the reminders in a chat.
func countReminders(emu *telegramtest.Server, chat int64) int {
	n := 0
	for _, m := range emu.BotMessages(chat) {
		if strings.Contains(m.PlainText(), "Напоминание") {
			n++
		}
	}
	return n
}

// TestRemindersAcrossDowntime runs the built binary, stops it before the
// due time of several reminders, starts it again after they fell due, and
// checks that each was sent once (and that the reminder of an event that
// had started meanwhile was skipped); a third start sends nothing more.
// (A SIGKILL in the middle of sends may re-send what was in flight: that
// is TestBroadcastSurvivesSIGKILL's subject.)
func TestRemindersAcrossDowntime(t *testing.T) {
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
	teachers := seedUsers(ctx, t, s, emu, 10000, 3, org)
	now := time.Now()
	lastDue := now
	event := func(title string, start time.Time, due time.Time) {
		e, err := s.CreateEvent(ctx, storage.Event{Title: title, Kind: storage.EventSeminar, Start: start, Place: "ЦРТДиЮ",
			Organisers: []int64{org}, Unit: storage.UnitIndividual, Status: storage.EventPublished,
			Reminders: []time.Duration{start.Sub(due)}})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range teachers {
			if _, err := s.Register(ctx, storage.SignUp{EventID: e.ID, UserID: u.ID}, now); err != nil {
				t.Fatal(err)
			}
		}
		if due.After(lastDue) {
			lastDue = due
		}
	}
	event("Семинар 1", now.Add(2*time.Hour), now.Add(4*time.Second))
	event("Семинар 2", now.Add(3*time.Hour), now.Add(5*time.Second))
	event("Семинар 3", now.Add(4*time.Hour), now.Add(6*time.Second))
	event("Уже начался", now.Add(6*time.Second), now.Add(5*time.Second)) // starts while the bot is down
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	first, _ := startBinary(t, emu, db, "25", "-tick", "1s")
	d := &telegramtest.Driver{TB: t, Server: emu, Timeout: 30 * time.Second}
	d.Say(teachers[0], "/help", "Команды") // it runs
	if err := first.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("first run: %v", err)
	}
	for _, u := range teachers {
		if n := countReminders(emu, u.ID); n != 0 {
			t.Fatalf("a reminder was sent before its due time: %d", n)
		}
	}
	if time.Now().After(now.Add(4 * time.Second)) {
		t.Fatal("the first run outlived the first due time: the test proves nothing")
	}
	// The bot is down while the reminders fall due: this waits for the
	// wall clock, which the binary runs on.
	<-time.After(time.Until(lastDue.Add(1500 * time.Millisecond)))

	second, stderr := startBinary(t, emu, db, "25", "-tick", "1s")
	for _, u := range teachers {
		for _, title := range []string{"Семинар 1", "Семинар 2", "Семинар 3"} {
			if _, err := emu.WaitBotMessage(waitCtx(t), u.ID, telegramtest.Contains("Напоминание", title)); err != nil {
				t.Fatalf("teacher %d: %v\n%s", u.ID, err, stderr)
			}
		}
	}
	if !waitFor(t, 10*time.Second, func() bool { return strings.Contains(stderr.String(), "skipped, no longer applies") }) {
		t.Errorf("the reminder of the started event was not logged as skipped:\n%s", stderr)
	}
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Fatalf("second run: %v", err)
	}

	third, stderr3 := startBinary(t, emu, db, "25", "-tick", "1s")
	if !waitFor(t, 10*time.Second, func() bool { return strings.Contains(stderr3.String(), "scheduler: started") }) {
		t.Fatalf("the third run did not start its scheduler:\n%s", stderr3)
	}
	d.Say(teachers[0], "/help", "Команды")
	if err := third.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := third.Wait(); err != nil {
		t.Fatalf("third run: %v", err)
	}
	for _, u := range teachers {
		if n := countReminders(emu, u.ID); n != 3 {
			var texts []string
			for _, m := range emu.BotMessages(u.ID) {
				texts = append(texts, m.PlainText())
			}
			t.Errorf("teacher %d got %d reminders, want 3 (one per event not started): %q", u.ID, n, texts)
		}
	}
	// The database agrees: three reminder entries per teacher, all sent.
	bdb, err := bolt.Open(db, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	reminders := 0
	_ = bdb.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("outbox")).ForEach(func(_, v []byte) error {
			if bytes.Contains(v, []byte(`"kind":"reminder"`)) {
				reminders++
			}
			return nil
		})
	})
	if reminders != 3*len(teachers) {
		t.Errorf("%d reminder entries in the outbox, want %d", reminders, 3*len(teachers))
	}
}

// waitCtx bounds a wait in these tests.
func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
