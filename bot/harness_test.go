package bot

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegram"
	"vmeste/telegramtest"
)

// Users of the end-to-end tests. The admin is named in the configuration.
var (
	admin    = telegramtest.User{ID: 1000, FirstName: "Админ", LanguageCode: "ru"}
	teacher  = telegramtest.User{ID: 2001, FirstName: "Мария", LanguageCode: "ru"}
	teacher2 = telegramtest.User{ID: 2002, FirstName: "Ахмат", LanguageCode: "ru"}
	englishT = telegramtest.User{ID: 2003, FirstName: "Anna", LanguageCode: "en-GB"}
)

// waitTimeout bounds every wait for the bot in these tests.
const waitTimeout = 10 * time.Second

// harness runs the bot against the emulator on a real bbolt file.
type harness struct {
	t      testing.TB
	tg     *telegramtest.Server
	dbPath string
	store  *storage.Store
	bot    *Bot
	logs   *lockedBuffer
	// setup, if set, runs on each new Bot before it starts (tests use it
	// to add routes).
	setup func(*Bot)
	stop  func()
	// logTo receives the bot's log; nil means logs.
	logTo io.Writer
	clock *testClock
	// configure, if set, changes each new Bot's Config (webhook mode).
	configure func(*Config)
}

// testClock is an injected clock: real time, shifted by an offset the test
// sets, so that deadlines and starts can be passed without waiting.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// advance moves the clock forward by d.
func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// lockedBuffer collects the bot's log for assertions.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newHarness(t testing.TB, setup func(*Bot)) *harness {
	t.Helper()
	return newHarnessLogging(t, setup, nil)
}

// newHarnessLogging is newHarness with the log sent to logTo.
func newHarnessLogging(t testing.TB, setup func(*Bot), logTo io.Writer) *harness {
	t.Helper()
	return newHarnessConfigured(t, setup, logTo, nil)
}

// newHarnessConfigured is newHarnessLogging with each Bot's Config
// changed by configure.
func newHarnessConfigured(t testing.TB, setup func(*Bot), logTo io.Writer, configure func(*Config)) *harness {
	t.Helper()
	h := &harness{
		configure: configure,
		clock:     &testClock{},
		logTo:     logTo,
		t:         t,
		tg:        telegramtest.New(),
		dbPath:    filepath.Join(t.TempDir(), "vmeste.db"),
		logs:      &lockedBuffer{},
		setup:     setup,
	}
	h.start()
	t.Cleanup(func() {
		h.stop()
		h.tg.Close()
	})
	return h
}

// start opens the database and starts the bot.
func (h *harness) start() {
	h.t.Helper()
	store, err := storage.Open(h.dbPath, storage.Options{Now: h.clock.Now, Location: moscowZone})
	if err != nil {
		h.t.Fatalf("open store: %v", err)
	}
	catalog, err := locales.New()
	if err != nil {
		h.t.Fatal(err)
	}
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		h.t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(h.logWriter(), nil))
	// The emulator here keeps no flood limits; the delivery tests of
	// package main check the pacing against limits.
	gw, err := telegram.New(telegram.Config{Token: telegramtest.Token, APIURL: h.tg.URL(), Rate: 1000,
		ChatBurst: 1000, GroupPerMinute: 1000, Logger: logger})
	if err != nil {
		h.t.Fatal(err)
	}
	cfg := Config{
		Token:       telegramtest.Token,
		APIURL:      h.tg.URL(),
		Admins:      []int64{admin.ID},
		Location:    moscow,
		PollTimeout: 5 * time.Second,
		Now:         h.clock.Now,
		Logger:      logger,
		Gateway:     gw,
	}
	if h.configure != nil {
		h.configure(&cfg)
	}
	b, err := New(context.Background(), cfg, store, catalog)
	if err != nil {
		h.t.Fatalf("bot.New: %v", err)
	}
	if h.setup != nil {
		h.setup(b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := b.Run(ctx); err != nil {
			h.t.Errorf("Run: %v", err)
		}
	}()
	h.store, h.bot = store, b
	h.stop = func() {
		cancel()
		<-done
		if err := store.Close(); err != nil {
			h.t.Errorf("close store: %v", err)
		}
	}
}

func (h *harness) logWriter() io.Writer {
	if h.logTo != nil {
		return h.logTo
	}
	return h.logs
}

// restart stops the bot and closes the database, then starts both again.
func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.start()
}

func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	h.t.Cleanup(cancel)
	return ctx
}

// contains matches a bot message whose plain text contains every part.
var contains = telegramtest.Contains

// say sends text as u and waits for a bot message (sent or edited after it)
// that contains every part of want.
func (h *harness) say(u telegramtest.User, text string, want ...string) telegramtest.Message {
	h.t.Helper()
	return h.driver().Say(u, text, want...)
}

// press presses the button labelled label on the newest bot message that
// has it, waits for the callback to be answered, and then for a bot
// message containing want (if any).
func (h *harness) press(u telegramtest.User, label string, want ...string) (telegramtest.CallbackAnswer, telegramtest.Message) {
	h.t.Helper()
	return h.driver().Press(u, label, want...)
}

func (h *harness) driver() *telegramtest.Driver {
	return &telegramtest.Driver{TB: h.t, Server: h.tg, Timeout: waitTimeout}
}

// seedOrgs stores organisations directly and returns their ids.
func (h *harness) seedOrgs(orgs ...storage.Organisation) []int64 {
	h.t.Helper()
	var ids []int64
	for _, o := range orgs {
		id, err := h.store.CreateOrganisation(context.Background(), o)
		if err != nil {
			h.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

var (
	school1 = storage.Organisation{Name: "МКОУ «СОШ №1» г.п. Тырныауз", ShortName: "СОШ №1", Kind: storage.KindSchool}
	gibdd   = storage.Organisation{Name: "ОГИБДД МО МВД России «Эльбрусский»", ShortName: "ГИБДД", Kind: storage.KindTrafficPolice}
	crtdiu  = storage.Organisation{Name: "МБУ ДО «ЦРТДиЮ» им. Моккаева", ShortName: "ЦРТДиЮ", Kind: storage.KindAdditional}
)

// register runs a Russian-speaking user through onboarding.
func (h *harness) register(u telegramtest.User, fullName, orgButton string) {
	h.t.Helper()
	h.say(u, "/start", "Выберите язык")
	h.press(u, "✓ Русский", "Согласие на обработку персональных данных")
	h.press(u, "✅ Согласен(на)", "Как вас зовут")
	h.say(u, fullName, "Выберите вашу организацию")
	h.press(u, orgButton, "Ваша должность")
	h.press(u, "Классный руководитель", "Команды")
}

// user reads a stored user.
func (h *harness) user(id int64) storage.User {
	h.t.Helper()
	u, err := h.store.User(context.Background(), id)
	if err != nil {
		h.t.Fatalf("user %d: %v", id, err)
	}
	return u
}

// moscowZone is the district's zone in these tests.
var moscowZone = func() *time.Location {
	l, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return l
}()
