package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vmeste/bot"
	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// TestCalendarFeedOnHTTPPort runs the built binary with VMESTE_PUBLIC_URL
// and asks its HTTP port, beside /healthz, for a teacher's calendar feed:
// her token opens it, a made-up one and a POST do not.
func TestCalendarFeedOnHTTPPort(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	db := filepath.Join(t.TempDir(), "vmeste.db")
	catalog, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u := storage.User{ID: 2001, ChatID: 2001, FullName: "Иванова Мария Петровна", Role: storage.RoleTeacher, Lang: "ru",
		Registered: true, Active: true,
		Consents: []storage.Consent{{Version: bot.ConsentVersion(catalog, bot.DefaultOperator), Given: true, At: time.Now()}}}
	if err := s.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	token, err := s.CalendarToken(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	addr := freeAddr(t)
	cmd := exec.Command(binary, "-db", db, "-http", addr, "-public-url", "https://vmeste.example.ru/")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TELEGRAM_BOT_TOKEN=" + telegramtest.Token, "TELEGRAM_API_URL=" + emu.URL(),
		"VMESTE_BACKUP_DIR=" + filepath.Join(t.TempDir(), "backups")}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	base := "http://" + addr
	if !waitFor(t, 10*time.Second, func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}) {
		t.Fatal("/healthz never answered 200")
	}
	get := func(method, path string) (int, string, http.Header) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), resp.Header
	}
	code, body, hd := get(http.MethodGet, "/calendar/"+token+".ics")
	if code != http.StatusOK || !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") || hd.Get("Content-Type") != "text/calendar; charset=utf-8" || hd.Get("ETag") == "" {
		t.Errorf("the feed: %d %q %v", code, body, hd)
	}
	if code, _, _ := get(http.MethodGet, "/calendar/"+strings.Repeat("x", 43)+".ics"); code != http.StatusNotFound {
		t.Errorf("a made-up token: %d, want 404", code)
	}
	if code, _, _ := get(http.MethodPost, "/calendar/"+token+".ics"); code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", code)
	}
}
