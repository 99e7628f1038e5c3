package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// startBinary runs the built vmeste against the emulator on db.
func startBinary(t *testing.T, emu *telegramtest.Server, db string, rate string, extra ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"-db", db, "-http", "", "-rate", rate, "-admins", "500", "-backup-dir", t.TempDir()}, extra...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TELEGRAM_BOT_TOKEN=" + telegramtest.Token, "TELEGRAM_API_URL=" + emu.URL()}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, stderr
}

// syncBuffer is a buffer a process writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestBroadcastSurvivesSIGKILL starts a broadcast to 1,001 recipients in
// the real binary, kills it with SIGKILL in the middle of delivery, starts
// it again, and checks that everyone got the message exactly once, apart
// from at most the sends that were in flight at the kill (the sender's
// workers).
func TestBroadcastSurvivesSIGKILL(t *testing.T) {
	emu := telegramtest.New(telegramtest.WithRateLimits(telegramtest.Limits{Global: 250, PerChat: 1, PerChatBurst: 3}))
	defer emu.Close()
	db := filepath.Join(t.TempDir(), "vmeste.db")
	s, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	org := mustOrg(ctx, t, s, appSchool)
	seedStaff(ctx, t, s, emu, org)
	teachers := seedUsers(ctx, t, s, emu, 100000, 1000, org)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	recipients := append([]int64{appAdmin.ID}, ids(teachers)...)

	first, stderr := startBinary(t, emu, db, "200")
	d := &telegramtest.Driver{TB: t, Server: emu, Timeout: 30 * time.Second}
	d.Say(appCoord, "/broadcast", "Кому отправить")
	d.Press(appCoord, "👩‍🏫 Всем педагогам", "Теперь отправьте")
	d.Say(appCoord, "Завтра методическое объединение в 10:00", "Получит 1001 адресат")
	d.Press(appCoord, "📨 Отправить", "Рассылка №1 идёт")

	// Kill it once about a third has gone out.
	// A text goes out anew, signed: by sendMessage.
	if !waitFor(t, 30*time.Second, func() bool { return emu.Calls("copyMessage")+emu.Calls("sendMessage") >= 300 }) {
		t.Fatalf("delivery did not start; stderr:\n%s", stderr)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	before := 0
	for _, id := range recipients {
		before += copies(emu, id)
	}
	if before >= len(recipients) {
		t.Fatalf("everything was delivered before the kill (%d): the test proves nothing", before)
	}
	t.Logf("delivered before SIGKILL: %d of %d", before, len(recipients))

	v := emu.Version()
	second, stderr2 := startBinary(t, emu, db, "200")
	report := d.Expect(appCoord.ID, v, "Отчёт о рассылке №1")
	twice := 0
	for _, id := range recipients {
		switch n := copies(emu, id); {
		case n == 0:
			t.Errorf("recipient %d got nothing", id)
		case n > 1:
			twice += n - 1
		}
	}
	const workers = 8 // scheduler.SenderConfig's default: the most sends in flight
	t.Logf("sent twice after the kill: %d (at most %d were in flight); report: %s", twice, workers, report.PlainText())
	if twice > workers {
		t.Errorf("%d recipients got the message twice; at most %d sends were in flight", twice, workers)
	}
	if n := emu.RateViolations(); n != 0 {
		t.Errorf("the bot broke Telegram's limits %d times", n)
	}
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("second run did not stop cleanly: %v\n%s", err, stderr2)
	}
}

func ids(users []telegramtest.User) []int64 {
	out := make([]int64, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}
