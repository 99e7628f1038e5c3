package bot

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"vmeste/scheduler"
	"vmeste/storage"
	"vmeste/telegramtest"
)

// The coordinator's side of applications and works, end to end: «📋
// Заявки», «📎 Работы (N)» through the outbox and «🗜 Архивом».

// Applicants of the drawing contest, and the coordinators around it.
var (
	ivanova  = telegramtest.User{ID: 4101, FirstName: "Мария", LanguageCode: "ru"}
	petrova  = telegramtest.User{ID: 4102, FirstName: "Анна", LanguageCode: "ru"}
	alieva   = telegramtest.User{ID: 4103, FirstName: "Залина", LanguageCode: "ru"}
	kuliev   = telegramtest.User{ID: 4104, FirstName: "Руслан", LanguageCode: "ru"}
	coordCRT = telegramtest.User{ID: 4201, FirstName: "Методист", LanguageCode: "ru"}
	school2  = storage.Organisation{Name: "МКОУ «СОШ №2» с.п. Эльбрус", ShortName: "СОШ №2", Kind: storage.KindSchool}
)

// contest is the seeded drawing contest with its organisations.
type contest struct {
	event                      storage.Event
	gibdd, school1, crt, sch2  int64
	photo, video, doc, poem, x *telegramtest.File
}

// applicant stores u as a registered teacher of org named fullName.
func (h *harness) applicant(u telegramtest.User, org int64, fullName, position string) {
	h.t.Helper()
	err := h.store.PutUser(context.Background(), storage.User{ID: u.ID, ChatID: u.ID, FullName: fullName,
		OrgID: org, Position: position, Role: storage.RoleTeacher, Lang: "ru", Registered: true, Active: true, Consents: h.agreed()})
	if err != nil {
		h.t.Fatal(err)
	}
	h.tg.AddChat(telegramtest.Chat{ID: u.ID, Type: telegramtest.ChatPrivate})
}

// work is a file Telegram holds, as an application keeps it.
func work(f *telegramtest.File, kind storage.WorkKind) storage.Work {
	return storage.Work{FileID: f.ID, FileUniqueID: f.UniqueID(), Kind: kind, FileName: f.Name, MimeType: f.MimeType, Size: int64(f.Size)}
}

// seedContest stores «Добрая дорога детства» by the ГИБДД with the
// ЦРТДиЮ as co-organiser, three seats, a form with pupils, a phone, two
// questions and works, and four applications through storage.Register:
// Иванова (СОШ №1, team «5Б», a photo, a video and a PDF), Петрова (СОШ
// №1, a photo), Алиева (СОШ №2, two documents) and Кулиев (СОШ №1, no
// works, on the waitlist). Then the first question is reworded and the
// second taken out of the form.
func (h *harness) seedContest() contest {
	h.t.Helper()
	ids := h.seedOrgs(gibdd, school1, crtdiu, school2)
	c := contest{gibdd: ids[0], school1: ids[1], crt: ids[2], sch2: ids[3]}
	h.makeCoordinator(coordinator, c.gibdd)
	h.makeCoordinator(coordCRT, c.crt)
	c.photo = h.tg.SeedFile(telegramtest.FilePhoto, "", "", []byte("рисунок Ивановой"))
	c.video = h.tg.SeedFile(telegramtest.FileVideo, "ролик.mp4", "video/mp4", []byte("видео Ивановой"))
	c.doc = h.tg.SeedFile(telegramtest.FileDocument, "Положение о работе.pdf", "application/pdf", []byte("%PDF Ивановой"))
	c.poem = h.tg.SeedFile(telegramtest.FileDocument, "стихи.docx", "", []byte("стихи Алиевой"))
	c.x = h.tg.SeedFile(telegramtest.FilePhoto, "", "", []byte("рисунок Петровой"))
	scan := h.tg.SeedFile(telegramtest.FileDocument, "скан заявки.pdf", "application/pdf", []byte("%PDF Алиевой"))

	c.event = h.event(c.gibdd, func(e *storage.Event) {
		e.Title, e.Kind, e.Unit, e.MaxTeam, e.Capacity = "Добрая дорога детства", storage.EventContest, storage.UnitTeam, 5, 3
		e.Organisers = []int64{c.gibdd, c.crt}
		e.Form = storage.Form{Pupils: true, PupilBirth: true, Phone: storage.NeedOptional,
			Questions: []storage.Question{
				{ID: 1, Text: "Номинация", Kind: storage.QuestionChoice, Options: []string{"Рисунок", "Плакат"}, Required: true},
				{ID: 2, Text: "Тема работы", Kind: storage.QuestionText},
			},
			Works: &storage.WorksSpec{MaxFiles: 5}}
	})
	now := h.clock.Now()
	for _, a := range []struct {
		u      telegramtest.User
		org    int64
		name   string
		team   string
		app    storage.Application
		waitly bool
	}{
		{ivanova, c.school1, "Иванова Мария Петровна", "5Б", storage.Application{Phone: "+79281234567",
			Pupils:  []storage.Pupil{{Name: "Петров Пётр", Class: "5Б", Birth: "2014-03-12"}, {Name: "Сидорова Ева", Class: "5Б"}},
			Answers: []storage.Answer{{QuestionID: 1, Text: "Рисунок"}, {QuestionID: 2, Text: "Зебра у школы"}},
			Works:   []storage.Work{work(c.photo, storage.WorkPhoto), work(c.video, storage.WorkVideo), work(c.doc, storage.WorkDocument)}}, false},
		{petrova, c.school1, "Петрова Анна Сергеевна", "", storage.Application{
			Pupils:  []storage.Pupil{{Name: "Козлов Иван", Class: "3А"}},
			Answers: []storage.Answer{{QuestionID: 1, Text: "Плакат"}},
			Works:   []storage.Work{work(c.x, storage.WorkPhoto)}}, false},
		{alieva, c.sch2, "Алиева Залина Муратовна", "", storage.Application{Phone: "+79287654321",
			Pupils:  []storage.Pupil{{Name: "Алиев Тимур", Class: "7В"}},
			Answers: []storage.Answer{{QuestionID: 1, Text: "Рисунок"}},
			Works:   []storage.Work{work(c.poem, storage.WorkDocument), work(scan, storage.WorkDocument)}}, false},
		{kuliev, c.school1, "Кулиев Руслан", "", storage.Application{
			Pupils:  []storage.Pupil{{Name: "Кулиева Алина", Class: "4Б"}},
			Answers: []storage.Answer{{QuestionID: 1, Text: "Плакат"}}}, true},
	} {
		h.applicant(a.u, a.org, a.name, "Учитель ИЗО")
		app := a.app
		app.ParentsConsentAt = now
		reg, err := h.store.Register(context.Background(), storage.SignUp{EventID: c.event.ID, UserID: a.u.ID,
			TeamName: a.team, Application: &app}, now)
		if err != nil {
			h.t.Fatalf("register %s: %v", a.name, err)
		}
		if (reg.State == storage.RegWaitlist) != a.waitly || reg.OrgID != a.org {
			h.t.Fatalf("%s: %+v", a.name, reg)
		}
		now = now.Add(time.Minute)
	}
	e, err := h.store.Event(context.Background(), c.event.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	e.Form.Questions = []storage.Question{{ID: 1, Text: "В какой номинации работа?", Kind: storage.QuestionChoice,
		Options: []string{"Рисунок", "Плакат"}, Required: true}}
	if _, err := h.store.UpdateEvent(context.Background(), e, nil, nil); err != nil {
		h.t.Fatal(err)
	}
	c.event, _ = h.store.Event(context.Background(), e.ID)
	return c
}

// personal is what no log and no other user may ever see of the
// applications.
var personal = []string{"Петров Пётр", "Сидорова Ева", "+79281234567", "+79287654321", "Зебра у школы", "Козлов Иван", "Алиев Тимур"}

// noPersonalDataIn fails when the bot's log holds any of it.
func (h *harness) noPersonalDataInLogs() {
	h.t.Helper()
	logs := h.logs.String()
	for _, s := range personal {
		if strings.Contains(logs, s) {
			h.t.Errorf("the log holds %q", s)
		}
	}
}

func TestApplicationsGroupedByOrganisation(t *testing.T) {
	h := newHarness(t, nil)
	c := h.seedContest()

	card := h.say(coordinator, fmt.Sprintf("/start e%d", c.event.ID), "Добрая дорога детства")
	for _, want := range []string{"📋 Заявки", "📎 Работы (6)", "🗜 Архивом"} {
		if !slices.Contains(labels(card), want) {
			t.Fatalf("the owner's card lacks %q: %q", want, labels(card))
		}
	}
	_, m := h.press(coordinator, "📋 Заявки", "Заявки: Добрая дорога детства")
	text := m.PlainText()
	if utf16Len(m.Text) > 4096 {
		t.Fatalf("the page is %d long", utf16Len(m.Text))
	}
	// СОШ №1 before СОШ №2; in СОШ №1 the confirmed in sign-up order, then
	// the waitlist.
	order := []string{"Подтверждены: 3, в листе ожидания: 1; учащихся: 4, работ: 6",
		"🏫 СОШ №1 · 3 заявки", "1. Иванова Мария Петровна, Учитель ИЗО", "✅ подтверждена", "📞 +79281234567",
		"👥 Команда «5Б» из 2 учащихся", "1) Петров Пётр, 5Б, д. р. 12.03.2014", "2) Сидорова Ева, 5Б",
		"❓ В какой номинации работа? Рисунок", "📎 Работ: 3",
		"2. Петрова Анна Сергеевна", "📎 Работ: 1",
		"3. Кулиев Руслан", "⏳ в листе ожидания", "📎 Работ: 0",
		"🏫 СОШ №2 · 1 заявка", "4. Алиева Залина Муратовна", "📞 +79287654321", "1) Алиев Тимур, 7В", "📎 Работ: 2"}
	at := 0
	for _, s := range order {
		i := strings.Index(text[at:], s)
		if i < 0 {
			t.Fatalf("after %q the list lacks %q:\n%s", text[:at], s, text)
		}
		at += i + len(s)
	}
	for _, gone := range []string{"Тема работы", "Зебра у школы", "Номинация:"} {
		if strings.Contains(text, gone) {
			t.Errorf("the list shows %q of a question taken out of the form or reworded:\n%s", gone, text)
		}
	}
	if !slices.Contains(labels(m), "📎 Работы (6)") || !slices.Contains(labels(m), "« К мероприятию") {
		t.Errorf("the list's buttons: %q", labels(m))
	}

	// A co-organiser's coordinator sees them too.
	h.say(coordCRT, fmt.Sprintf("/start e%d", c.event.ID), "Добрая дорога детства")
	h.press(coordCRT, "📋 Заявки", "Иванова Мария Петровна", "+79281234567")
	h.noPersonalDataInLogs()
}

// Many long applications are cut into pages by length: each page within
// Telegram's limit, every application on exactly one page, an
// organisation running over a page named again at the top of the next.
func TestApplicationsPagedByLength(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd, school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], func(e *storage.Event) {
		e.Unit, e.MaxTeam = storage.UnitTeam, 30
		e.Form = storage.Form{Pupils: true, Questions: []storage.Question{{ID: 1, Text: "Тема выступления", Kind: storage.QuestionText}}}
	})
	now := h.clock.Now()
	const n = 12
	for i := range n {
		u := telegramtest.User{ID: 6000 + int64(i), FirstName: "Педагог"}
		h.applicant(u, ids[1], fmt.Sprintf("Педагогова%02d Мария", i), "Учитель")
		app := storage.Application{ParentsConsentAt: now, Answers: []storage.Answer{{QuestionID: 1, Text: strings.Repeat("очень длинная тема ", 25)}}}
		for j := range 20 {
			app.Pupils = append(app.Pupils, storage.Pupil{Name: fmt.Sprintf("Ученикова%02d Ученица Ивановна", j), Class: "11А"})
		}
		if _, err := h.store.Register(context.Background(), storage.SignUp{EventID: e.ID, UserID: u.ID, Application: &app}, now); err != nil {
			t.Fatal(err)
		}
	}
	h.say(coordinator, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	_, m := h.press(coordinator, "📋 Заявки", "стр. 1 из")
	seen := map[string]int{}
	for page := 1; ; page++ {
		if l := utf16Len(m.Text); l > 4096 {
			t.Fatalf("page %d is %d long", page, l)
		}
		for i := range n {
			if strings.Contains(m.PlainText(), fmt.Sprintf("Педагогова%02d", i)) {
				seen[fmt.Sprintf("%02d", i)]++
			}
		}
		if page > 1 && !strings.Contains(m.PlainText(), "🏫 СОШ №1 (продолжение)") {
			t.Errorf("page %d does not name the organisation again:\n%s", page, m.PlainText())
		}
		if !slices.Contains(labels(m), "Далее ›") {
			if page < 3 {
				t.Fatalf("only %d pages for %d long applications", page, n)
			}
			break
		}
		_, m = h.press(coordinator, "Далее ›", fmt.Sprintf("стр. %d из", page+1))
	}
	for i := range n {
		if k := fmt.Sprintf("%02d", i); seen[k] != 1 {
			t.Errorf("application %s is on %d pages", k, seen[k])
		}
	}
}

// Nobody but the event's coordinators and admins gets the applications or
// the works: a teacher (even one who applied), a coordinator of an
// organisation that neither runs nor co-organises the event — not by the
// card, not by forged buttons; nothing is queued for them.
func TestApplicationsAndWorksRefused(t *testing.T) {
	h := newHarness(t, nil)
	c := h.seedContest()
	stranger := telegramtest.User{ID: 4301, FirstName: "Завуч", LanguageCode: "ru"}
	h.makeCoordinator(stranger, c.sch2)

	for _, u := range []telegramtest.User{stranger, ivanova} {
		card := h.say(u, fmt.Sprintf("/start e%d", c.event.ID), "Добрая дорога детства")
		for _, l := range labels(card) {
			if strings.Contains(l, "Заявки") || strings.Contains(l, "Работы") || strings.Contains(l, "Архив") {
				t.Errorf("%d is offered %q", u.ID, l)
			}
		}
		for _, data := range []string{cb(cbEventApplications, c.event.ID, 0), cb(cbEventWorks, c.event.ID), cb(cbEventWorksZip, c.event.ID)} {
			a := h.forge(u, card.ID, data)
			if !a.ShowAlert || (!strings.Contains(a.Text, "только организаторам") && a.Text != "Это действие вам недоступно.") {
				t.Errorf("%d pressing %s: %q (alert %v)", u.ID, data, a.Text, a.ShowAlert)
			}
		}
		for _, m := range h.tg.BotMessages(u.ID) {
			for _, s := range append(personal, "Иванова М. П.") {
				if strings.Contains(m.PlainText(), s) && u != ivanova {
					t.Errorf("%d was shown %q", u.ID, s)
				}
			}
			if m.Document != nil || m.Photo != nil || m.Video != nil {
				t.Errorf("%d got a file: %+v", u.ID, m)
			}
		}
	}
	if n, _ := h.store.OutboxPendingCount(h.ctx()); n != 0 {
		t.Errorf("%d messages queued by refused presses", n)
	}
	h.noPersonalDataInLogs()
}

// startSender runs the outbox sender against the emulator until stop,
// which waits for the sends in flight to be recorded.
func (h *harness) startSender() (stop func()) {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := scheduler.NewSender(h.store, scheduler.Gateway{G: h.bot.tg, Render: h.bot.RenderCertificate}, scheduler.SenderConfig{Rate: 1000})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil {
			h.t.Errorf("sender: %v", err)
		}
	}()
	var once bool
	stop = func() {
		if !once {
			once = true
			cancel()
			<-done
		}
	}
	h.t.Cleanup(stop)
	return stop
}

// sentItem is one file as it reached the chat: its id, the caption of its
// album (on the first item) and the album it came in ("" alone).
type sentItem struct {
	id, caption, album string
}

// TestWorksInTheChatSurviveARestart: «📎 Работы (6)» answers at once,
// then the works arrive through the outbox, an opening message, a header
// per organisation in order, each participant's albums with the caption
// naming them, a closing message; the bot restarts in the middle and
// nothing is sent twice or skipped. A second press while they go out adds
// nothing.
func TestWorksInTheChatSurviveARestart(t *testing.T) {
	h := newHarness(t, nil)
	c := h.seedContest()
	h.say(coordinator, fmt.Sprintf("/start e%d", c.event.ID), "Добрая дорога детства")
	start := h.tg.Version()
	a, _ := h.press(coordinator, "📎 Работы (6)")
	if a.Text != "Отправляю 6 работ от 3 участников…" || a.ShowAlert {
		t.Fatalf("the press was answered %q (alert %v)", a.Text, a.ShowAlert)
	}
	a, _ = h.press(coordinator, "📎 Работы (6)")
	if !strings.Contains(a.Text, "уже отправляются: в очереди ещё 8 сообщений") {
		t.Fatalf("a second press: %q", a.Text)
	}

	stop := h.startSender()
	h.waitFor(coordinator.ID, "СОШ №1 · Иванова М. П. · команда 5Б · 3 файла")
	stop()
	if n, _ := h.store.OutboxPendingCount(h.ctx()); n == 0 {
		t.Fatal("everything went before the restart: the test proves nothing")
	}
	h.restart()
	stop = h.startSender()
	h.waitFor(coordinator.ID, "Это все работы «Добрая дорога детства»")
	stop() // every send recorded

	var (
		texts []string
		files []sentItem
	)
	for _, m := range h.tg.BotMessages(coordinator.ID) {
		if m.Version <= start {
			continue
		}
		switch {
		case m.Photo != nil:
			files = append(files, sentItem{m.Photo.ID, m.PlainText(), m.MediaGroupID})
		case m.Video != nil:
			files = append(files, sentItem{m.Video.ID, m.PlainText(), m.MediaGroupID})
		case m.Document != nil:
			files = append(files, sentItem{m.Document.ID, m.PlainText(), m.MediaGroupID})
		default:
			texts = append(texts, m.PlainText())
		}
	}
	wantTexts := []string{
		"📎 Работы: Добрая дорога детства\n6 файлов от 3 участников из 2 организаций.",
		"🏫 СОШ №1 · 2 участника, 4 файла\n" + school1.Name,
		"🏫 СОШ №2 · 1 участник, 2 файла\n" + school2.Name,
		"✅ Это все работы «Добрая дорога детства».",
	}
	if len(texts) != len(wantTexts) {
		t.Fatalf("texts: %q", texts)
	}
	for i, w := range wantTexts {
		if !strings.HasPrefix(texts[i], w) {
			t.Errorf("text %d: %q, want %q…", i, texts[i], w)
		}
	}
	ivanovaCap := "СОШ №1 · Иванова М. П. · команда 5Б · 3 файла"
	want := []sentItem{
		{c.photo.ID, ivanovaCap, "album1"}, {c.video.ID, "", "album1"}, // photos and videos together
		{c.doc.ID, ivanovaCap, ""}, // the document alone
		{c.x.ID, "СОШ №1 · Петрова А. С. · 1 файл", ""},
		{c.poem.ID, "СОШ №2 · Алиева З. М. · 2 файла", "album2"}, {"", "", "album2"}, // documents together
	}
	if len(files) != len(want) {
		t.Fatalf("%d files reached the chat, want %d (none twice): %+v", len(files), len(want), files)
	}
	albums := map[string]string{}
	for i, w := range want {
		got := files[i]
		if (w.id != "" && got.id != w.id) || got.caption != w.caption {
			t.Errorf("file %d: %+v, want %+v", i, got, w)
		}
		if w.album == "" {
			if got.album != "" {
				t.Errorf("file %d came in an album", i)
			}
			continue
		}
		if prev, ok := albums[w.album]; ok && prev != got.album || got.album == "" {
			t.Errorf("file %d is not in the album of its participant: %+v", i, got)
		}
		albums[w.album] = got.album
	}
	// Nothing left behind, nothing failed.
	if n, _ := h.store.OutboxPendingCount(h.ctx()); n != 0 {
		t.Errorf("%d entries still pending", n)
	}
	// Once sent, a press sends them again.
	a, _ = h.press(coordinator, "🗜 Архивом")
	if a.Text != "Собираю архив…" {
		t.Errorf("«🗜 Архивом» under the closing message: %q", a.Text)
	}
	h.noPersonalDataInLogs()
}

// readZip opens a ZIP the bot sent and returns its files by name.
func readZip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the archive does not open: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

func TestWorksAsAZip(t *testing.T) {
	h := newHarness(t, nil)
	c := h.seedContest()
	h.say(coordinator, fmt.Sprintf("/start e%d", c.event.ID), "Добрая дорога детства")
	a, _ := h.press(coordinator, "🗜 Архивом", "Собираю архив «Добрая дорога детства»: 6 файлов")
	if a.Text != "Собираю архив…" {
		t.Errorf("the press: %q", a.Text)
	}
	m := h.waitFor(coordinator.ID, "Работы «Добрая дорога детства»: 6 файлов")
	if m.Document == nil || m.Document.Name != "Работы — Добрая дорога детства.zip" {
		t.Fatalf("the archive: %+v", m.Document)
	}
	files := readZip(t, m.Document.Content)
	want := map[string]string{
		"СОШ №1/Иванова М.П. - 1.jpg": "рисунок Ивановой",
		"СОШ №1/Иванова М.П. - 2.mp4": "видео Ивановой",
		"СОШ №1/Иванова М.П. - 3.pdf": "%PDF Ивановой",
		"СОШ №1/Петрова А.С. - 1.jpg": "рисунок Петровой",
		"СОШ №2/Алиева З.М. - 1.docx": "стихи Алиевой",
		"СОШ №2/Алиева З.М. - 2.pdf":  "%PDF Алиевой",
	}
	for name, body := range want {
		if got, ok := files[name]; !ok || string(got) != body {
			t.Errorf("%s: %q (there: %v)", name, got, ok)
		}
	}
	index, ok := files["Опись.csv"]
	if !ok || len(files) != len(want)+1 {
		t.Fatalf("the archive holds %d files: %v", len(files), keys(files))
	}
	if !bytes.HasPrefix(index, []byte("\ufeff")) {
		t.Error("the index has no byte order mark: Excel would misread it")
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(index, []byte("\ufeff"))))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 7 {
		t.Fatalf("the index: %d rows, %v", len(rows), err)
	}
	if got := strings.Join(rows[1], "|"); !strings.HasPrefix(got, "СОШ №1/Иванова М.П. - 1.jpg|СОШ №1|Иванова Мария Петровна|5Б|подтверждена|photo.jpg|") {
		t.Errorf("the index's first row: %q", got)
	}
	if h.tg.Calls("getFile") != 6 {
		t.Errorf("%d getFile calls for 6 works", h.tg.Calls("getFile"))
	}
	h.noPersonalDataInLogs()
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Works over the Bot API's limits: the refusal names each file over 20 MB
// with its size, or says that all together are over 50 MB, downloads
// nothing, and offers the chat, which works.
func TestWorksZipOverTheLimits(t *testing.T) {
	h := newHarness(t, nil)
	c := h.seedContest()
	// What Telegram said of the files' sizes is what the bot goes by.
	big := func(u telegramtest.User, sizes ...int64) {
		reg, err := h.store.Registration(h.ctx(), c.event.ID, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range reg.Application.Works {
			if _, err := h.store.RemoveWork(h.ctx(), c.event.ID, u.ID, w.FileUniqueID, h.clock.Now()); err != nil {
				t.Fatal(err)
			}
			if i < len(sizes) {
				w.Size = sizes[i]
			}
			if _, err := h.store.AddWork(h.ctx(), c.event.ID, u.ID, w, h.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	big(ivanova, 1<<20, 25<<20) // the video: 25 MB
	h.say(coordinator, fmt.Sprintf("/start e%d", c.event.ID), "Добрая дорога детства")
	_, m := h.press(coordinator, "🗜 Архивом", "Одним архивом работы «Добрая дорога детства» не отправить")
	for _, s := range []string{"СОШ №1 · Иванова М. П.: ролик.mp4 — 25,0 МБ", "не больше 20,0 МБ", "в чат"} {
		if !strings.Contains(m.PlainText(), s) {
			t.Errorf("the refusal lacks %q:\n%s", s, m.PlainText())
		}
	}
	if strings.Contains(m.PlainText(), "50,0 МБ") {
		t.Errorf("the refusal speaks of the upload limit:\n%s", m.PlainText())
	}

	big(ivanova, 18<<20, 18<<20, 18<<20) // each within 20 MB, 54 MB together
	_, m = h.press(coordinator, "🗜 Архивом", "весят 54,")
	if !strings.Contains(m.PlainText(), "не больше 50,0 МБ") || strings.Contains(m.PlainText(), "•") {
		t.Errorf("the refusal over the upload limit:\n%s", m.PlainText())
	}
	if n := h.tg.Calls("getFile"); n != 0 {
		t.Errorf("%d downloads for an archive that cannot be sent", n)
	}
	a, _ := h.press(coordinator, "📎 Прислать в чат (6)")
	if a.Text != "Отправляю 6 работ от 3 участников…" {
		t.Errorf("the chat offered instead: %q", a.Text)
	}
}

// The bot stops while downloading: the archive is not sent half made, and
// the coordinator is told through the outbox to press again; other users
// are answered meanwhile.
func TestWorksZipCutShortByARestart(t *testing.T) {
	h := newHarness(t, func(b *Bot) { b.cfg.ShutdownGrace = 300 * time.Millisecond })
	c := h.seedContest()
	h.say(coordinator, fmt.Sprintf("/start e%d", c.event.ID), "Добрая дорога детства")
	h.tg.FailNext("getFile", 0, telegramtest.Slow(time.Minute), 1)
	h.press(coordinator, "🗜 Архивом", "Собираю архив")
	if a, _ := h.press(coordinator, "🗜 Архивом"); !strings.Contains(a.Text, "Архив уже собирается") {
		t.Errorf("a second press while it is made: %q", a.Text)
	}
	// While the download hangs, the coordinator and others are answered.
	h.say(coordinator, "/help", "Команды")
	h.say(ivanova, "/my", "Добрая дорога детства")
	h.restart()
	h.startSender()
	m := h.waitFor(coordinator.ID, "не успел собраться", "Нажмите кнопку ещё раз")
	if !slices.Contains(labels(m), "🗜 Архивом") {
		t.Fatalf("the notice's buttons: %q", labels(m))
	}
	for _, m := range h.tg.BotMessages(coordinator.ID) {
		if m.Document != nil {
			t.Fatalf("an archive was sent: %+v", m.Document)
		}
	}
	h.press(coordinator, "🗜 Архивом", "Собираю архив")
	h.waitFor(coordinator.ID, "Работы «Добрая дорога детства»: 6 файлов")
}

// Old and malformed buttons: a bad id is stale, a deleted event is gone,
// an event without works says so, a page past the end shows the last, and
// an event without a form has no «📋 Заявки» at all.
func TestWorksButtonsStaleOrGone(t *testing.T) {
	h := newHarness(t, nil)
	c := h.seedContest()
	plain := h.event(c.gibdd, func(e *storage.Event) { e.Title = "Школа безопасности" })
	noWorks := h.event(c.gibdd, func(e *storage.Event) {
		e.Title, e.Form = "Солдаты Победы", storage.Form{Phone: storage.NeedOptional, Works: &storage.WorksSpec{MaxFiles: 2}}
	})
	card := h.say(coordinator, fmt.Sprintf("/start e%d", plain.ID), "Школа безопасности")
	for _, l := range labels(card) {
		if strings.Contains(l, "Заявки") || strings.Contains(l, "Работы") {
			t.Errorf("an event without a form offers %q", l)
		}
	}
	card = h.say(coordinator, fmt.Sprintf("/start e%d", noWorks.ID), "Солдаты Победы")
	if !slices.Contains(labels(card), "📋 Заявки") || slices.ContainsFunc(labels(card), func(l string) bool { return strings.Contains(l, "Работы") }) {
		t.Errorf("an event with a form and no works yet: %q", labels(card))
	}
	for _, tc := range []struct{ data, want string }{
		{"wk:abc", "неактуальна"},
		{"wz:", "неактуальна"},
		{"ap:" + fmt.Sprint(c.event.ID), "неактуальна"},
		{cb(cbEventWorks, 99999), "больше нет"},
		{cb(cbEventWorksZip, 99999), "больше нет"},
		{cb(cbEventWorks, noWorks.ID), "Работ пока нет"},
		{cb(cbEventWorksZip, noWorks.ID), "Работ пока нет"},
	} {
		if a := h.forge(coordinator, card.ID, tc.data); !strings.Contains(a.Text, tc.want) {
			t.Errorf("%s: %q, want %q", tc.data, a.Text, tc.want)
		}
	}
	h.press(coordinator, "📋 Заявки", "Заявок пока нет")
	v := h.tg.Version()
	h.forge(coordinator, card.ID, cb(cbEventApplications, c.event.ID, 40))
	if m, err := h.tg.WaitBotMessageAfter(h.ctx(), coordinator.ID, v, contains("стр. 1 из 1", "Иванова Мария Петровна")); err != nil {
		t.Fatalf("a page past the end: %v (%+v)", err, m)
	}
	if n, _ := h.store.OutboxPendingCount(h.ctx()); n != 0 {
		t.Errorf("%d messages queued by old buttons", n)
	}
}
