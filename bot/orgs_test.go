package bot

import (
	"strings"
	"testing"

	"vmeste/storage"
)

func TestAdminManagesOrganisations(t *testing.T) {
	h := newHarness(t, nil)
	h.say(admin, "/orgs", "Организации", "Пока ни одной")
	h.press(admin, "➕ Добавить", "Полное название")
	h.say(admin, "Ш", "от 2 до 200")
	h.say(admin, `МКОУ "СОШ №2" <Тырныауз> & Co`, "Краткое название")
	h.say(admin, "СОШ №2", "Вид организации")
	h.say(admin, "школа", "кнопкой")
	h.press(admin, "Школа (ОО)", "Контакт")
	h.press(admin, "Пропустить", `МКОУ "СОШ №2" <Тырныауз> & Co`, "Краткое название: СОШ №2")

	list, _ := h.store.Organisations(h.ctx())
	if len(list) != 1 || list[0].Kind != storage.KindSchool || list[0].Contact != "" {
		t.Fatalf("stored: %+v", list)
	}
	// The raw message is escaped HTML (the emulator refused it otherwise).
	m, _ := h.tg.LastBotMessage(admin.ID)
	if !strings.Contains(m.Text, "&lt;Тырныауз&gt; &amp; Co") {
		t.Errorf("the name was not escaped: %q", m.Text)
	}

	h.press(admin, "✏️ Вид", "Вид организации")
	h.press(admin, "ГИБДД", "Вид: ГИБДД")
	h.press(admin, "✏️ Контакт", "Контакт")
	h.say(admin, "+7 (86638) 4-00-00", "Сохранено")
	if o, _ := h.store.Organisation(h.ctx(), list[0].ID); o.Kind != storage.KindTrafficPolice || o.Contact != "+7 (86638) 4-00-00" {
		t.Errorf("edit: %+v", o)
	}

	// Removal is refused while a teacher belongs to it.
	h.register(teacher, "Иванова Мария", `МКОУ "СОШ №2" <Тырныауз> & Co`)
	h.say(admin, "/orgs", "1.")
	h.press(admin, "1. СОШ №2", "Пользователей: 1")
	h.press(admin, "🗑 Удалить", "Удалить организацию")
	ans, _ := h.press(admin, "Да, удалить")
	if !ans.ShowAlert || !strings.Contains(ans.Text, "Удалить нельзя") {
		t.Errorf("removal in use answered %+v", ans)
	}
	if _, err := h.store.Organisation(h.ctx(), list[0].ID); err != nil {
		t.Fatalf("removed while in use: %v", err)
	}
	// Added without users, it can be removed.
	ids := h.seedOrgs(crtdiu)
	h.say(admin, "/orgs", "2.")
	h.press(admin, "1. ЦРТДиЮ", "ЦРТДиЮ")
	h.press(admin, "🗑 Удалить", "Удалить организацию")
	h.press(admin, "Да, удалить", "Организации")
	if _, err := h.store.Organisation(h.ctx(), ids[0]); !storage.IsNotFound(err) {
		t.Errorf("not removed: %v", err)
	}
}

func TestOrganisationListPages(t *testing.T) {
	h := newHarness(t, nil)
	for i := 0; i < 25; i++ {
		h.seedOrgs(storage.Organisation{Name: "Организация " + string(rune('А'+i)), Kind: storage.KindOtherOrg})
	}
	h.say(admin, "/orgs", "Организации: 25", "1. Организация А")
	_, m := h.press(admin, "Далее ›", "11. Организация")
	h.press(admin, "Далее ›", "21. Организация")
	_, m2 := h.press(admin, "‹ Назад", "11. Организация")
	if m.ID != m2.ID {
		t.Error("paging did not edit the same message")
	}
}

func TestImportOrganisationsCSV(t *testing.T) {
	h := newHarness(t, nil)
	h.seedOrgs(school1)
	h.say(admin, "/orgs", "Организации")
	h.press(admin, "📥 Импорт CSV", "CSV-файл")

	v := h.tg.Version()
	h.tg.SendDocument(admin, "plan.xlsx", "application/vnd.ms-excel", []byte("PK\x03\x04"), "")
	if _, err := h.tg.WaitBotMessageAfter(h.ctx(), admin.ID, v, contains("не похоже на CSV")); err != nil {
		t.Fatal(err)
	}

	csv := "название;краткое;вид;контакт\n" +
		"МКОУ «СОШ №2»;СОШ №2;школа;+7 000\n" +
		"МКДОУ «Солнышко»;Солнышко;ДОУ;\n" +
		"Кто-то;К;пришельцы;\n" +
		school1.Name + ";дубль;школа;\n" +
		"Одна колонка\n" +
		"Совет ветеранов Эльбрусского района;Совет ветеранов;совет ветеранов;\n"
	v = h.tg.Version()
	h.tg.SendDocument(admin, "orgs.csv", "text/csv", []byte(csv), "")
	m, err := h.tg.WaitBotMessageAfter(h.ctx(), admin.ID, v, contains("Прочитано 6 строк"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Будут добавлены 3 организации", "Не удалось прочитать 3 строки", "строка 4: неизвестный вид «пришельцы»", "строка 5: «МКОУ „СОШ №1“ г.п. Тырныауз» уже есть", "строка 6: меньше трёх столбцов"} {
		if !strings.Contains(m.PlainText(), want) {
			t.Errorf("report lacks %q:\n%s", want, m.PlainText())
		}
	}
	if list, _ := h.store.Organisations(h.ctx()); len(list) != 1 {
		t.Fatalf("saved before confirmation: %d organisations", len(list))
	}

	h.restart() // the rows wait in bbolt

	// A double tap on Save saves once.
	q1, err := h.tg.PressButton(admin, admin.ID, "Сохранить 3")
	if err != nil {
		t.Fatal(err)
	}
	q2 := h.tg.Callback(admin, admin.ID, m.ID, cbOrgImportSave)
	for _, q := range []string{q1, q2} {
		if _, err := h.tg.WaitCallbackAnswered(h.ctx(), q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.tg.WaitBotMessage(h.ctx(), admin.ID, contains("Сохранены 3 организации")); err != nil {
		t.Fatal(err)
	}
	list, _ := h.store.Organisations(h.ctx())
	if len(list) != 4 {
		t.Fatalf("after import: %d organisations, want 4", len(list))
	}
}

func TestImportWithNothingGood(t *testing.T) {
	h := newHarness(t, nil)
	v := h.tg.Version()
	h.tg.SendDocument(admin, "orgs.csv", "text/csv", []byte("a,b,zzz\n"), "") // sent directly, without /orgs
	m, err := h.tg.WaitBotMessageAfter(h.ctx(), admin.ID, v, contains("Сохранять нечего"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Buttons) != 0 {
		t.Errorf("a save button with nothing to save: %+v", m.Buttons)
	}
	// A teacher's CSV is not an import.
	v = h.tg.Version()
	h.tg.SendDocument(teacher, "orgs.csv", "text/csv", []byte("Школа,Ш,школа\n"), "")
	if _, err := h.tg.WaitBotMessageAfter(h.ctx(), teacher.ID, v, contains("/start")); err != nil {
		t.Fatal(err)
	}
}

func TestOrganiserOfAnEventCannotBeRemoved(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(gibdd)
	h.event(ids[0], nil)
	h.say(admin, "/orgs", "Организации: 1")
	h.press(admin, "1. ГИБДД", "ГИБДД")
	h.press(admin, "🗑 Удалить", "Удалить организацию")
	ans, _ := h.press(admin, "Да, удалить", "организатор 1 мероприятия")
	if !ans.ShowAlert {
		t.Error("the refusal was not shown as an alert")
	}
	if _, err := h.store.Organisation(h.ctx(), ids[0]); err != nil {
		t.Fatalf("removed: %v", err)
	}
}
