package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestUnknownCommandAndMessageGetHints(t *testing.T) {
	h := newHarness(t, nil)
	h.seedOrgs(school1)
	h.say(teacher, "/nonsense", "Такой команды нет", "/help")
	h.say(teacher, "здравствуйте", "регистрацию", "/start")
	h.register(teacher, "Иванова Мария", school1.Name)
	h.say(teacher, "когда конкурс?", "не понял", "/help")
	h.say(teacher, "/orgs", "недоступно") // an admin's command
}

func TestPanickingHandlerIsRecovered(t *testing.T) {
	h := newHarness(t, func(b *Bot) {
		b.commands["boom"] = command{role: roleNone, fn: func(context.Context, *Request, string) error { panic("boom") }}
	})
	h.say(teacher, "/boom", "что-то пошло не так")
	h.say(teacher, "/help", "Команды") // the process and the user's queue live on
	logs := h.logs.String()
	if !strings.Contains(logs, "handler panic") || !strings.Contains(logs, "update_id=") {
		t.Errorf("the panic was not logged with its update id:\n%s", logs)
	}
}

func TestHandlerErrorIsNotSilence(t *testing.T) {
	h := newHarness(t, func(b *Bot) {
		b.commands["fail"] = command{role: roleNone, fn: func(context.Context, *Request, string) error { return errors.New("disk on fire") }}
	})
	h.say(teacher, "/fail", "что-то пошло не так")
	h.restart() // the log line is written after the reply: let the handler finish
	if !strings.Contains(h.logs.String(), "disk on fire") {
		t.Error("the error was not logged")
	}
}

func TestForgedCallbackIsRefused(t *testing.T) {
	h := newHarness(t, nil)
	ids := h.seedOrgs(school1, gibdd)
	h.register(teacher, "Иванова Мария", school1.Name)
	m := h.say(teacher, "/help", "Команды")

	for _, data := range []string{cb(cbOrgRemoveConfirm, ids[1]), cb(cbOrgKind, ids[1], 0), cb(cbCoordRevokeConfirm, admin.ID), "zz:1", "oo:Школа"} {
		q := h.tg.Callback(teacher, teacher.ID, m.ID, data)
		ans, err := h.tg.WaitCallbackAnswered(h.ctx(), q)
		if err != nil {
			t.Fatal(err)
		}
		if ans.Text == "" {
			t.Errorf("%q: answered with no text", data)
		}
	}
	if o, err := h.store.Organisation(h.ctx(), ids[1]); err != nil || o.Kind != gibdd.Kind {
		t.Errorf("a forged callback changed the organisation: %+v, %v", o, err)
	}
	if !strings.Contains(h.logs.String(), "refused: role too low") {
		t.Error("the refusal was not logged")
	}
}

func TestUpdatesOfOneUserRunInOrder(t *testing.T) {
	h := newHarness(t, nil)
	h.seedOrgs(school1)
	// Onboarding sent as a burst: each step depends on the one before.
	h.say(teacher, "/start", "Выберите язык")
	h.press(teacher, "✓ Русский", "Согласие на обработку персональных данных")
	h.press(teacher, "✅ Согласен(на)", "Как вас зовут")
	v := h.tg.Version()
	h.tg.SendText(teacher, "Иванова Мария")
	h.tg.SendText(teacher, "СОШ")
	h.tg.SendText(teacher, "/profile")
	if _, err := h.tg.WaitBotMessageAfter(h.ctx(), teacher.ID, v, contains("регистрацию")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range h.tg.BotMessages(teacher.ID) {
		text := m.PlainText()
		for _, want := range []string{"Выберите вашу организацию", "по запросу «СОШ»", "регистрацию"} {
			if strings.HasPrefix(text, want) || strings.Contains(text, want) {
				got = append(got, want)
				break
			}
		}
	}
	want := []string{"Выберите вашу организацию", "по запросу «СОШ»", "регистрацию"}
	if len(got) != 3 || got[0] != want[0] || got[2] != want[2] {
		t.Errorf("replies out of order: %q", got)
	}
}

// TestUndecodableUpdateIsSkipped: an update this build cannot decode is
// logged by id and skipped, without its content; the offset moves past
// it, and the next update is handled.
func TestUndecodableUpdateIsSkipped(t *testing.T) {
	h := newHarness(t, nil)
	bad := h.tg.SendRawUpdate(`"message":{"message_id":"сорок два","text":"Иванова Мария Петровна, тел. 8-928-000-00-00"}`)
	h.say(teacher, "/help", "Команды")
	h.say(teacher, "/help", "Команды") // polled with an offset past the first two
	logs := h.logs.String()
	if !strings.Contains(logs, "update skipped: cannot decode") || !strings.Contains(logs, fmt.Sprintf("update_id=%d", bad)) {
		t.Errorf("the skipped update was not logged with its id:\n%s", logs)
	}
	if strings.Contains(logs, "8-928") || strings.Contains(logs, "Иванова") {
		t.Errorf("the log shows the skipped update's content:\n%s", logs)
	}
	if got := h.tg.ConfirmedUpTo(); got < bad {
		t.Errorf("confirmed up to %d: the offset did not pass the skipped update %d", got, bad)
	}
}
