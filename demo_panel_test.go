package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemoPanel: in the demo, /panel prints a link to the coordinators'
// Mini App signed for whoever is typing; the page it names answers the
// coordinator with her events, and a teacher's link gets 403.
func TestDemoPanel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "-demo")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir()}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("demo: %v", err)
		}
	}()
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	link := regexp.MustCompile(`http://127\.0\.0\.1:\d+/app/#tgWebAppData=\S+`)
	next := func(who string) string {
		t.Helper()
		if _, err := io.WriteString(stdin, "/as "+who+"\n/panel\n"); err != nil {
			t.Fatal(err)
		}
		for lines.Scan() {
			if m := link.FindString(lines.Text()); m != "" {
				return m
			}
		}
		t.Fatalf("no panel link for %s: %v", who, lines.Err())
		return ""
	}
	get := func(raw string) (int, string) {
		t.Helper()
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		initData, err := url.QueryUnescape(strings.TrimPrefix(u.Fragment, "tgWebAppData="))
		if err != nil {
			t.Fatal(err)
		}
		u.Fragment = ""
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		req.Header.Set("X-Telegram-Init-Data", initData)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get(next("coordinator")); code != http.StatusOK || !strings.Contains(body, "Безопасное колесо") {
		t.Errorf("the coordinator's panel: %d\n%.400s", code, body)
	}
	if code, _ := get(next("teacher")); code != http.StatusForbidden && code != http.StatusUnauthorized {
		t.Errorf("a teacher's panel link: %d, want 401 or 403", code)
	}

	// The calendar feed /settings offers is served on the same loopback
	// port, over the http its link names.
	if _, err := io.WriteString(stdin, "/as coordinator\n/settings\n"); err != nil {
		t.Fatal(err)
	}
	feed := regexp.MustCompile(`^http://127\.0\.0\.1:\d+/calendar/\S+\.ics`)
	for lines.Scan() {
		if m := feed.FindString(strings.TrimSpace(lines.Text())); m != "" {
			code, body := get(m)
			if code != http.StatusOK || !strings.Contains(body, "BEGIN:VCALENDAR") {
				t.Errorf("the demo's calendar feed %s: %d\n%.200s", m, code, body)
			}
			return
		}
	}
	t.Errorf("/settings offered no calendar feed link: %v", lines.Err())
}
