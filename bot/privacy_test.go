package bot

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// A teacher who asks to be forgotten, with an id no other number in the
// database is likely to share.
var forgetful = telegramtest.User{ID: 770001234, FirstName: "Анна", LanguageCode: "ru"}

const (
	forgetfulName  = "Забываемая Анна Сергеевна"
	forgetfulPhone = "+79287770011"
)

var forgetfulPupils = []storage.Pupil{{Name: "Пупкин Василий", Class: "5Б"}, {Name: "Сидорова Ольга", Class: "5Б"}}

func TestConsentRefusedLeavesOnlyPublicInformation(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	e := h.event(ids[0], nil)

	h.say(teacher, "/start", "Выберите язык")
	_, m := h.press(teacher, "✓ Русский", "Согласие на обработку персональных данных", "Оператор — Управление образования",
		"ФИО, организацию, должность, телефон и данные учеников", "/forget")
	if labels := buttonLabels(m); !strings.Contains(labels, "✅ Согласен(на)") || !strings.Contains(labels, "Не согласен(на)") {
		t.Fatalf("consent buttons: %s", labels)
	}
	h.press(teacher, "Не согласен(на)", "только сведения о мероприятиях", "/start")
	u := h.user(teacher.ID)
	if c, ok := u.Consent(); u.Registered || !ok || c.Given || c.Version != h.bot.consentVersion || c.At.IsZero() {
		t.Fatalf("after a refusal: registered %v, consent %+v", u.Registered, u.Consents)
	}

	// Public information: the list, the card, its regulations; /help.
	h.say(teacher, "/events", "Ближайшие мероприятия", "Безопасное колесо")
	h.press(teacher, "1. Безопасное колесо", "Организаторы", "ЦРТДиЮ")
	a, _ := h.press(teacher, "✅ Записаться")
	if !a.ShowAlert || !strings.Contains(a.Text, "согласие") || !strings.Contains(a.Text, "/start") {
		t.Errorf("sign-up without consent answered %+v", a)
	}
	h.say(teacher, "/help", "/events")
	// Nothing else.
	for _, cmd := range []string{"/my", "/settings", "/profile", "/newevent"} {
		h.say(teacher, cmd, "только сведения о мероприятиях")
	}
	if _, err := h.store.Registration(h.ctx(), e.ID, teacher.ID); !storage.IsNotFound(err) {
		t.Errorf("a registration without consent: %v", err)
	}
	if u := h.user(teacher.ID); u.FullName != "" || u.OrgID != 0 {
		t.Errorf("personal data stored without consent: %+v", u)
	}

	// Changing her mind: /start asks again, and onboarding goes on.
	h.say(teacher, "/start", "Выберите язык")
	h.press(teacher, "✓ Русский", "Согласие на обработку персональных данных")
	h.say(teacher, "Иванова Мария", "кнопкой") // a name typed instead of an answer
	h.press(teacher, "✅ Согласен(на)", "согласие сохранено")
	h.say(teacher, "Иванова Мария", "Выберите вашу организацию")
	h.press(teacher, school1.Name, "Ваша должность")
	h.press(teacher, "Классный руководитель", "вы зарегистрированы")
	if u := h.user(teacher.ID); !u.Registered || !u.ConsentGiven(h.bot.consentVersion) || len(u.Consents) != 2 {
		t.Errorf("after agreeing: %+v", u)
	}
	h.say(teacher, "/my", "ни на что не записаны")
}

func TestChangedOperatorAsksRegisteredUsersAgain(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.event(ids[0], nil)
	h.register(teacher, "Иванова Мария", school1.Name)
	first := h.bot.consentVersion

	// The department's name is configured now: a new text, a new version.
	const operator = "МКУ «Управление образования Эльбрусского муниципального района»"
	h.setup = func(b *Bot) {
		b.cfg.Operator = operator
		b.consentVersion = ConsentVersion(b.catalog, operator)
	}
	h.restart()
	if h.bot.consentVersion == first {
		t.Fatal("the version did not change with the operator")
	}

	// Public views still work; her next action asks, and then runs.
	h.say(teacher, "/events", "Ближайшие мероприятия")
	v := h.tg.Version()
	h.tg.SendText(teacher, "/my")
	h.driver().Expect(teacher.ID, v, "Текст согласия", "изменился", "Управление образования Эльбрусского муниципального района")
	h.noBotMessageSays(teacher.ID, "ни на что не записаны")
	if u := h.user(teacher.ID); u.ConsentGiven(h.bot.consentVersion) {
		t.Fatal("agreed before answering")
	}
	h.restart() // the held /my survives: it is in bbolt
	h.press(teacher, "✅ Согласен(на)", "ни на что не записаны")
	if u := h.user(teacher.ID); !u.ConsentGiven(h.bot.consentVersion) || len(u.Consents) != 2 {
		t.Errorf("consents: %+v", u.Consents)
	}
	// Answered once: nothing asks again.
	h.say(teacher, "/profile", "Профиль")

	// A colleague's deep link, held while she is asked, opens the card
	// once she agrees; refusing leaves her the public views.
	h.register(teacher2, "Ахматов Ахмат", school1.Name)
	h.setup = func(b *Bot) {
		b.cfg.Operator = "МКУ «Управление образования»"
		b.consentVersion = ConsentVersion(b.catalog, b.cfg.Operator)
	}
	h.restart()
	h.say(teacher2, "/start e1", "изменился", "МКУ «Управление образования»")
	h.press(teacher2, "Не согласен(на)", "только сведения о мероприятиях", "/forget")
	h.say(teacher2, "/my", "изменился") // asked again at the next action
	h.say(teacher2, "/start e1", "изменился")
	h.press(teacher2, "✅ Согласен(на)", "Безопасное колесо", "Организаторы")

	// A button pressed after a restart with yet another text records
	// nothing and shows the new one.
	h.setup = func(b *Bot) {
		b.cfg.Operator = "Отдел образования"
		b.consentVersion = ConsentVersion(b.catalog, b.cfg.Operator)
	}
	h.restart()
	newcomer := telegramtest.User{ID: 2009, FirstName: "Залина", LanguageCode: "ru"}
	h.say(newcomer, "/start", "Выберите язык")
	h.press(newcomer, "✓ Русский", "Отдел образования")
	data := cb(cbConsent, "y", first)
	m := h.lastBot(newcomer.ID)
	a := h.forge(newcomer, m.ID, data)
	if !strings.Contains(a.Text, "изменился") {
		t.Errorf("an old version's button answered %q", a.Text)
	}
	if u := h.user(newcomer.ID); len(u.Consents) != 0 {
		t.Errorf("an old version's button recorded %+v", u.Consents)
	}
}

// contestWithForm stores a published team contest starting in a week whose form
// lists pupils and asks the phone and one question.
func (h *harness) contestWithForm(org int64, title string) storage.Event {
	h.t.Helper()
	return h.event(org, func(e *storage.Event) {
		e.Title, e.Unit, e.MaxTeam, e.Kind = title, storage.UnitTeam, 5, storage.EventContest
		e.Form = storage.Form{Pupils: true, Phone: storage.NeedRequired,
			Questions: []storage.Question{{ID: 1, Text: "Номинация", Kind: storage.QuestionChoice, Options: []string{"Рисунок", "Плакат"}}},
			Works:     &storage.WorksSpec{MaxFiles: 3}}
	})
}

// signUpWithApplication signs u up for e with an application of phone and pupils,
// as the application wizard would store it.
func (h *harness) signUpWithApplication(u telegramtest.User, e storage.Event, at time.Time, phone string, pupils ...storage.Pupil) storage.Registration {
	h.t.Helper()
	app := &storage.Application{Phone: phone, Pupils: pupils, ParentsConsentAt: at,
		Answers: []storage.Answer{{QuestionID: 1, Text: "Плакат"}}}
	r, err := h.store.Register(h.ctx(), storage.SignUp{EventID: e.ID, UserID: u.ID, Application: app}, at)
	if err != nil {
		h.t.Fatalf("Register: %v", err)
	}
	return r
}

func TestMyDataSendsAFileWithEverything(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, crtdiu)
	h.register(forgetful, forgetfulName, school1.Name)
	e := h.contestWithForm(ids[1], "Добрая дорога детства")
	h.signUpWithApplication(forgetful, e, h.clock.Now(), forgetfulPhone, forgetfulPupils...)
	work := storage.Work{FileID: "AgAD-file", FileUniqueID: "u1", Kind: storage.WorkDocument, FileName: "Рисунок Пупкина.pdf"}
	if _, err := h.store.AddWork(h.ctx(), e.ID, forgetful.ID, work, h.clock.Now()); err != nil {
		t.Fatal(err)
	}

	v := h.tg.Version()
	h.say(forgetful, "/mydata", "Всё, что бот хранит о вас")
	var doc *telegramtest.File
	for _, m := range h.tg.BotMessages(forgetful.ID) {
		if m.Version > v && m.Document != nil {
			doc = m.Document
		}
	}
	if doc == nil {
		t.Fatal("no document")
	}
	if !strings.HasSuffix(doc.Name, ".txt") || !bytes.HasPrefix(doc.Content, []byte("\ufeff")) {
		t.Errorf("file %q, starts %q: want a .txt with a byte-order mark", doc.Name, doc.Content[:min(8, len(doc.Content))])
	}
	text := string(doc.Content)
	for _, want := range []string{forgetfulName, school1.Name, "Классный руководитель", "Telegram ID: 770001234",
		"согласие дано (версия текста " + h.bot.consentVersion + ")",
		"«Добрая дорога детства»", "Запись: подтверждена", "Команда: 2 ученика", "Телефон: " + forgetfulPhone,
		"1. Пупкин Василий, 5Б", "2. Сидорова Ольга, 5Б", "Номинация: Плакат", "Работы:", "Рисунок Пупкина.pdf, загружена", "Оператор персональных данных: Управление образования",
		"/forget"} {
		if !strings.Contains(text, want) {
			t.Errorf("the file lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "&quot;") || strings.Contains(text, "&#") || strings.Contains(text, "<b>") {
		t.Errorf("HTML in a text file:\n%s", text)
	}
}

// dbTraces stops the bot, walks every bucket of the database file (nested
// ones too) for the texts and for id (as a decimal number in a value, or
// 8 bytes big-endian anywhere), reads the report's figures of the events
// (per event: registrations in each state, pupils, attendance, results;
// per organisation: registrations in each state, pupils, teachers), and
// starts the bot again.
func (h *harness) dbTraces(id int64, events []int64, texts ...string) (traces []string, counts map[string]int) {
	h.t.Helper()
	h.stop()
	defer h.start()
	db, err := bolt.Open(h.dbPath, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	decimal := regexp.MustCompile(`(^|[^0-9])` + strconv.FormatInt(id, 10) + `([^0-9]|$)`)
	binID := binary.BigEndian.AppendUint64(nil, uint64(id))
	var walk func(path string, b *bolt.Bucket) error
	walk = func(path string, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			where := fmt.Sprintf("%s/%x", path, k)
			if v == nil && b.Bucket(k) != nil {
				return walk(where, b.Bucket(k))
			}
			for _, s := range texts {
				if bytes.Contains(k, []byte(s)) || bytes.Contains(v, []byte(s)) {
					traces = append(traces, fmt.Sprintf("%s holds %q: %s", where, s, v))
				}
			}
			if decimal.Match(v) {
				traces = append(traces, fmt.Sprintf("%s holds the id: %s", where, v))
			}
			if bytes.Contains(k, binID) || bytes.Contains(v, binID) {
				traces = append(traces, where+" holds the id as 8 bytes")
			}
			return nil
		})
	}
	counts = map[string]int{}
	teachers := map[string]bool{}
	err = db.View(func(tx *bolt.Tx) error {
		if err := tx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(string(name), b) }); err != nil {
			return err
		}
		return tx.Bucket([]byte("regs")).ForEach(func(_, v []byte) error {
			var r storage.Registration
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if !slices.Contains(events, r.EventID) {
				return nil
			}
			org := r.OrgID
			if org == 0 {
				var u storage.User
				if data := tx.Bucket([]byte("users")).Get(binary.BigEndian.AppendUint64(nil, uint64(r.UserID))); data != nil {
					_ = json.Unmarshal(data, &u)
					org = u.OrgID
				}
			}
			ev := fmt.Sprintf("event %d", r.EventID)
			counts[ev+" "+string(r.State)]++
			counts[fmt.Sprintf("org %d %s", org, r.State)]++
			if r.State == storage.RegConfirmed {
				counts[ev+" pupils"] += r.TeamSize
				counts[fmt.Sprintf("org %d pupils", org)] += r.TeamSize
				teachers[fmt.Sprintf("org %d teachers/%d", org, r.UserID)] = true
			}
			if r.Attended != nil && *r.Attended {
				counts[ev+" attended"]++
			}
			if r.Result != "" {
				counts[ev+" result "+r.Result]++
			}
			return nil
		})
	})
	if err != nil {
		h.t.Fatal(err)
	}
	for k := range teachers {
		org, _, _ := strings.Cut(k, "/")
		counts[org]++
	}
	return traces, counts
}

func TestForgetLeavesNoPersonalDataAndKeepsCounts(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, crtdiu)
	h.makeCoordinator(coordinator, ids[1])
	h.register(forgetful, forgetfulName, school1.Name)
	others := h.teachers(5001, 2, ids[0])

	// A contest she took part in with two pupils, now over: came, won.
	past := h.contestWithForm(ids[1], "Добрая дорога детства")
	h.signUpWithApplication(forgetful, past, h.clock.Now(), forgetfulPhone, forgetfulPupils...)
	h.signUpWithApplication(others[0], past, h.clock.Now(), "+79280000000", storage.Pupil{Name: "Чужой Ученик", Class: "3А"})
	// An upcoming event of one seat: hers, with a colleague waiting.
	seat := h.event(ids[1], func(e *storage.Event) {
		e.Title, e.Capacity, e.Start = "Безопасное колесо", 1, h.clock.Now().Add(30*24*time.Hour)
	})
	h.signUpThroughCard(forgetful, seat.ID, "✅ Записаться", "Вы записаны")
	h.signUpThroughCard(others[1], seat.ID, waitLabel, "листе ожидания")
	// The coordinator's notice that names her.
	if err := h.store.Enqueue(h.ctx(), []storage.OutboxEntry{{ChatID: coordinator.ID, UserID: coordinator.ID,
		Content: storage.Content{Text: "Новая заявка: " + forgetfulName + ", " + forgetfulPhone + ", " + forgetfulPupils[0].Name},
		Origin:  storage.Origin{Kind: storage.OriginNotice, Key: "test"}}}); err != nil {
		t.Fatal(err)
	}
	h.clock.advance(7*24*time.Hour + time.Hour)
	if err := h.store.SetAttendance(h.ctx(), past.ID, forgetful.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := h.store.SetResult(h.ctx(), past.ID, forgetful.ID, storage.ResultFirst, nil); err != nil {
		t.Fatal(err)
	}

	needles := []string{forgetfulName, forgetfulPhone, forgetfulPupils[0].Name, forgetfulPupils[1].Name}
	before, countsBefore := h.dbTraces(forgetful.ID, []int64{past.ID}, needles...)
	if len(before) < 4 {
		t.Fatalf("the setup holds too few traces to prove anything: %q", before)
	}

	h.say(forgetful, "/forget", "Удалить мои данные?", "учеников, которых вы вписали", "обезличенные числа")
	h.press(forgetful, "🗑 Да, удалить мои данные", "Ваши данные удалены")

	after, countsAfter := h.dbTraces(forgetful.ID, []int64{past.ID}, needles...)
	if len(after) > 0 {
		t.Errorf("personal data left after /forget:\n%s", strings.Join(after, "\n"))
	}
	// What the report counts of the contest that took place stays.
	if len(countsBefore) < 7 {
		t.Fatalf("too few figures: %v", countsBefore)
	}
	for k, v := range countsBefore {
		if countsAfter[k] != v {
			t.Errorf("%s: %d before, %d after", k, v, countsAfter[k])
		}
	}
	if len(countsAfter) != len(countsBefore) {
		t.Errorf("figures before %v, after %v", countsBefore, countsAfter)
	}
	// The upcoming seat went to the colleague in line, who is told; her
	// sign-up is kept as a cancelled one.
	_, seatCounts := h.dbTraces(forgetful.ID, []int64{seat.ID})
	if seatCounts[fmt.Sprintf("event %d confirmed", seat.ID)] != 1 || seatCounts[fmt.Sprintf("event %d cancelled", seat.ID)] != 1 ||
		seatCounts[fmt.Sprintf("event %d waitlist", seat.ID)] != 0 {
		t.Errorf("the seat's figures after /forget: %v", seatCounts)
	}
	if got, _ := h.store.Registration(h.ctx(), seat.ID, others[1].ID); got.State != storage.RegConfirmed {
		t.Errorf("the colleague in line is %s", got.State)
	}
	if n := h.notices(others[1].ID); len(n) != 1 || !strings.Contains(n[0], "Освободилось место") {
		t.Errorf("the colleague in line was told %q", n)
	}
	if n := h.notices(coordinator.ID); len(n) != 1 || !strings.Contains(n[0], "Новая заявка: участник удалил данные") {
		t.Errorf("the coordinator's notice now reads %q", n)
	}

	// The coordinator's lists name the anonymous participant.
	h.say(coordinator, fmt.Sprintf("/start e%d", past.ID), "Добрая дорога детства")
	h.press(coordinator, "👥 Участники", "участник удалил данные — СОШ №1", "2 учащихся", "1 место")
	h.press(coordinator, "« К мероприятию", "Добрая дорога детства")
	h.press(coordinator, "🏆 Итоги", "участник удалил данные")
	h.press(coordinator, "« К мероприятию", "Добрая дорога детства")
	_, apps := h.press(coordinator, "📋 Заявки", "участник удалил данные", "Чужой Ученик")
	if strings.Contains(apps.PlainText(), forgetfulPupils[0].Name) || strings.Contains(apps.PlainText(), forgetfulPhone) {
		t.Errorf("the applications still show her data:\n%s", apps.PlainText())
	}

	// She comes back as a newcomer.
	h.say(forgetful, "/my", "регистрацию")
	if u := h.user(forgetful.ID); u.Registered || u.FullName != "" || len(u.Consents) != 0 {
		t.Errorf("after /forget the user is %+v", u)
	}
}

func TestForgetAsksTheAuthorToHandOverFirst(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(crtdiu, school1)
	h.makeCoordinator(coordinator, ids[0])
	colleague := telegramtest.User{ID: 3002, FirstName: "Мадина", LanguageCode: "ru"}
	h.makeCoordinator(colleague, ids[0])
	stranger := telegramtest.User{ID: 3003, FirstName: "Залим", LanguageCode: "ru"}
	h.makeCoordinator(stranger, ids[1])
	for id, name := range map[int64]string{coordinator.ID: "Автор Мероприятия", colleague.ID: "Коллега Мадина", stranger.ID: "Чужой Залим"} {
		u := h.user(id)
		u.FullName = name
		if err := h.store.PutUser(h.ctx(), u); err != nil {
			t.Fatal(err)
		}
	}
	e := h.event(ids[0], nil) // published, by the coordinator

	h.say(coordinator, "/forget", "Вы автор мероприятий", "Безопасное колесо", "опубликовано", "«👤 Передать»")
	h.press(coordinator, "Безопасное колесо", "Организаторы")
	_, m := h.press(coordinator, "👤 Передать", "Кому передать «Безопасное колесо»")
	if labels := buttonLabels(m); !strings.Contains(labels, "Коллега Мадина") || strings.Contains(labels, "Чужой Залим") || strings.Contains(labels, "Автор Мероприятия") {
		t.Errorf("offered: %s", labels)
	}
	// A teacher cannot hand it over, nor the colleague who is not its author.
	if a := h.forge(colleague, m.ID, cb(cbHandOverYes, e.ID, colleague.ID)); !strings.Contains(a.Text, "только его автор") {
		t.Errorf("a non-author's hand-over answered %q", a.Text)
	}
	h.press(coordinator, "Коллега Мадина", "автором станет Коллега Мадина")
	h.press(coordinator, "✅ Передать", "Мероприятие передано", "Коллега Мадина")
	if got, err := h.store.Event(h.ctx(), e.ID); err != nil || got.CreatedBy != colleague.ID {
		t.Fatalf("event after the hand-over: %+v, %v", got, err)
	}
	if n := h.notices(colleague.ID); len(n) != 1 || !strings.Contains(n[0], "Вам передано мероприятие «Безопасное колесо»") {
		t.Errorf("the new author was told %q", n)
	}
	if n := h.notices(coordinator.ID); len(n) != 1 || !strings.Contains(n[0], "автор теперь — Коллега Мадина") {
		t.Errorf("the old author was told %q", n)
	}

	h.say(coordinator, "/forget", "Удалить мои данные?")
	h.press(coordinator, "🗑 Да, удалить мои данные", "Ваши данные удалены")
	if _, err := h.store.User(h.ctx(), coordinator.ID); !storage.IsNotFound(err) {
		t.Errorf("the coordinator is still stored: %v", err)
	}
	// The card still shows the event, run by the colleague.
	card := h.say(colleague, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	if !strings.Contains(buttonLabels(card), "👤 Передать") {
		t.Errorf("the new author's card: %s", buttonLabels(card))
	}
}
