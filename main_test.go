package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// binary is the vmeste binary built once for these tests, with the command
// line the Dockerfile uses.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vmeste-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "vmeste")
	if err := buildLikeDockerfile(binary); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildLikeDockerfile runs the Dockerfile's `RUN CGO_ENABLED=0 go build …`
// line, with the output path replaced.
func buildLikeDockerfile(out string) error {
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		return err
	}
	var line string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "RUN CGO_ENABLED=0 go build") {
			line = strings.TrimPrefix(l, "RUN ")
		}
	}
	if line == "" {
		return fmt.Errorf("no `RUN CGO_ENABLED=0 go build` line in the Dockerfile")
	}
	if !strings.Contains(line, "-o /out/vmeste") {
		return fmt.Errorf("the Dockerfile's build line does not write /out/vmeste: %s", line)
	}
	line = strings.Replace(line, "-o /out/vmeste", "-o '"+out+"'", 1)
	cmd := exec.Command("sh", "-c", line)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build (%s): %v\n%s", line, err, out)
	}
	return nil
}

// runBinary runs the binary with only the given environment and returns
// its exit code, stderr and how long it ran.
func runBinary(t *testing.T, env []string, args ...string) (int, string, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	cmd.Dir = t.TempDir() // default paths (data/backups) land there, not in the source tree
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run: %v", err)
	}
	return code, stderr.String(), took
}

func TestConfigurationErrors(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()

	heldDB := filepath.Join(t.TempDir(), "held.db")
	holder, err := storage.Open(heldDB, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()

	good := []string{"TELEGRAM_BOT_TOKEN=" + telegramtest.Token, "TELEGRAM_API_URL=" + emu.URL(), "VMESTE_HTTP="}
	for _, tc := range []struct {
		name    string
		env     []string
		args    []string
		setting string
		reason  string
	}{
		{"no token", []string{"VMESTE_HTTP="}, nil, "TELEGRAM_BOT_TOKEN", "required"},
		{"unknown time zone", good, []string{"-tz", "Mars/Olympus", "-db", filepath.Join(t.TempDir(), "a.db")}, "VMESTE_TZ", "unknown time zone"},
		{"admin not a number", append(good, "VMESTE_ADMINS=12,abc"), []string{"-db", filepath.Join(t.TempDir(), "a.db")}, "VMESTE_ADMINS", `"abc"`},
		{"database cannot be written", good, []string{"-db", "/proc/vmeste/x.db"}, "VMESTE_DB", "cannot open"},
		{"database held by another instance", good, []string{"-db", heldDB}, "VMESTE_DB", "held by another running instance"},
		{"token refused", []string{"TELEGRAM_BOT_TOKEN=999:wrong", "TELEGRAM_API_URL=" + emu.URL(), "VMESTE_HTTP="}, []string{"-db", filepath.Join(t.TempDir(), "a.db")}, "TELEGRAM_BOT_TOKEN", "refused the token"},
		{"Bot API unreachable", []string{"TELEGRAM_BOT_TOKEN=1:x", "TELEGRAM_API_URL=http://127.0.0.1:1", "VMESTE_HTTP="}, []string{"-db", filepath.Join(t.TempDir(), "a.db")}, "TELEGRAM_API_URL", "cannot reach"},
		{"bad cron spec", append(good, "VMESTE_DIGEST=every monday"), []string{"-db", filepath.Join(t.TempDir(), "a.db")}, "VMESTE_DIGEST", "not a cron spec"},
		{"bad tick", good, []string{"-db", filepath.Join(t.TempDir(), "a.db"), "-tick", "5ms"}, "VMESTE_TICK", "not a duration"},
		{"bad keep", good, []string{"-db", filepath.Join(t.TempDir(), "a.db"), "-keep", "1d"}, "VMESTE_KEEP", "not a duration from 2 days"},
		{"bad http address", good, []string{"-db", filepath.Join(t.TempDir(), "a.db"), "-http", "nonsense"}, "VMESTE_HTTP", "cannot listen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr, took := runBinary(t, tc.env, tc.args...)
			if code == 0 {
				t.Fatalf("exit 0, want non-zero; stderr: %s", stderr)
			}
			if took > 5*time.Second {
				t.Errorf("took %v, want under 5 s", took)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 {
				t.Fatalf("stderr has %d lines, want one:\n%s", len(lines), stderr)
			}
			if !strings.Contains(lines[0], tc.setting) || !strings.Contains(lines[0], tc.reason) {
				t.Errorf("stderr %q does not name %s and %q", lines[0], tc.setting, tc.reason)
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace in stderr: %s", stderr)
			}
			if strings.Contains(stderr, telegramtest.Token) || strings.Contains(stderr, "999:wrong") {
				t.Errorf("the token leaked into stderr: %s", stderr)
			}
		})
	}
}

func TestFlagWinsOverEnvironment(t *testing.T) {
	env := map[string]string{"TELEGRAM_BOT_TOKEN": "1:env", "VMESTE_TZ": "Mars/Olympus", "VMESTE_DB": "env.db", "VMESTE_ADMINS": "5, 6"}
	cfg, err := parseConfig([]string{"-tz", "Asia/Yekaterinburg", "-db", "flag.db"}, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Location.String() != "Asia/Yekaterinburg" || cfg.DB != "flag.db" || cfg.Token != "1:env" {
		t.Errorf("cfg = %+v", cfg)
	}
	if len(cfg.Admins) != 2 || cfg.Admins[0] != 5 || cfg.Admins[1] != 6 {
		t.Errorf("admins = %v", cfg.Admins)
	}
	cfg, err = parseConfig([]string{"-demo"}, func(k string) (string, bool) { return "", k == "VMESTE_HTTP" }, &bytes.Buffer{})
	if err != nil || cfg.HTTP != "" {
		t.Errorf("VMESTE_HTTP= should turn the port off: %q, %v", cfg.HTTP, err)
	}
	cfg, err = parseConfig(nil, func(string) (string, bool) { return "", false }, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_BOT_TOKEN") {
		t.Errorf("no token: %v", err)
	}
	cfg, err = parseConfig([]string{"-demo"}, func(string) (string, bool) { return "", false }, &bytes.Buffer{})
	if err != nil || cfg.Location.String() != "Europe/Moscow" || cfg.DB != "data/vmeste.db" || cfg.HTTP != ":8080" || cfg.APIURL != "https://api.telegram.org" {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	cmd := exec.Command(binary, "-h")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("-h: %v\n%s", err, out)
	}
	for _, s := range settings {
		if !bytes.Contains(out, []byte("-"+s.flag)) || !bytes.Contains(out, []byte(s.env)) {
			t.Errorf("-h does not list -%s / %s", s.flag, s.env)
		}
	}
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestHealthzAndGracefulShutdown(t *testing.T) {
	emu := telegramtest.New()
	defer emu.Close()
	addr := freeAddr(t)
	db := filepath.Join(t.TempDir(), "sub", "vmeste.db")
	cmd := exec.Command(binary, "-db", db, "-http", addr)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TELEGRAM_BOT_TOKEN=" + telegramtest.Token, "TELEGRAM_API_URL=" + emu.URL()}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	healthy := waitFor(t, 10*time.Second, func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if !healthy {
		t.Fatalf("/healthz never answered 200; stderr:\n%s", stderr.String())
	}
	if code, _, _ := runBinary(t, nil, "-healthcheck", "-http", addr); code != 0 {
		t.Errorf("-healthcheck exit %d, want 0", code)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
	}
	if strings.Contains(stderr.String(), telegramtest.Token) {
		t.Error("the token appears in the log")
	}
	// The database was closed: another instance can open it at once.
	s, err := storage.Open(db, storage.Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("reopen after shutdown: %v", err)
	}
	s.Close()
	if code, _, _ := runBinary(t, nil, "-healthcheck", "-http", addr); code == 0 {
		t.Error("-healthcheck passed with nothing running")
	}
}

// waitFor polls cond every 20 ms until it holds or the deadline passes; it
// is for a separate process, which cannot signal us.
func waitFor(t *testing.T, within time.Duration, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		<-tick.C
	}
	return false
}

func TestDemoThroughPipe(t *testing.T) {
	script := strings.Join([]string{
		"/start",
		"#1", // Русский
		"#1", // ✅ Согласен(на): consent to the processing of personal data
		"Иванова Мария Петровна", // name
		"ТЫРНЫАУЗ",               // narrows the organisation list
		"#1",                     // the school
		"#4",                     // Педагог-организатор (after Учитель, Учитель начальных классов, Классный руководитель)
		"/profile",
		"/as admin",
		"/orgs",
	}, "\n") + "\n"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "-demo")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir()}
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	transcript := string(out)
	for _, want := range []string{
		"Выберите язык",
		"Как вас зовут",
		"по запросу «ТЫРНЫАУЗ»",
		"Готово, вы зарегистрированы",
		"Должность: Педагог-организатор",
		"ФИО: Иванова Мария Петровна",
		"Организации: 2",
	} {
		if !strings.Contains(transcript, want) {
			t.Errorf("transcript lacks %q:\n%s", want, transcript)
		}
	}
}

// TestDemoTeacherToResult runs the scripted session of
// testdata/demo-teacher.txt through the built binary's -demo: a teacher
// registers (typing her name in lower case), signs up for the seeded
// contest, the clock moves past it (/later), the coordinator marks her
// first place from /myevents, and she is told and sees it on her card and
// in /my.
func TestDemoTeacherToResult(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("testdata", "demo-teacher.txt"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "-demo")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir()}
	cmd.Stdin = bytes.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	transcript := string(out)
	// In the order a teacher meets them.
	at := 0
	for _, want := range []string{
		"Готово, вы зарегистрированы",
		"Гетоева Зульфия Магомедовна",
		"Должность: Учитель",
		"Ближайшие мероприятия",
		"✅ Вы записаны.",
		"— The clock is now",
		"Мои мероприятия",
		"Итоги: Безопасное колесо",
		"🏆 1 место",
		"Ваш результат: 1 место. Поздравляем!",
		"✅ Вы участвовали.",
		"🏆 Ваш результат: 1 место",
		"Мои записи: 1",
	} {
		i := strings.Index(transcript[at:], want)
		if i < 0 {
			t.Fatalf("the transcript lacks %q after what came before:\n%s", want, transcript)
		}
		at += i + len(want)
	}
}

func TestRestoreRefusesWhileHeld(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vmeste.db")
	s, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrganisation(context.Background(), storage.Organisation{Name: "МКОУ СОШ №3", Kind: storage.KindSchool}); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup.db")
	f, err := os.Create(backup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := s.CreateOrganisation(context.Background(), storage.Organisation{Name: "Добавлена после копии", Kind: storage.KindSchool}); err != nil {
		t.Fatal(err)
	}

	code, stderr, _ := runBinary(t, nil, "-db", db, "-restore", backup)
	if code == 0 || !strings.Contains(stderr, "held by another running instance") {
		t.Fatalf("restore while held: exit %d, %s", code, stderr)
	}
	s.Close()
	if code, stderr, _ := runBinary(t, nil, "-db", db, "-restore", filepath.Join(dir, "nonsense.db")); code == 0 {
		t.Errorf("restoring a missing file succeeded: %s", stderr)
	}
	if code, stderr, _ := runBinary(t, nil, "-db", db, "-restore", backup); code != 0 {
		t.Fatalf("restore: exit %d, %s", code, stderr)
	}
	s, err = storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	orgs, _ := s.Organisations(context.Background())
	if len(orgs) != 1 || orgs[0].Name != "МКОУ СОШ №3" {
		t.Errorf("after restore: %+v", orgs)
	}
	if kept, _ := filepath.Glob(db + ".replaced-*"); len(kept) != 1 {
		t.Errorf("the replaced database was not kept: %v", kept)
	}
}
