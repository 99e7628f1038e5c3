package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"

	"vmeste/locales"
	"vmeste/scheduler"
	"vmeste/storage"
)

func newCatalog(t *testing.T) *locales.Catalog {
	t.Helper()
	cat, err := locales.New()
	if err != nil {
		t.Fatalf("locales.New: %v", err)
	}
	return cat
}

func newReporter(s *storage.Store, fake *fakeTelegram, cat *locales.Catalog) *scheduler.Reporter {
	return scheduler.NewReporter(s, fake, cat, time.Hour, slog.New(slog.DiscardHandler), nil)
}

// complete records an outcome for the broadcast's entry to chat.
func complete(t *testing.T, s *storage.Store, broadcast, chat int64, o storage.Outcome) {
	t.Helper()
	e, ok := entries(t, s, broadcast)[chat]
	if !ok {
		t.Fatalf("broadcast %d has no entry for %d", broadcast, chat)
	}
	if err := s.CompleteOutbox(context.Background(), e.ID, o); err != nil {
		t.Fatalf("CompleteOutbox(%d): %v", e.ID, err)
	}
}

func sent(id int) storage.Outcome { return storage.Outcome{State: storage.OutboxSent, MessageID: id} }

func TestReporterEditsStatusOnlyWhenFiguresChange(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	fake := newFakeTelegram()
	cat := newCatalog(t)
	p := cat.For("ru")
	addUsers(t, s, 100, 101, 102)
	b := createBroadcast(t, s, users(100, 101, 102))
	const status = 77
	if err := s.SetBroadcastStatusMessage(ctx, b.ID, status); err != nil {
		t.Fatal(err)
	}
	r := newReporter(s, fake, cat)

	r.Tick(ctx)
	edits := fake.editCalls()
	want := scheduler.StatusText(p, mustBroadcast(t, s, b.ID))
	if len(edits) != 1 || edits[0] != (editCall{Chat: authorID, MsgID: status, Text: want}) {
		t.Fatalf("first tick edits = %+v, want one edit of %d/%d to %q", edits, authorID, status, want)
	}

	r.Tick(ctx)
	if n := len(fake.editCalls()); n != 1 {
		t.Errorf("a tick with the same figures edited again (%d edits)", n)
	}

	complete(t, s, b.ID, 100, sent(5))
	r.Tick(ctx)
	edits = fake.editCalls()
	if len(edits) != 2 {
		t.Fatalf("after a delivery: %d edits, want 2", len(edits))
	}
	now := mustBroadcast(t, s, b.ID)
	if want := scheduler.StatusText(p, now); edits[1].Text != want || edits[1].MsgID != status {
		t.Errorf("second edit = %+v, want %q on message %d", edits[1], want, status)
	}
	if !strings.Contains(edits[1].Text, "доставлено 1 из 3") || !strings.Contains(edits[1].Text, "осталось 2") {
		t.Errorf("status %q does not show 1 of 3 delivered, 2 left", edits[1].Text)
	}
	if now.Shown != now.Version {
		t.Errorf("Shown %d, Version %d: the shown version was not recorded", now.Shown, now.Version)
	}
	r.Tick(ctx)
	if n := len(fake.editCalls()); n != 2 {
		t.Errorf("%d edits after an idle tick, want 2", n)
	}
	if n := len(fake.sends()); n != 0 {
		t.Errorf("%d messages sent for a running broadcast with a status message, want 0", n)
	}
}

func TestReporterFinalReport(t *testing.T) {
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			fake := newFakeTelegram()
			cat := newCatalog(t)
			p := cat.For(lang)
			const anna, boris, vera, gleb = 100, 101, 102, 103
			names := map[int64]string{anna: "Анна <Смирнова> & Co", boris: "Борис Петров", vera: "Вера Иванова", gleb: "Глеб Орлов"}
			for id, name := range names {
				err := s.PutUser(ctx, storage.User{ID: id, ChatID: id, FullName: name, Lang: lang, Registered: true, Active: true})
				if err != nil {
					t.Fatal(err)
				}
			}
			b, err := s.CreateBroadcast(ctx, storage.Broadcast{AuthorID: authorID, AuthorChat: authorID, Lang: lang,
				SourceChat: authorID, SourceMessage: 42}, users(anna, boris, vera, gleb))
			if err != nil {
				t.Fatal(err)
			}
			const status = 77
			if err := s.SetBroadcastStatusMessage(ctx, b.ID, status); err != nil {
				t.Fatal(err)
			}
			complete(t, s, b.ID, anna, storage.Outcome{State: storage.OutboxFailed, Reason: scheduler.ReasonBlocked, Deactivate: true})
			complete(t, s, b.ID, boris, storage.Outcome{State: storage.OutboxFailed, Reason: scheduler.ReasonChatNotFound, Deactivate: true})
			complete(t, s, b.ID, vera, sent(9))
			complete(t, s, b.ID, gleb, storage.Outcome{State: storage.OutboxSkipped, Reason: scheduler.ReasonInactive})
			fin := mustBroadcast(t, s, b.ID)
			if fin.State != storage.BroadcastDone {
				t.Fatalf("broadcast state %s, want done", fin.State)
			}

			r := newReporter(s, fake, cat)
			r.Tick(ctx)

			edits := fake.editCalls()
			if want := scheduler.StatusText(p, fin); len(edits) != 1 || edits[0].Text != want {
				t.Errorf("status edits = %+v, want one with %q", edits, want)
			}
			calls := fake.sends()
			if len(calls) != 1 || calls[0].Chat != authorID {
				t.Fatalf("sends = %s, want the report to the author", describeCalls(calls))
			}
			report := calls[0].Content.Text
			for _, want := range []string{
				p.T("broadcast_report_title", "ID", b.ID, "Total", 4, "Sent", 1),
				p.N("broadcast_report_failed", 3),
				line(t, p, "Анна &lt;Смирнова&gt; &amp; Co", "reason_blocked"),
				line(t, p, "Борис Петров", "reason_chat_not_found"),
				line(t, p, "Глеб Орлов", "reason_inactive"),
			} {
				if !strings.Contains(report, want) {
					t.Errorf("report lacks %q:\n%s", want, report)
				}
			}
			if strings.Contains(report, "Вера") {
				t.Errorf("report names Вера, who got the message:\n%s", report)
			}
			if strings.Contains(report, "<Смирнова>") {
				t.Errorf("report does not escape the user's name:\n%s", report)
			}
			if strings.Contains(report, "[") {
				t.Errorf("report has a missing locale key:\n%s", report)
			}
			if got := mustBroadcast(t, s, b.ID); !got.Reported {
				t.Error("Reported not set after the report was sent")
			}

			r.Tick(ctx)
			if n := len(fake.sends()); n != 1 {
				t.Errorf("%d messages after a second tick, want the one report", n)
			}
			if n := len(fake.editCalls()); n != 1 {
				t.Errorf("%d status edits after a second tick, want 1", n)
			}
			if active, err := s.ActiveBroadcasts(ctx); err != nil || len(active) != 0 {
				t.Errorf("ActiveBroadcasts = %v, %v; want none", active, err)
			}
		})
	}
}

// line is the report line for a recipient named name (HTML) and a reason.
func line(t *testing.T, p locales.Printer, name, reasonKey string) string {
	t.Helper()
	reason := p.T(reasonKey)
	if strings.HasPrefix(reason, "[") {
		t.Fatalf("missing locale key %s", reasonKey)
	}
	return p.T("broadcast_report_line", "Name", locales.HTML(name), "Reason", locales.HTML(reason))
}

func TestReporterSendsAStatusMessageWhenThereIsNone(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	fake := newFakeTelegram()
	cat := newCatalog(t)
	addUsers(t, s, 100, 101)
	b := createBroadcast(t, s, users(100, 101)) // the bot went down before it sent the status
	r := newReporter(s, fake, cat)

	r.Tick(ctx)
	calls := fake.sends()
	want := scheduler.StatusText(cat.For("ru"), mustBroadcast(t, s, b.ID))
	if len(calls) != 1 || calls[0].Chat != authorID || calls[0].Content.Text != want {
		t.Fatalf("sends = %s, want the status %q to the author", describeCalls(calls), want)
	}
	if got := mustBroadcast(t, s, b.ID).StatusMessage; got != calls[0].MsgID {
		t.Errorf("StatusMessage = %d, want the new message %d", got, calls[0].MsgID)
	}
	if n := len(fake.editCalls()); n != 0 {
		t.Errorf("%d edits, want none", n)
	}

	r.Tick(ctx)
	if n := len(fake.sends()); n != 1 {
		t.Errorf("%d sends after an idle tick, want 1", n)
	}
	complete(t, s, b.ID, 100, sent(3))
	r.Tick(ctx)
	edits := fake.editCalls()
	if len(edits) != 1 || edits[0].MsgID != calls[0].MsgID {
		t.Errorf("edits = %+v, want one of the recorded status message %d", edits, calls[0].MsgID)
	}
}

func TestReporterStatusEditErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		newSent bool
	}{
		{"not modified", fmt.Errorf("%w, Bad Request: message is not modified", tg.ErrorBadRequest), false},
		{"message gone", fmt.Errorf("%w, Bad Request: message to edit not found", tg.ErrorBadRequest), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			fake := newFakeTelegram()
			cat := newCatalog(t)
			addUsers(t, s, 100)
			b := createBroadcast(t, s, users(100))
			if err := s.SetBroadcastStatusMessage(ctx, b.ID, 77); err != nil {
				t.Fatal(err)
			}
			fake.editErrs = []error{tc.err}
			newReporter(s, fake, cat).Tick(ctx)

			calls := fake.sends()
			if got := len(calls) == 1; got != tc.newSent {
				t.Fatalf("sends = %s; want a new status message: %v", describeCalls(calls), tc.newSent)
			}
			got := mustBroadcast(t, s, b.ID)
			if tc.newSent && got.StatusMessage != calls[0].MsgID {
				t.Errorf("StatusMessage = %d, want %d", got.StatusMessage, calls[0].MsgID)
			}
			if got.Shown != got.Version {
				t.Errorf("Shown %d, Version %d; want the status recorded as shown", got.Shown, got.Version)
			}
		})
	}
}

func TestReporterRetriesAFailedReportOnce(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	fake := newFakeTelegram()
	cat := newCatalog(t)
	addUsers(t, s, 100)
	b := createBroadcast(t, s, users(100))
	if err := s.SetBroadcastStatusMessage(ctx, b.ID, 77); err != nil {
		t.Fatal(err)
	}
	complete(t, s, b.ID, 100, sent(3))
	fake.fail(authorID, errServer)
	r := newReporter(s, fake, cat)

	r.Tick(ctx) // the report fails
	r.Tick(ctx) // and goes on the next tick
	r.Tick(ctx)
	reports := delivered(fake.sends(), authorID)
	if len(reports) != 1 {
		t.Fatalf("%d reports delivered, want 1", len(reports))
	}
	if want := cat.For("ru").T("broadcast_report_all"); !strings.Contains(reports[0].Content.Text, want) {
		t.Errorf("report %q lacks %q", reports[0].Content.Text, want)
	}
}
