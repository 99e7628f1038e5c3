package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// The Mini App in a real browser: headless Chromium (Debian's chromium)
// driven through chromedp, against the whole program (serve) on a real
// bbolt file and the emulated Telegram. The page gets a correctly signed
// initData the way Telegram gives it: in the URL's fragment
// (#tgWebAppData=…), which app.js reads.

// browserPath is the Chromium to drive: "" when none is installed. With
// VMESTE_REQUIRE_BROWSER=1 (CI) a missing browser fails the test instead
// of skipping it.
func browserPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("VMESTE_REQUIRE_BROWSER") == "1" {
		t.Fatal("no chromium on PATH, and VMESTE_REQUIRE_BROWSER=1: install it (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH (apt-get install chromium); CI sets VMESTE_REQUIRE_BROWSER=1 and installs it")
	return ""
}

// screenshotDir is where the pages' screenshots go: $VMESTE_SCREENSHOTS,
// or a folder under the test's temporary directory.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("VMESTE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestMiniAppInBrowser: a coordinator opens the panel, creates an event
// through the form and publishes it, and a teacher sees it in /events and
// signs up; a new place saved in the page reaches her as the chat's change
// notice; attendance and a result marked in the participants' table reach the
// teacher's card; the dashboard shows the figures the coverage report
// computes. Every page is checked for valid HTML and labelled inputs, its
// colours' contrast measured (light and dark), and screenshotted at
// 360×740.
func TestMiniAppInBrowser(t *testing.T) {
	chrome := browserPath(t)
	emu := telegramtest.New()
	defer emu.Close()
	teacherU := telegramtest.User{ID: 2001, FirstName: "Мария", LanguageCode: "ru"}
	var (
		school, police int64
		marked         storage.Event
	)
	seed := func(ctx context.Context, s *storage.Store) {
		school = mustOrg(ctx, t, s, storage.Organisation{Name: "МКОУ СОШ №1 г. Тырныауза", ShortName: "СОШ №1", Kind: storage.KindSchool})
		police = mustOrg(ctx, t, s, storage.Organisation{Name: "ОГИБДД ОМВД России по Эльбрусскому району", ShortName: "ГИБДД", Kind: storage.KindTrafficPolice})
		mustOrg(ctx, t, s, storage.Organisation{Name: "МКДОУ «Детский сад №3»", ShortName: "Д/с №3", Kind: storage.KindPreschool})
		seedStaff(ctx, t, s, emu, school)
		seedUsers(ctx, t, s, emu, teacherU.ID, 1, school)
		// A contest held this morning with the teacher signed up: the one
		// whose attendance and result are marked in the page.
		now := time.Now()
		var err error
		marked, err = s.CreateEvent(ctx, storage.Event{Title: "Война глазами детей", Kind: storage.EventContest,
			Start: now.Add(-3 * time.Hour), End: now.Add(-time.Hour), Place: "ЦРТДиЮ", Organisers: []int64{school, police},
			Unit: storage.UnitIndividual, Status: storage.EventPublished, CreatedBy: appCoord.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Register(ctx, storage.SignUp{EventID: marked.ID, UserID: teacherU.ID}, now.Add(-4*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	addr := freeAddr(t)
	a := newApp(t, emu, 28, seed, "-http", addr, "-public-url", "https://vmeste.example.ru")
	base := "http://" + addr

	// The chat opens the panel: the menu button, and /help's button.
	if !waitFor(t, 10*time.Second, func() bool {
		m, ok := emu.MenuButton(appCoord.ID)
		return ok && m.Type == "web_app" && m.URL == "https://vmeste.example.ru/app/"
	}) {
		m, _ := emu.MenuButton(appCoord.ID)
		t.Errorf("the coordinator's menu button: %+v", m)
	}
	help := a.d.Say(appCoord, "/help", "/newevent")
	if !hasWebApp(help, "https://vmeste.example.ru/app/") {
		t.Errorf("/help has no «Открыть панель» web_app button: %+v", help.Buttons)
	}
	if m := a.d.Say(teacherU, "/help", "/events"); hasWebApp(m, "") {
		t.Errorf("a teacher's /help offers the panel: %+v", m.Buttons)
	}
	card := a.d.Say(appCoord, fmt.Sprintf("/start e%d", marked.ID), marked.Title)
	if !hasWebApp(card, fmt.Sprintf("https://vmeste.example.ru/app/?event=%d", marked.ID)) {
		t.Errorf("the coordinator's card has no «Открыть панель» button to the event: %+v", card.Buttons)
	}
	if m := a.d.Say(teacherU, fmt.Sprintf("/start e%d", marked.ID), marked.Title); hasWebApp(m, "") {
		t.Errorf("a teacher's card offers the panel: %+v", m.Buttons)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:0:0],
		chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(360, 740))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	// The first call starts the browser, on a context without a timeout
	// (a timeout there would end the browser); each step after it has its
	// own.
	// Telegram as the page sees it inside the mobile app: the webview's
	// proxy, which records the raw events the page posts (initData still
	// comes in the fragment, as Telegram's clients put it there); Telegram's
	// own events are delivered through Telegram.WebView.receiveEvent.
	backButton := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
			window.tgPosted = [];
			window.TelegramWebviewProxy = {postEvent(name, data) { window.tgPosted.push([name, data]); }};`})
		return err
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740), colourScheme("light"), backButton); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	shots := screenshotDir(t)
	t.Logf("screenshots: %s", shots)
	step := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 30*time.Second) }
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := step()
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(what, js string) string {
		t.Helper()
		sctx, cancel := step()
		defer cancel()
		v, err := chromedp.Run(sctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	ready := chromedp.WaitVisible(chromedp.CSS("html[data-ready] main h1"))
	// backVisible is Telegram's Back button as the page last set it.
	backVisible := func() string {
		t.Helper()
		return eval("the Back button", `(() => { const b = tgPosted.filter(e => e[0] === "web_app_setup_back_button").pop();
			return b ? String(JSON.parse(b[1]).is_visible) : "never set"; })()`)
	}
	shoot := func(name string) {
		t.Helper()
		sctx, cancel := step()
		defer cancel()
		shot, err := chromedp.Run(sctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func(name string) {
		t.Helper()
		run("wait for "+name, ready)
		doc := eval("read "+name, "document.documentElement.outerHTML")
		for _, problem := range htmlProblems(doc) {
			t.Errorf("%s: %s", name, problem)
		}
		checkContrast(t, step, name)
		eval("scroll up", `window.scrollTo(0, 0); "ok"`)
		shoot(name)
	}

	// The coordinator opens the panel as Telegram opens it.
	initData := telegramtest.InitData(telegramtest.Token, appCoord, time.Now())
	run("open the panel",
		chromedp.Navigate(base+"/app/#tgWebAppData="+url.QueryEscape(initData)+"&tgWebAppVersion=8.0&tgWebAppPlatform=android"),
		ready, chromedp.WaitVisible(chromedp.CSS("#upcoming")))
	check("events")
	if v := backVisible(); v != "false" {
		t.Errorf("Telegram's Back button on My events: visible %s", v)
	}
	if v := eval("ready, expand", `tgPosted.filter(e => e[0] === "web_app_ready" || e[0] === "web_app_expand").map(e => e[0]).join(",")`); v != "web_app_ready,web_app_expand" {
		t.Errorf("events posted to Telegram at the start: %q, want web_app_ready,web_app_expand", v)
	}

	// A new event through the form, published.
	title := "Безопасное колесо — 2027"
	start := time.Now().Add(20 * 24 * time.Hour).In(a.cfg.Location).Format("2006-01-02T15:04")
	run("fill in the editor",
		chromedp.Click(chromedp.CSS(`nav a[href="/app/events/new"]`)),
		ready, chromedp.WaitVisible(chromedp.CSS("#editor")),
		chromedp.SendKeys(chromedp.CSS("#title"), title),
		chromedp.SetValue(chromedp.CSS("#kind"), "competition"),
		chromedp.SendKeys(chromedp.CSS("#org-search"), "гибдд"))
	if shown := eval("filter the organisers", `Array.from(document.querySelectorAll("#org-choices .choice")).filter(c => !c.hidden).map(c => c.textContent.trim()).join("|")`); shown != "ОГИБДД ОМВД России по Эльбрусскому району" {
		t.Errorf("organisers shown for «гибдд»: %q", shown)
	}
	run("fill in the rest",
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#org-%d", police))),
		chromedp.SetValue(chromedp.CSS("#start"), start),
		chromedp.SendKeys(chromedp.CSS("#place"), "Стадион «Эльбрус»"),
		chromedp.SendKeys(chromedp.CSS("#capacity"), "12"))
	check("editor")
	if v := backVisible(); v != "true" {
		t.Errorf("Telegram's Back button on the editor: visible %s", v)
	}
	run("scroll to the works", chromedp.ScrollIntoView(chromedp.CSS("#works_kinds")))
	shoot("editor-works")
	// The reminders follow the kind while left as they were.
	reminders := func(kind string) string {
		t.Helper()
		return eval("kind "+kind, fmt.Sprintf(`(() => { const k = document.querySelector("#kind"); k.value = %q;
			k.dispatchEvent(new Event("change", {bubbles: true}));
			return Array.from(document.querySelectorAll("input[name=reminder]:checked")).map(b => b.value).join(","); })()`, kind))
	}
	if got := reminders("seminar"); got != "1440,120" {
		t.Errorf("reminders after choosing a seminar: %s, want 1440,120", got)
	}
	if got := reminders("competition"); got != "10080,1440" {
		t.Errorf("reminders after choosing a competition: %s, want 10080,1440", got)
	}
	asked := emu.Version()
	run("publish", chromedp.Click(chromedp.CSS("#publish")), ready, chromedp.WaitVisible(chromedp.CSS("[data-saved]")))
	if saved := eval("read the answer", `document.querySelector("[data-saved]").textContent`); !strings.Contains(saved, "опубликовано") {
		t.Errorf("after publishing: %q", saved)
	}
	check("editor-published")
	// As after a publish in the chat, the coordinator's chat asks whether
	// to tell teachers, and its buttons answer.
	a.d.Expect(appCoord.ID, asked, "Сообщить педагогам?", title)
	a.d.Press(appCoord, "Не сейчас", "Сообщить можно позже")
	// The teacher sees it in /events through the emulated Telegram, and
	// signs up from its card.
	a.d.Say(teacherU, "/events", title)
	id := strings.TrimSuffix(strings.TrimPrefix(eval("the event's address", "location.pathname"), "/app/events/"), "/edit")
	a.d.Say(teacherU, "/start e"+id, title)
	a.d.Press(teacherU, "✅ Записаться", "Вы записаны")

	// A new place, saved in the page, reaches her in the chat's words.
	v := emu.Version()
	run("move it", chromedp.Clear(chromedp.CSS("#place")), chromedp.SendKeys(chromedp.CSS("#place"), "Спорткомплекс «Геолог»"),
		chromedp.Click(chromedp.CSS("#save")), ready, chromedp.WaitVisible(chromedp.CSS("[data-saved]")))
	if saved := eval("read the answer", `document.querySelector("[data-saved]").textContent`); !strings.Contains(saved, "Уведомление об изменении") {
		t.Errorf("after moving it: %q", saved)
	}
	a.d.Expect(teacherU.ID, v, "Изменения в мероприятии", "Место теперь: Спорткомплекс «Геолог»")

	// Attendance and a result marked in the participants' table.
	run("open the participants",
		chromedp.Click(chromedp.CSS(`nav a[href="/app/"]`)), ready,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`li[data-event="%d"] h3 a`, marked.ID))),
		ready, chromedp.WaitVisible(chromedp.CSS("#participants")))
	check("participants")
	v = emu.Version()
	for _, mark := range []struct{ sel, value string }{{fmt.Sprintf("#came-%d", teacherU.ID), "yes"}, {fmt.Sprintf("#result-%d", teacherU.ID), "1"}} {
		eval("mark "+mark.sel, fmt.Sprintf(`document.querySelectorAll("[data-saved]").forEach(e => e.remove());
			(() => { const el = document.querySelector(%q); el.value = %q; el.dispatchEvent(new Event("change", {bubbles: true})); return "ok"; })()`, mark.sel, mark.value))
		run("saved "+mark.sel, chromedp.WaitVisible(chromedp.CSS("html[data-ready] [data-saved]")))
		if got := eval("read "+mark.sel, fmt.Sprintf(`document.querySelector(%q).value`, mark.sel)); got != mark.value {
			t.Errorf("%s after saving: %q, want %q", mark.sel, got, mark.value)
		}
		if got := eval("the focus after "+mark.sel, `"#" + document.activeElement.id`); got != mark.sel {
			t.Errorf("after marking %s the focus is on %q: the row's place is lost", mark.sel, got)
		}
	}
	check("participants-marked")
	run("scroll to the table", chromedp.ScrollIntoView(chromedp.CSS("#participants")))
	shoot("participants-table")
	// The participants' file the chat sends: a tap asks for a fresh link
	// and hands it to Telegram's downloader, which follows it without
	// initData.
	eval("tap the XLSX file", `document.querySelector('a[data-download$=".xlsx"]').click(); "ok"`)
	sctx, cancelExport := step()
	if _, err := chromedp.Run(sctx, chromedp.Poll[bool](`tgPosted.some(e => e[0] === "web_app_request_file_download")`)); err != nil {
		t.Fatalf("the file is not handed to Telegram: %v", err)
	}
	export, err := chromedp.Run(sctx, chromedp.Evaluate[string](`(() => { const d = JSON.parse(tgPosted.filter(e => e[0] === "web_app_request_file_download").pop()[1]);
		return fetch(d.url, {credentials: "omit"}).then(r => d.file_name + " " + r.status + " " + r.headers.get("Content-Type")); })()`, chromedp.EvalAwaitPromise))
	cancelExport()
	if want := fmt.Sprintf("participants-%d.xlsx 200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", marked.ID); err != nil || export != want {
		t.Errorf("the XLSX file handed to Telegram: %q, %v; want %q", export, err, want)
	}
	a.d.Expect(teacherU.ID, v, "Ваш результат: 1 место")
	a.d.Press(teacherU, "Открыть мероприятие", "🏆 Ваш результат: 1 место")

	// The dashboard: the figures the coverage report computes.
	run("open the dashboard", chromedp.Click(chromedp.CSS(`nav a[href="/app/dashboard"]`)), ready,
		chromedp.WaitVisible(chromedp.CSS(`[data-figure="teachers"]`)))
	check("dashboard")
	if got := eval("type a date", `(() => { const f = document.querySelector("#d-from"); f.value = "2026-10-01";
		f.dispatchEvent(new Event("input", {bubbles: true})); return document.querySelector("#d-period").value; })()`); got != "dates" {
		t.Errorf("the period after typing a date: %q, want dates", got)
	}
	figures := map[string]string{}
	for _, key := range []string{"events", "cancelled", "orgs", "teachers", "pupils", "registrations", "winners", "laureates"} {
		figures[key] = eval("read "+key, fmt.Sprintf(`document.querySelector('[data-figure=%q]').firstChild.textContent.trim()`, key))
	}
	absent := strings.Split(eval("read the absent", `Array.from(document.querySelectorAll("#absent li")).map(li => li.textContent).join("\n")`), "\n")
	if len(absent) == 1 && absent[0] == "" {
		absent = nil
	}

	// Dark: the same pages with the dark colours.
	run("dark", colourScheme("dark"))
	check("dashboard-dark")
	run("events, dark", chromedp.Click(chromedp.CSS(`nav a[href="/app/"]`)), ready, chromedp.WaitVisible(chromedp.CSS("#upcoming")))
	check("events-dark")
	run("participants, dark", chromedp.Click(chromedp.CSS(fmt.Sprintf(`li[data-event="%d"] h3 a`, marked.ID))), ready,
		chromedp.WaitVisible(chromedp.CSS("#participants")))
	check("participants-dark")
	eval("press Back", `Telegram.WebView.receiveEvent("back_button_pressed", null); "ok"`)
	run("back to My events", chromedp.WaitVisible(chromedp.CSS("html[data-ready] #upcoming")))
	if v := backVisible(); v != "false" {
		t.Errorf("Telegram's Back button back on My events: visible %s", v)
	}
	// The user switches Telegram's theme: the page follows it.
	if got := eval("theme_changed", `Telegram.WebView.receiveEvent("theme_changed", {theme_params: {bg_color: "#18222d", text_color: "#ffffff"}});
		document.documentElement.getAttribute("data-theme") + " " + document.documentElement.style.getPropertyValue("--tg-theme-bg-color")`); got != "dark #18222d" {
		t.Errorf("after theme_changed: %q, want dark #18222d", got)
	}

	// The same figures from the storage call the report makes.
	a.stop()
	s, err := storage.Open(a.cfg.DB, storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	from, to, _ := storage.SchoolYear(time.Now(), a.cfg.Location)
	cov, err := s.Coverage(context.Background(), storage.CoverageQuery{From: from, To: to, Org: school})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"events": cov.Total.EventsHeld, "cancelled": cov.Total.EventsCancelled, "orgs": cov.Total.Orgs,
		"teachers": cov.Total.Teachers, "pupils": cov.Total.Pupils, "registrations": cov.Total.Registrations,
		"winners": cov.Total.Winners, "laureates": cov.Total.Laureates}
	for k, n := range want {
		if figures[k] != strconv.Itoa(n) {
			t.Errorf("dashboard %s = %q, the report computes %d", k, figures[k], n)
		}
	}
	if cov.Total.EventsHeld != 1 || cov.Total.Teachers != 1 || cov.Total.Winners != 1 {
		t.Errorf("the report: %+v, want the marked contest held with one teacher, a winner", cov.Total)
	}
	if len(absent) != len(cov.Absent) {
		t.Errorf("absent organisations: page %v, report %v", absent, cov.Absent)
	}
	var list []string
	for _, e := range []string{"events", "editor", "editor-published", "participants", "participants-marked", "participants-table", "dashboard", "dashboard-dark", "events-dark", "participants-dark"} {
		if fi, err := os.Stat(filepath.Join(shots, e+".png")); err != nil || fi.Size() == 0 {
			list = append(list, e)
		}
	}
	if len(list) > 0 {
		t.Errorf("screenshots missing: %v", list)
	}
	resp, err := http.Get(base + "/healthz")
	if err == nil {
		resp.Body.Close()
		t.Errorf("the app still answers after stop")
	}
}

// hasWebApp reports whether m has a web_app button (to url, when url is
// not "").
func hasWebApp(m telegramtest.Message, url string) bool {
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.WebApp != "" && (url == "" || b.WebApp == url) {
				return true
			}
		}
	}
	return false
}

// htmlProblems checks a page as the browser holds it: lang set, ids
// unique, every visible input, select and textarea labelled (a label for
// its id, or aria-label), and every aria-describedby naming an element.
func htmlProblems(doc string) []string {
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		return []string{"does not parse: " + err.Error()}
	}
	var problems []string
	ids := map[string]int{}
	labels := map[string]bool{}
	var controls []*html.Node
	var described []string
	lang := ""
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				switch a.Key {
				case "id":
					ids[a.Val]++
				case "lang":
					if n.Data == "html" {
						lang = a.Val
					}
				case "aria-describedby":
					described = append(described, strings.Fields(a.Val)...)
				}
			}
			switch n.Data {
			case "label":
				labels[attr(n, "for")] = true
			case "input", "select", "textarea":
				if attr(n, "type") != "hidden" && attr(n, "type") != "submit" {
					controls = append(controls, n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if lang == "" {
		problems = append(problems, "<html> has no lang")
	}
	for id, n := range ids {
		if n > 1 {
			problems = append(problems, fmt.Sprintf("id %q used %d times", id, n))
		}
	}
	for _, c := range controls {
		id := attr(c, "id")
		if attr(c, "aria-label") == "" && (id == "" || !labels[id]) {
			problems = append(problems, fmt.Sprintf("<%s name=%q> has no label", c.Data, attr(c, "name")))
		}
	}
	for _, id := range described {
		if ids[id] == 0 {
			problems = append(problems, fmt.Sprintf("aria-describedby names %q, which is not there", id))
		}
	}
	return problems
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// checkContrast measures, from the computed styles, the contrast of the
// page's text, hints, links and buttons against what they stand on; each
// must be at least 4.5:1 (WCAG AA for normal text).
func checkContrast(t *testing.T, step func() (context.Context, context.CancelFunc), page string) {
	t.Helper()
	ctx, cancel := step()
	defer cancel()
	pairs, err := chromedp.Run(ctx, chromedp.Evaluate[[][3]string](`(() => {
		const out = [];
		const bg = el => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor; if (c && c !== "rgba(0, 0, 0, 0)" && c !== "transparent") return c; } return getComputedStyle(document.documentElement).backgroundColor; };
		const add = (what, sel) => { const el = document.querySelector(sel); if (el) out.push([what, getComputedStyle(el).color, bg(el)]); };
		add("text", "main h1"); add("hint", ".hint, .meta"); add("link", "main a:not(.button)"); add("button", "button, .button");
		add("nav", "nav a:not([aria-current])"); add("current", "nav a[aria-current]"); add("error", ".error:not(:empty)");
		return out; })()`))
	if err != nil {
		t.Fatalf("%s: contrast: %v", page, err)
	}
	if len(pairs) < 3 {
		t.Errorf("%s: contrast measured on %d elements only", page, len(pairs))
	}
	for _, p := range pairs {
		fg, ok1 := parseRGB(p[1])
		bg, ok2 := parseRGB(p[2])
		if !ok1 || !ok2 {
			t.Errorf("%s: %s colours %q on %q not read", page, p[0], p[1], p[2])
			continue
		}
		if r := contrast(fg, bg); r < 4.5 {
			t.Errorf("%s: %s %s on %s: contrast %.2f, want ≥ 4.5", page, p[0], p[1], p[2], r)
		}
	}
}

// colourScheme makes the page see prefers-color-scheme: scheme.
func colourScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
}

var rgbRE = regexp.MustCompile(`rgba?\((\d+), (\d+), (\d+)`)

func parseRGB(s string) ([3]float64, bool) {
	m := rgbRE.FindStringSubmatch(s)
	if m == nil {
		return [3]float64{}, false
	}
	var c [3]float64
	for i := range c {
		v, _ := strconv.Atoi(m[i+1])
		c[i] = float64(v)
	}
	return c, true
}

// contrast is WCAG's contrast ratio of two sRGB colours.
func contrast(a, b [3]float64) float64 {
	lum := func(c [3]float64) float64 {
		var l [3]float64
		for i, v := range c {
			v /= 255
			if v <= 0.03928 {
				l[i] = v / 12.92
			} else {
				l[i] = math.Pow((v+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}
