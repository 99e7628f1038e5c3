package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"vmeste/bot"
	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// app runs the whole program (serve) in this process against the emulator,
// on a real bbolt file, for end-to-end tests of what crosses packages.
type app struct {
	t    testing.TB
	emu  *telegramtest.Server
	cfg  config
	stop func()
	d    *telegramtest.Driver
	// logs is what the app logged.
	logs *syncBuffer
}

// People of the delivery tests.
var (
	appAdmin = telegramtest.User{ID: 500, FirstName: "Админ", LanguageCode: "ru"}
	appCoord = telegramtest.User{ID: 501, FirstName: "Координатор", LanguageCode: "ru"}
)

// newApp seeds a fresh database with seed, then starts serve; extra are
// more command-line settings.
func newApp(t testing.TB, emu *telegramtest.Server, rate int, seed func(ctx context.Context, s *storage.Store), extra ...string) *app {
	t.Helper()
	// The configuration as a real start reads it, with its defaults.
	args := append([]string{"-token", telegramtest.Token, "-api-url", emu.URL(), "-http", "",
		"-db", filepath.Join(t.TempDir(), "vmeste.db"), "-admins", fmt.Sprint(appAdmin.ID),
		"-rate", fmt.Sprint(rate), "-backup-dir", t.TempDir()}, extra...)
	cfg, err := parseConfig(args, func(string) (string, bool) { return "", false }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{t: t, emu: emu, cfg: cfg, d: &telegramtest.Driver{TB: t, Server: emu, Timeout: 30 * time.Second}, logs: &syncBuffer{}}
	if seed != nil {
		// Setup without an fsync per write; the app opens the file again
		// with fsync on.
		s, err := storage.Open(a.cfg.DB, storage.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		seed(context.Background(), s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	a.start()
	t.Cleanup(a.stop)
	return a
}

func (a *app) start() {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(io.MultiWriter(testLog(), a.logs), nil))
	go func() { done <- serve(ctx, a.cfg, logger, func(*bot.Bot) { close(ready) }) }()
	select {
	case <-ready:
	case err := <-done:
		a.t.Fatalf("serve: %v", err)
	}
	stopped := false
	a.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			a.t.Errorf("serve: %v", err)
		}
	}
}

// seedUsers stores n registered teachers of org with ids from first, and
// makes their chats known to the emulator.
func seedUsers(ctx context.Context, t testing.TB, s *storage.Store, emu *telegramtest.Server, first int64, n int, org int64) []telegramtest.User {
	t.Helper()
	var users []telegramtest.User
	for i := 0; i < n; i++ {
		id := first + int64(i)
		u := storage.User{ID: id, ChatID: id, FullName: fmt.Sprintf("Педагог Номер-%d", id), OrgID: org,
			Position: "Учитель", Role: storage.RoleTeacher, Lang: "ru", Registered: true, Active: true, Consents: agreed(t)}
		if err := s.PutUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		emu.AddChat(telegramtest.Chat{ID: id, Type: telegramtest.ChatPrivate})
		users = append(users, telegramtest.User{ID: id, FirstName: "Педагог", LanguageCode: "ru"})
	}
	return users
}

// agreed is a seeded user's consent to the text the bot asks for when
// VMESTE_OPERATOR is not set.
func agreed(t testing.TB) []storage.Consent {
	t.Helper()
	version, err := defaultConsentVersion()
	if err != nil {
		t.Fatal(err)
	}
	return []storage.Consent{{Version: version, Given: true, At: time.Now()}}
}

// defaultConsentVersion is the consent text's version, worked out once: the
// load tests seed 10,000 users, and reading the catalogs for each took
// minutes.
var defaultConsentVersion = sync.OnceValues(func() (string, error) {
	catalog, err := locales.New()
	if err != nil {
		return "", err
	}
	return bot.ConsentVersion(catalog, bot.DefaultOperator), nil
})

// seedStaff stores the admin and a coordinator (registered) in org.
func seedStaff(ctx context.Context, t testing.TB, s *storage.Store, emu *telegramtest.Server, org int64) {
	t.Helper()
	for _, u := range []storage.User{
		{ID: appAdmin.ID, ChatID: appAdmin.ID, FullName: "Админ Отдела", OrgID: org, Position: "Методист", Role: storage.RoleTeacher},
		{ID: appCoord.ID, ChatID: appCoord.ID, FullName: "Координатор Района", OrgID: org, Position: "Методист", Role: storage.RoleCoordinator},
	} {
		u.Lang, u.Registered, u.Active, u.Consents = "ru", true, true, agreed(t)
		if err := s.PutUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		emu.AddChat(telegramtest.Chat{ID: u.ID, Type: telegramtest.ChatPrivate})
	}
}

// copies counts the broadcast deliveries in a chat.
func copies(emu *telegramtest.Server, chatID int64) int {
	n := 0
	for _, m := range emu.BotMessages(chatID) {
		if isBroadcastCopy(m) {
			n++
		}
	}
	return n
}

// isBroadcastCopy reports whether m is a broadcast's delivery: a copy of
// the coordinator's message, or a text sent anew with its signature.
func isBroadcastCopy(m telegramtest.Message) bool {
	return m.CopiedFrom != nil || strings.Contains(m.Text, "\n\n— ")
}

func mustOrg(ctx context.Context, t testing.TB, s *storage.Store, o storage.Organisation) int64 {
	t.Helper()
	id, err := s.CreateOrganisation(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// testLog is where the app's log goes: nowhere, unless VMESTE_TEST_LOG=1.
func testLog() io.Writer {
	if os.Getenv("VMESTE_TEST_LOG") == "1" {
		return os.Stderr
	}
	return io.Discard
}
