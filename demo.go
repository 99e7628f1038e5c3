package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"vmeste/bot"
	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegramtest"
	"vmeste/webapp"
)

// The demo's people: the admin and a coordinator are set up; the teacher is
// new and starts with /start.
var (
	demoAdmin       = telegramtest.User{ID: 1000, FirstName: "Администратор", LanguageCode: "ru"}
	demoCoordinator = telegramtest.User{ID: 1001, FirstName: "Координатор", LanguageCode: "ru"}
	demoTeacher     = telegramtest.User{ID: 1002, FirstName: "Педагог", LanguageCode: "ru"}
)

// runDemo starts the bot on a fresh database in a temporary folder against
// the emulator in this process, and lets a person chat with it through
// stdin and stdout (a terminal or a pipe).
func runDemo(ctx context.Context, cfg config, stdin io.Reader, stdout io.Writer) error {
	dir, err := os.MkdirTemp("", "vmeste-demo")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	logFile, err := os.Create(filepath.Join(dir, "vmeste.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	logger := slog.New(slog.NewTextHandler(logFile, nil))

	emu := telegramtest.New()
	defer emu.Close()

	cfg.DB = filepath.Join(dir, "vmeste.db")
	cfg.Token, cfg.APIURL, cfg.HTTP = telegramtest.Token, emu.URL(), ""
	// The coordinators' Mini App on a port of this computer only: /panel
	// prints a link signed for whoever is typing. Telegram opens Mini
	// Apps over https only, so the bot's buttons name https; the demo
	// serves plain http on the loopback.
	if addr, err := freeLoopback(); err == nil {
		cfg.HTTP, cfg.PublicURL, cfg.loopbackFeeds = addr, "https://"+addr, true
	}
	cfg.WebhookURL, cfg.WebhookPath = "", "" // the demo polls its own emulator
	cfg.Admins = []int64{demoAdmin.ID}
	cfg.unpaced = true // the emulator keeps no flood limits: answer at once
	clock := &demoClock{}
	cfg.now = clock.Now
	store, err := storage.Open(cfg.DB, storage.Options{Location: cfg.Location})
	if err != nil {
		return err
	}
	catalog, err := locales.New()
	if err != nil {
		store.Close()
		return err
	}
	operator := cfg.Operator
	if operator == "" {
		operator = bot.DefaultOperator
	}
	// The seeded staff have agreed to the consent's current text, so that
	// /as admin and /as coordinator start working at once.
	agreed := storage.Consent{Version: bot.ConsentVersion(catalog, operator), Given: true, At: time.Now()}
	if err := seedDemo(ctx, store, cfg.Location, agreed); err != nil {
		store.Close()
		return fmt.Errorf("seed: %w", err)
	}
	if err := store.Close(); err != nil {
		return err
	}

	// The same wiring as a real run, against the emulator.
	botCtx, stopBot := context.WithCancel(ctx)
	defer stopBot()
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- serve(botCtx, cfg, logger, func(*bot.Bot) { close(ready) }) }()
	select {
	case <-ready:
	case err := <-done:
		return err
	}

	fmt.Fprintf(stdout, "Vmeste demo: an emulated Telegram, a fresh database in %s (the log is there too).\n", dir)
	console := &telegramtest.Console{
		Server:  emu,
		In:      stdin,
		Out:     stdout,
		Users:   map[string]telegramtest.User{"admin": demoAdmin, "coordinator": demoCoordinator, "teacher": demoTeacher},
		Current: "teacher",
		Echo:    !isTerminal(stdin),
		Commands: map[string]func(string) string{
			"later": func(args string) string { return clock.later(args, cfg.Location) },
		},
	}
	if cfg.HTTP != "" {
		console.Commands["panel"] = func(string) string {
			u := console.Users[console.Current]
			return "http://" + cfg.HTTP + webapp.Path + "#tgWebAppData=" + url.QueryEscape(telegramtest.InitData(cfg.Token, u, clock.Now()))
		}
	}
	consoleErr := console.Run(ctx)
	stopBot()
	if err := <-done; err != nil {
		return err
	}
	if consoleErr != nil && ctx.Err() == nil {
		return consoleErr
	}
	return nil
}

// seedDemo adds two organisations of the district, the admin, a
// coordinator (both having agreed to the consent's current text), and the
// coordinator's two contests, published: «Безопасное колесо» three days
// from now at 10:00 in the district's zone (a seat per teacher), and the
// drawing contest «Добрая дорога детства» ten days from now, whose
// application lists pupils and takes works.
func seedDemo(ctx context.Context, store *storage.Store, loc *time.Location, agreed storage.Consent) error {
	school, err := store.CreateOrganisation(ctx, storage.Organisation{
		Name: "МКОУ «СОШ №1» г.п. Тырныауз", ShortName: "СОШ №1", Kind: storage.KindSchool, Contact: "Тырныауз, ул. Энеева, 2"})
	if err != nil {
		return err
	}
	gibdd, err := store.CreateOrganisation(ctx, storage.Organisation{
		Name: "ОГИБДД МО МВД России «Эльбрусский»", ShortName: "ГИБДД", Kind: storage.KindTrafficPolice})
	if err != nil {
		return err
	}
	for _, u := range []storage.User{
		{ID: demoAdmin.ID, ChatID: demoAdmin.ID, FullName: "Администратор Отдела Образования", OrgID: school, Position: "Методист", Role: storage.RoleTeacher},
		{ID: demoCoordinator.ID, ChatID: demoCoordinator.ID, FullName: "Инспектор Пропаганды БДД", OrgID: gibdd, Position: "Инспектор", Role: storage.RoleCoordinator},
	} {
		u.Lang, u.Registered, u.Active, u.Consents = locales.Russian, true, true, []storage.Consent{agreed}
		if err := store.PutUser(ctx, u); err != nil {
			return err
		}
	}
	day := time.Now().In(loc).AddDate(0, 0, 3)
	_, err = store.CreateEvent(ctx, storage.Event{
		Title: "Безопасное колесо", Kind: storage.EventContest,
		Description: "Районный конкурс юных инспекторов движения: фигурное вождение, знание ПДД, первая помощь.",
		Start:       time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, loc),
		Place:       "Стадион «Геолог», Тырныауз", Organisers: []int64{gibdd, school},
		Audience: "5–6 классы", Unit: storage.UnitIndividual, Capacity: 30,
		Reminders: storage.DefaultReminders(storage.EventContest), Status: storage.EventPublished,
		CreatedBy: demoCoordinator.ID,
	})
	if err != nil {
		return err
	}
	// A drawing contest whose application lists the pupils, asks the
	// nomination and takes the drawings: the district's Google Form, in chat.
	week := day.AddDate(0, 0, 7)
	closes := day.AddDate(0, 0, 4)
	_, err = store.CreateEvent(ctx, storage.Event{
		Title: "Добрая дорога детства", Kind: storage.EventContest,
		Description: "Районный конкурс рисунков и плакатов о безопасности на дороге.",
		Start:       time.Date(week.Year(), week.Month(), week.Day(), 10, 0, 0, 0, loc),
		Deadline:    time.Date(closes.Year(), closes.Month(), closes.Day(), 18, 0, 0, 0, loc),
		Place:       "ЦРТДиЮ им. Моккаева, Тырныауз", Organisers: []int64{gibdd, school},
		Audience: "1–4 классы", Unit: storage.UnitTeam, MaxTeam: 5,
		Form: storage.Form{Pupils: true, Phone: storage.NeedOptional, OrgQuota: 2,
			Questions: []storage.Question{{ID: 1, Text: "Номинация", Kind: storage.QuestionChoice,
				Options: []string{"Рисунок", "Плакат", "Компьютерная графика"}, Required: true}},
			Works: &storage.WorksSpec{Kinds: []storage.WorkKind{storage.WorkPhoto, storage.WorkDocument}, MaxFiles: 3}},
		Reminders: storage.DefaultReminders(storage.EventContest), Status: storage.EventPublished,
		CreatedBy: demoCoordinator.ID,
	})
	return err
}

// isTerminal reports whether r is a character device (a person typing).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// demoClock is the demo's clock: real time moved forward by /later, so
// that a session can pass an event's start, its reminders and its end
// without waiting for them.
type demoClock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the shifted time.
func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// later moves the clock forward by args (a Go duration, or whole days
// as "2d") and says what time it is now.
func (c *demoClock) later(args string, loc *time.Location) string {
	d, err := time.ParseDuration(args)
	if days, ok := strings.CutSuffix(args, "d"); ok && err != nil {
		var n int
		if n, err = strconv.Atoi(days); err == nil {
			d = time.Duration(n) * 24 * time.Hour
		}
	}
	if err != nil || d <= 0 {
		return "— /later DURATION: 90m, 3h, 2d —"
	}
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
	return "— The clock is now " + c.Now().In(loc).Format("02.01.2006 15:04") + " —"
}

// freeLoopback returns an address on the loopback with a port free now.
func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}
