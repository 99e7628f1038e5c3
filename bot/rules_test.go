package bot

import (
	"fmt"
	"strings"
	"testing"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// signUpThroughCard opens the event's card as u and presses its sign-up
// button (label: «✅ Записаться», or the waitlist's when the card shows
// the event full), waiting for the answer that contains want.
func (h *harness) signUpThroughCard(u telegramtest.User, eventID int64, label, want string) {
	h.t.Helper()
	h.say(u, fmt.Sprintf("/start e%d", eventID), "Безопасное колесо")
	if a, _ := h.press(u, label); !strings.Contains(a.Text, want) {
		h.t.Fatalf("teacher %d signing up was answered %q; want %q", u.ID, a.Text, want)
	}
}

// The card's sign-up buttons, with seats and when the event is full.
const (
	signUpLabel = "✅ Записаться"
	waitLabel   = "⏳ Встать в лист ожидания"
)

// noBotMessageSays fails if any bot message in the chat contains text.
func (h *harness) noBotMessageSays(chatID int64, text string) {
	h.t.Helper()
	for _, m := range h.tg.BotMessages(chatID) {
		if strings.Contains(m.Text, text) {
			h.t.Errorf("a bot message says %q: %q", text, m.Text)
		}
	}
}

// An edit opened before three teachers signed up cannot then set the
// capacity to 1: neither when it is typed after the sign-ups (the wizard
// reads what is signed up now), nor when it was typed before them and saved
// after (the storage transaction refuses, and the edit stays open at the
// capacity with the reason).
func TestEditOpenedBeforeSignupsCannotGoBelowThem(t *testing.T) {
	for _, typedFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("capacity typed before the sign-ups %v", typedFirst), func(t *testing.T) {
			h := newHarness(t, nil)
			ids := h.seedOrgs(school1)
			h.makeCoordinator(coordinator, ids[0])
			e := h.event(ids[0], func(e *storage.Event) { e.Capacity = 5 })
			users := h.teachers(5000, 3, ids[0])
			c := coordinator
			h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо", "Свободных мест: 5 из 5")
			h.press(c, "✏️ Изменить", "Что изменить")
			h.press(c, "Места", "Сколько мест")
			if typedFirst {
				h.say(c, "1", "Изменение мероприятия", "Свободных мест: 1 из 1")
			}
			for _, u := range users {
				h.signUpThroughCard(u, e.ID, signUpLabel, "Вы записаны")
			}
			if typedFirst {
				_, m := h.press(c, "💾 Сохранить изменения", "Уже записаны 3 участника — мест не может быть меньше 3.")
				if !strings.Contains(m.Text, "Сколько мест") {
					t.Errorf("after the refusal the edit is not back at the capacity: %q", m.Text)
				}
			} else {
				h.say(c, "1", "Уже записаны 3 участника — мест не может быть меньше 3.")
			}
			got, err := h.store.Event(h.ctx(), e.ID)
			if err != nil || got.Capacity != 5 || got.Taken != 3 {
				t.Fatalf("event after the refusal: capacity %d, taken %d, %v; want 5 and 3", got.Capacity, got.Taken, err)
			}
			// The edit is still open: a number that fits is taken and saved.
			h.say(c, "4", "Изменение мероприятия", "Свободных мест: 1 из 4")
			h.press(c, "💾 Сохранить изменения", "Изменения в мероприятии «Безопасное колесо» сохранены")
			h.say(c, fmt.Sprintf("/start e%d", e.ID), "Свободных мест: 1 из 4")
			if got, _ := h.store.Event(h.ctx(), e.ID); got.Capacity != 4 || got.Taken != 3 {
				t.Errorf("event after the fix: capacity %d, taken %d; want 4 and 3", got.Capacity, got.Taken)
			}
			h.noBotMessageSays(c.ID, "занято 1 из 1")
		})
	}
}

// A team signed up while the edit was open keeps the team size from going
// below it, decided when the edit is saved.
func TestEditCannotShrinkTheTeamBelowATeamSignedUp(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], func(e *storage.Event) { e.Unit, e.MaxTeam = storage.UnitTeam, 5 })
	h.registerDirect(teacher, ids[0])
	c := coordinator
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "✏️ Изменить", "Что изменить")
	h.press(c, "Размер команды", "Сколько учащихся может быть в команде")
	h.say(c, "3", "Изменение мероприятия")

	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "командой, до 5 учащихся")
	h.press(teacher, "✅ Записаться", "Сколько учащихся")
	h.press(teacher, "4", "Название команды")
	h.press(teacher, "Без названия", "Всё верно?")
	h.press(teacher, "✅ Записать", "Вы записаны")

	_, m := h.press(c, "💾 Сохранить изменения", "Уже записана команда из 4 учащихся — меньше нельзя.")
	if !strings.Contains(m.Text, "Сколько учащихся может быть в команде") {
		t.Errorf("after the refusal the edit is not back at the team size: %q", m.Text)
	}
	if got, _ := h.store.Event(h.ctx(), e.ID); got.MaxTeam != 5 {
		t.Errorf("max team %d after the refusal; want 5", got.MaxTeam)
	}
	h.say(c, "4", "Изменение мероприятия")
	h.press(c, "💾 Сохранить изменения", "сохранены")
	if got, _ := h.store.Event(h.ctx(), e.ID); got.MaxTeam != 4 {
		t.Errorf("max team %d; want 4", got.MaxTeam)
	}
}

// Raising the capacity of a full event with two waiting seats both in the
// save's own transaction, tells them, and says so to the coordinator; a
// newcomer after that is not seated ahead of anyone: the event is full
// again and the newcomer waits.
func TestMoreSeatsPromoteTheWaitingBeforeANewcomer(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], func(e *storage.Event) { e.Capacity = 1 })
	users := h.teachers(5000, 4, ids[0])
	first, second, third, newcomer := users[0], users[1], users[2], users[3]
	h.signUpThroughCard(first, e.ID, signUpLabel, "Вы записаны")
	h.signUpThroughCard(second, e.ID, waitLabel, "листе ожидания под номером 1")
	h.signUpThroughCard(third, e.ID, waitLabel, "листе ожидания под номером 2")

	c := coordinator
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Мест нет: занято 1 из 1")
	h.press(c, "✏️ Изменить", "Что изменить")
	h.press(c, "Места", "Сколько мест")
	h.say(c, "3", "Изменение мероприятия")
	h.press(c, "💾 Сохранить изменения", "сохранены", "Из листа ожидания записаны 2 участника — им придёт уведомление.")

	for _, u := range []telegramtest.User{second, third} {
		if reg, _ := h.store.Registration(h.ctx(), e.ID, u.ID); reg.State != storage.RegConfirmed {
			t.Errorf("teacher %d was not promoted: %+v", u.ID, reg)
		}
		if n := h.notices(u.ID); len(n) != 1 || !strings.Contains(n[0], "Освободилось место") || !strings.Contains(n[0], "Безопасное колесо") {
			t.Errorf("teacher %d: notices %q", u.ID, n)
		}
	}
	h.signUpThroughCard(newcomer, e.ID, waitLabel, "листе ожидания под номером 1")
	got, _ := h.store.Event(h.ctx(), e.ID)
	if got.Taken != 3 || got.Waiting != 1 {
		t.Errorf("taken %d, waiting %d; want 3 and 1", got.Taken, got.Waiting)
	}
}

// A team chosen before the coordinator lowered the team size is refused
// when it is signed up (storage reads the size in the sign-up's own
// transaction), with the new size.
func TestTeamAboveALoweredSizeIsRefused(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1)
	h.makeCoordinator(coordinator, ids[0])
	e := h.event(ids[0], func(e *storage.Event) { e.Unit, e.MaxTeam = storage.UnitTeam, 5 })
	h.registerDirect(teacher, ids[0])
	h.say(teacher, fmt.Sprintf("/start e%d", e.ID), "командой, до 5 учащихся")
	h.press(teacher, signUpLabel, "Сколько учащихся")
	h.press(teacher, "4", "Название команды")

	c := coordinator
	h.say(c, fmt.Sprintf("/start e%d", e.ID), "Безопасное колесо")
	h.press(c, "✏️ Изменить", "Что изменить")
	h.press(c, "Размер команды", "Сколько учащихся может быть в команде")
	h.say(c, "3", "Изменение мероприятия")
	h.press(c, "💾 Сохранить изменения", "сохранены")

	h.press(teacher, "Без названия", "Всё верно?")
	h.press(teacher, "✅ Записать", "Организатор изменил размер команды: теперь не больше 3. Запишитесь заново.")
	if _, err := h.store.Registration(h.ctx(), e.ID, teacher.ID); !storage.IsNotFound(err) {
		t.Errorf("a team of 4 was stored for a team size of 3: %v", err)
	}
}
