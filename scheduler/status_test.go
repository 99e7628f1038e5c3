package scheduler_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"vmeste/scheduler"
	"vmeste/storage"
	"vmeste/telegram"
)

// newReporter returns a reporter whose clock is an hour after the
// broadcasts' creation: status messages no author's reply has shown are
// the reporter's (see TestReporterLeavesANewStatusToTheAuthorsReply).
func newReporter(s *storage.Store, fake *fakeTelegram) *scheduler.Reporter {
	return scheduler.NewReporter(s, fake, messages{}, scheduler.ReporterConfig{Every: time.Hour, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return time.Now().Add(time.Hour) }})
}

// TestReporterLeavesANewStatusToTheAuthorsReply: the bot turns the
// preview into the first status after the broadcast is committed; a
// reporter's edit before that reply lands would be overwritten by it
// («идёт: доставлено 0» over «завершена», for good). So the reporter
// leaves a new status message alone until the reply marks it shown, or
// for half a minute if it never does.
func TestReporterLeavesANewStatusToTheAuthorsReply(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	fake := newFakeTelegram()
	addUsers(t, s, 100)
	b := createBroadcast(t, s, users(100))
	const status = 77
	if err := s.SetBroadcastStatusMessage(ctx, b.ID, status); err != nil {
		t.Fatal(err)
	}
	complete(t, s, b.ID, 100, sent(5)) // done before the author's reply landed
	now := time.Now()
	r := scheduler.NewReporter(s, fake, messages{}, scheduler.ReporterConfig{Every: time.Hour, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return now }})

	r.Tick(ctx)
	if edits, sends := fake.editCalls(), fake.sends(); len(edits)+len(sends) != 0 {
		t.Fatalf("before the author's reply: edits %+v, sends %+v; want none", edits, sends)
	}
	if err := s.MarkBroadcastShown(ctx, b.ID, b.Version, false); err != nil { // the reply landed
		t.Fatal(err)
	}
	r.Tick(ctx)
	want := msgs.BroadcastStatus(mustBroadcast(t, s, b.ID))
	if edits := fake.editCalls(); len(edits) != 1 || edits[0].Text != want {
		t.Fatalf("after the reply: edits %+v, want one to %q", edits, want)
	}
	if got := mustBroadcast(t, s, b.ID); !got.Reported {
		t.Error("the finished broadcast was not reported")
	}

	// A reply that never lands: the reporter takes over after the grace.
	b2 := createBroadcast(t, s, users(100))
	if err := s.SetBroadcastStatusMessage(ctx, b2.ID, 78); err != nil {
		t.Fatal(err)
	}
	r.Tick(ctx)
	if n := len(fake.editCalls()); n != 1 {
		t.Fatalf("%d edits within the grace, want still 1", n)
	}
	now = now.Add(31 * time.Second)
	r.Tick(ctx)
	if edits := fake.editCalls(); len(edits) != 2 || edits[1].MsgID != 78 {
		t.Fatalf("after the grace: edits %+v, want the second of message 78", edits)
	}
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
	addUsers(t, s, 100, 101, 102)
	b := createBroadcast(t, s, users(100, 101, 102))
	const status = 77
	if err := s.SetBroadcastStatusMessage(ctx, b.ID, status); err != nil {
		t.Fatal(err)
	}
	r := newReporter(s, fake)

	r.Tick(ctx)
	edits := fake.editCalls()
	want := msgs.BroadcastStatus(mustBroadcast(t, s, b.ID))
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
	if want := msgs.BroadcastStatus(now); edits[1].Text != want || edits[1].MsgID != status {
		t.Errorf("second edit = %+v, want %q on message %d", edits[1], want, status)
	}
	if !strings.Contains(edits[1].Text, "sent 1 of 3") || !strings.Contains(edits[1].Text, "left 2") {
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
	ctx := context.Background()
	s := newStore(t)
	fake := newFakeTelegram()
	const anna, boris, vera, gleb = 100, 101, 102, 103
	names := map[int64]string{anna: "Анна <Смирнова> & Co", boris: "Борис Петров", vera: "Вера Иванова", gleb: "Глеб Орлов"}
	for id, name := range names {
		err := s.PutUser(ctx, storage.User{ID: id, ChatID: id, FullName: name, Lang: "ru", Registered: true, Active: true})
		if err != nil {
			t.Fatal(err)
		}
	}
	b, err := s.CreateBroadcast(ctx, storage.Broadcast{AuthorID: authorID, AuthorChat: authorID, Lang: "ru",
		SourceChat: authorID, SourceMessage: 42}, users(anna, boris, vera, gleb), nil)
	if err != nil {
		t.Fatal(err)
	}
	const status = 77
	if err := s.SetBroadcastStatusMessage(ctx, b.ID, status); err != nil {
		t.Fatal(err)
	}
	complete(t, s, b.ID, anna, storage.Outcome{State: storage.OutboxFailed, Reason: storage.ReasonBlocked, Deactivate: true})
	complete(t, s, b.ID, boris, storage.Outcome{State: storage.OutboxFailed, Reason: storage.ReasonChatNotFound, Deactivate: true})
	complete(t, s, b.ID, vera, sent(9))
	complete(t, s, b.ID, gleb, storage.Outcome{State: storage.OutboxSkipped, Reason: storage.ReasonInactive})
	fin := mustBroadcast(t, s, b.ID)
	if fin.State != storage.BroadcastDone {
		t.Fatalf("broadcast state %s, want done", fin.State)
	}

	r := newReporter(s, fake)
	r.Tick(ctx)

	edits := fake.editCalls()
	if want := msgs.BroadcastStatus(fin); len(edits) != 1 || edits[0].Text != want {
		t.Errorf("status edits = %+v, want one with %q", edits, want)
	}
	calls := fake.sends()
	if len(calls) != 1 || calls[0].Chat != authorID {
		t.Fatalf("sends = %s, want the report to the author", describeCalls(calls))
	}
	want := msgs.BroadcastReport(fin, []storage.Undelivered{
		{UserID: anna, ChatID: anna, FullName: names[anna], Reason: storage.ReasonBlocked},
		{UserID: boris, ChatID: boris, FullName: names[boris], Reason: storage.ReasonChatNotFound},
		{UserID: gleb, ChatID: gleb, FullName: names[gleb], Reason: storage.ReasonInactive},
	})
	if got := calls[0].Content.Text; got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
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
}

func TestReporterSendsAStatusMessageWhenThereIsNone(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	fake := newFakeTelegram()
	addUsers(t, s, 100, 101)
	b := createBroadcast(t, s, users(100, 101)) // the bot went down before it sent the status
	r := newReporter(s, fake)

	r.Tick(ctx)
	calls := fake.sends()
	want := msgs.BroadcastStatus(mustBroadcast(t, s, b.ID))
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
		{"server error", errServer, false},
		{"message gone", telegram.NewError("editMessageText", telegram.ClassEditGone, nil), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			fake := newFakeTelegram()
			addUsers(t, s, 100)
			b := createBroadcast(t, s, users(100))
			if err := s.SetBroadcastStatusMessage(ctx, b.ID, 77); err != nil {
				t.Fatal(err)
			}
			fake.editErrs = []error{tc.err}
			newReporter(s, fake).Tick(ctx)

			calls := fake.sends()
			if got := len(calls) == 1; got != tc.newSent {
				t.Fatalf("sends = %s; want a new status message: %v", describeCalls(calls), tc.newSent)
			}
			got := mustBroadcast(t, s, b.ID)
			if tc.newSent && got.StatusMessage != calls[0].MsgID {
				t.Errorf("StatusMessage = %d, want %d", got.StatusMessage, calls[0].MsgID)
			}
			if tc.newSent && got.Shown != got.Version {
				t.Errorf("Shown %d, Version %d; want the status recorded as shown", got.Shown, got.Version)
			}
		})
	}
}

func TestReporterRetriesAFailedReportOnce(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	fake := newFakeTelegram()
	addUsers(t, s, 100)
	b := createBroadcast(t, s, users(100))
	if err := s.SetBroadcastStatusMessage(ctx, b.ID, 77); err != nil {
		t.Fatal(err)
	}
	complete(t, s, b.ID, 100, sent(3))
	fake.fail(authorID, errServer)
	r := newReporter(s, fake)

	r.Tick(ctx) // the report fails
	r.Tick(ctx) // and goes on the next tick
	r.Tick(ctx)
	reports := delivered(fake.sends(), authorID)
	if len(reports) != 1 {
		t.Fatalf("%d reports delivered, want 1", len(reports))
	}
	if want := msgs.BroadcastReport(mustBroadcast(t, s, b.ID), nil); reports[0].Content.Text != want {
		t.Errorf("report %q lacks %q", reports[0].Content.Text, want)
	}
}

// msgs renders the reporter's texts in these tests.
var msgs messages
