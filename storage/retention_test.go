package storage

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// keep is the retention the tests prune with.
const keep = 90 * 24 * time.Hour

func mustPrune(t *testing.T, s *Store, before time.Time) PruneStats {
	t.Helper()
	st, err := s.Prune(context.Background(), before)
	if err != nil {
		t.Fatalf("Prune(%s): %v", before, err)
	}
	return st
}

func mustComplete(t *testing.T, s *Store, id int64, state OutboxState) {
	t.Helper()
	if err := s.CompleteOutbox(context.Background(), id, Outcome{State: state, MessageID: int(id)}); err != nil {
		t.Fatalf("CompleteOutbox(%d): %v", id, err)
	}
}

// enqueueNotices enqueues one notice per user and returns the entries' ids.
func enqueueNotices(t *testing.T, s *Store, key string, users ...int64) []int64 {
	t.Helper()
	var entries []OutboxEntry
	for _, u := range users {
		entries = append(entries, OutboxEntry{ChatID: u, UserID: u, Content: Content{Text: key},
			Origin: Origin{Kind: OriginNotice, Key: key}})
	}
	if err := s.Enqueue(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	err := s.DB().View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			var e OutboxEntry
			if err := jsonUnmarshal(v, &e); err != nil {
				return err
			}
			if e.Origin.Key == key {
				ids = append(ids, e.ID)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// outboxIDs lists the ids in the outbox bucket.
func outboxIDs(t *testing.T, s *Store) []int64 {
	t.Helper()
	var ids []int64
	err := s.DB().View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, _ []byte) error {
			ids = append(ids, btoi(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestPruneOutbox(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	mustTeachers(t, s, 1, 2, 3)

	// At t0: one of each final state, and one left pending.
	old := enqueueNotices(t, s, "old", 1, 2, 3)
	mustComplete(t, s, old[0], OutboxSent)
	mustComplete(t, s, old[1], OutboxFailed)
	mustComplete(t, s, old[2], OutboxSkipped)
	stuck := enqueueNotices(t, s, "stuck", 1)
	// Created at t0, done much later: its age counts from DoneAt.
	late := enqueueNotices(t, s, "late", 2)
	// Two broadcasts: one reported (no longer active), one still active.
	reported, err := s.CreateBroadcast(ctx, Broadcast{AuthorID: 9, Audience: Audience{Kind: AudienceAllTeachers}}, []Recipient{{ChatID: 1, UserID: 1}, {ChatID: 2, UserID: 2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	active, err := s.CreateBroadcast(ctx, Broadcast{AuthorID: 9, Audience: Audience{Kind: AudienceAllTeachers}}, []Recipient{{ChatID: 1, UserID: 1}, {ChatID: 3, UserID: 3}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []Broadcast{reported, active} {
		entries, err := s.BroadcastEntries(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		mustComplete(t, s, entries[0].ID, OutboxSent)
		mustComplete(t, s, entries[1].ID, OutboxFailed)
	}
	if err := s.MarkBroadcastShown(ctx, reported.ID, 3, true); err != nil {
		t.Fatal(err)
	}
	// Entries finished before DoneAt existed: sent (SentAt) and failed (no
	// time but CreatedAt).
	var legacy []int64
	err = s.DB().Update(func(tx *bolt.Tx) error {
		for _, e := range []OutboxEntry{
			{ChatID: 1, UserID: 1, State: OutboxSent, SentAt: t0, CreatedAt: t0, Origin: Origin{Kind: OriginNotice, Key: "legacy"}},
			{ChatID: 2, UserID: 2, State: OutboxFailed, CreatedAt: t0, Origin: Origin{Kind: OriginNotice, Key: "legacy"}},
		} {
			seq, err := tx.Bucket(bucketOutbox).NextSequence()
			if err != nil {
				return err
			}
			e.ID = int64(seq)
			legacy = append(legacy, e.ID)
			if err := putJSON(tx.Bucket(bucketOutbox), itob(e.ID), e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	clk.Advance(95 * 24 * time.Hour)
	mustComplete(t, s, late[0], OutboxSent)
	young := enqueueNotices(t, s, "young", 3)
	mustComplete(t, s, young[0], OutboxSent)
	clk.Advance(5 * 24 * time.Hour)

	st := mustPrune(t, s, clk.Now().Add(-keep))
	if st.Outbox != 3+2+2 {
		t.Errorf("pruned %d entries; want 7 (3 notices, 2 of the reported broadcast, 2 legacy)", st.Outbox)
	}
	activeEntries, err := s.BroadcastEntries(ctx, active.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{stuck[0], late[0], activeEntries[0].ID, activeEntries[1].ID, young[0]}
	slices.Sort(want)
	if got := outboxIDs(t, s); !slices.Equal(got, want) {
		t.Errorf("outbox keeps %v; want %v (the pending, the late-done, the active broadcast's, the young)", got, want)
	}
	if got, err := s.BroadcastEntries(ctx, reported.ID); err != nil || len(got) != 0 {
		t.Errorf("reported broadcast's entries = %v, %v; want none (origin rows gone with them)", got, err)
	}
	if n := bucketLen(t, s, bucketOutboxOrigin); n != 2 {
		t.Errorf("outbox_origin has %d rows; want the active broadcast's 2", n)
	}
	b, err := s.Broadcast(ctx, reported.ID)
	if err != nil || b.Total != 2 || b.Sent != 1 || b.Failed != 1 || b.State != BroadcastDone {
		t.Errorf("reported broadcast = %+v, %v; want its figures kept (2 total, 1 sent, 1 failed, done)", b, err)
	}
	if e, err := s.OutboxEntry(ctx, stuck[0]); err != nil || e.State != OutboxPending {
		t.Errorf("pending entry = %+v, %v; want it kept, pending", e, err)
	}
	if n, err := s.OutboxPendingCount(ctx); err != nil || n != 1 {
		t.Errorf("pending count = %d, %v; want 1", n, err)
	}

	// Once the active broadcast is reported, its entries go too.
	if err := s.MarkBroadcastShown(ctx, active.ID, 3, true); err != nil {
		t.Fatal(err)
	}
	if st := mustPrune(t, s, clk.Now().Add(-keep)); st.Outbox != 2 {
		t.Errorf("after the report, pruned %d; want the 2 entries of that broadcast", st.Outbox)
	}
	if n := bucketLen(t, s, bucketOutboxOrigin); n != 0 {
		t.Errorf("outbox_origin has %d rows; want 0", n)
	}
}

func TestDoneAtIsSet(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	mustTeachers(t, s, 1, 2)
	ids := enqueueNotices(t, s, "n", 1)
	at := clk.Advance(time.Hour)
	mustComplete(t, s, ids[0], OutboxFailed)
	if e, _ := s.OutboxEntry(ctx, ids[0]); !e.DoneAt.Equal(at) {
		t.Errorf("failed entry DoneAt = %v; want %v", e.DoneAt, at)
	}
	// A retry is not done.
	ids = enqueueNotices(t, s, "r", 2)
	if err := s.CompleteOutbox(ctx, ids[0], Outcome{State: OutboxPending, RetryAt: at.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.OutboxEntry(ctx, ids[0]); !e.DoneAt.IsZero() {
		t.Errorf("retried entry DoneAt = %v; want zero", e.DoneAt)
	}
	// Stopped, then the send in flight lands.
	b, err := s.CreateBroadcast(ctx, Broadcast{AuthorID: 9}, []Recipient{{ChatID: 1, UserID: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	stopAt := clk.Advance(time.Hour)
	if _, err := s.StopBroadcast(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	entries, _ := s.BroadcastEntries(ctx, b.ID)
	if len(entries) != 1 || entries[0].State != OutboxSkipped || !entries[0].DoneAt.Equal(stopAt) {
		t.Fatalf("stopped entry = %+v; want skipped, DoneAt %v", entries, stopAt)
	}
	landed := clk.Advance(time.Second)
	mustComplete(t, s, entries[0].ID, OutboxSent)
	if e, _ := s.OutboxEntry(ctx, entries[0].ID); e.State != OutboxSent || !e.DoneAt.Equal(landed) {
		t.Errorf("landed entry = %+v; want sent, DoneAt %v", e, landed)
	}
}

func TestPruneSignupsAndPeriods(t *testing.T) {
	ctx := context.Background()
	s, clk, _ := newDueStore(t)
	mustTeachers(t, s, 1, 2)
	e := testEvent("Олимпиада")
	e.Start = t0.Add(200 * 24 * time.Hour)
	e = mustCreateEvent(t, s, e)
	digest := func(u User, _ []Event) (Content, bool) { return Content{Text: "d"}, true }

	mustRegister(t, s, e.ID, 1, clk.Now())
	if _, err := s.EnqueueDigest(ctx, "old", t0, t0.Add(time.Hour), digest); err != nil {
		t.Fatal(err)
	}
	now := clk.Advance(95 * 24 * time.Hour)
	mustRegister(t, s, e.ID, 2, now)
	if _, err := s.EnqueueDigest(ctx, "young", now, now.Add(time.Hour), digest); err != nil {
		t.Fatal(err)
	}
	clk.Advance(5 * 24 * time.Hour)

	st := mustPrune(t, s, clk.Now().Add(-keep))
	if st.Signups != 1 || st.Periods != 1 {
		t.Errorf("pruned %d sign-ups and %d periods; want 1 and 1", st.Signups, st.Periods)
	}
	err := s.DB().View(func(tx *bolt.Tx) error {
		var users []int64
		if err := tx.Bucket(bucketRegsByTime).ForEach(func(k, _ []byte) error {
			users = append(users, btoi(k[16:]))
			return nil
		}); err != nil {
			return err
		}
		if !slices.Equal(users, []int64{2}) {
			t.Errorf("regs_by_time keeps users %v; want [2]", users)
		}
		p := tx.Bucket(bucketPeriods)
		if p.Get([]byte("digest:old")) != nil || p.Get([]byte("digest:young")) == nil {
			t.Errorf("periods: want digest:old gone and digest:young kept")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The registrations themselves stay.
	if n := bucketLen(t, s, bucketRegs); n != 2 {
		t.Errorf("regs has %d; want 2", n)
	}
}

// TestPruneNeverResendsReminder proves that deleting a reminder's mark
// cannot send it again: RunDue sends a reminder only before its start, and
// Prune deletes a mark only once the start it records is past before (and
// its event is finished, cancelled or gone).
func TestPruneNeverResendsReminder(t *testing.T) {
	ctx := context.Background()
	s, clk, _ := newDueStore(t)
	mustTeachers(t, s, 100)
	e := reminderEvent(t, s, week)
	mustRegister(t, s, e.ID, 100, clk.Now())
	// A long event still running when the other one's marks go.
	long := testEvent("Выставка")
	long.Kind, long.Reminders, long.End = EventExhibition, []time.Duration{24 * time.Hour, 2 * time.Hour}, week.Add(300*24*time.Hour)
	long = mustCreateEvent(t, s, long)
	mustRegister(t, s, long.ID, 100, clk.Now())

	reminders := func() int {
		n := 0
		for _, en := range pending(t, s) {
			if en.Origin.Kind == OriginReminder {
				n++
			}
		}
		return n
	}
	clk.set(week.Add(-24 * time.Hour))
	runDue(t, s, clk.Now())
	clk.set(week.Add(-2 * time.Hour))
	runDue(t, s, clk.Now())
	if n := reminders(); n != 4 {
		t.Fatalf("%d reminders pending; want 4 (two per event)", n)
	}
	for _, en := range pending(t, s) {
		mustComplete(t, s, en.ID, OutboxSent)
	}
	clk.set(week.Add(100 * 24 * time.Hour))
	runDue(t, s, clk.Now()) // finishes e
	if got := mustEvent(t, s, e.ID).Status; got != EventFinished {
		t.Fatalf("event status %s; want finished", got)
	}
	st := mustPrune(t, s, clk.Now().Add(-keep))
	if st.Reminders != 2 {
		t.Errorf("pruned %d reminder marks; want the finished event's 2", st.Reminders)
	}
	if n := bucketLen(t, s, bucketRemindersSent); n != 2 {
		t.Errorf("reminders_sent has %d marks; want the running event's 2", n)
	}

	// Everything that could bring the reminders back: published again, edited
	// (reindexDue adds overdue reminders whose mark is missing), the zone
	// changed (the due index is rebuilt).
	if err := s.SetEventStatus(ctx, e.ID, EventPublished); err != nil {
		t.Fatal(err)
	}
	ed := mustEvent(t, s, e.ID)
	ed.Title = "Семинар (исправлено)"
	if _, err := s.UpdateEvent(ctx, ed, nil, nil); err != nil {
		t.Fatal(err)
	}
	// The edit puts the reminders back in the due index (their marks are
	// gone); RunDue finds the event started and skips them.
	skipped := 0
	for _, item := range runDue(t, s, clk.Now()) {
		if item.Kind != DueReminder {
			continue
		}
		if !item.Skipped {
			t.Errorf("reminder done again: %+v", item)
		}
		skipped++
	}
	if skipped != 2 {
		t.Errorf("%d reminders came due again and were skipped; want 2", skipped)
	}
	if n := reminders(); n != 0 {
		t.Fatalf("%d reminders pending after the marks were pruned; want 0", n)
	}
}

func TestPruneDeadlineMark(t *testing.T) {
	ctx := context.Background()
	s, clk, _ := newDueStore(t)
	mustTeachers(t, s, 100)
	e := testEvent("Конкурс")
	e.Deadline = week.Add(-48 * time.Hour)
	e = mustCreateEvent(t, s, e)
	noticeAt, ok := s.deadlineNoticeAt(e)
	if !ok {
		t.Fatal("no deadline notice")
	}
	clk.set(noticeAt)
	runDue(t, s, clk.Now())
	if got := texts(t, s, "deadline:"); len(got) != 1 {
		t.Fatalf("deadline notices %q; want 1", got)
	}
	for _, en := range pending(t, s) {
		mustComplete(t, s, en.ID, OutboxSent)
	}

	// Pruned as soon as the notice's window is past before.
	clk.set(noticeAt.Add(MinKeep + noticeWindow - time.Minute))
	if st := mustPrune(t, s, clk.Now()); st.Deadlines != 0 {
		t.Fatalf("pruned %d deadline marks inside the window; want 0", st.Deadlines)
	}
	clk.set(noticeAt.Add(MinKeep + noticeWindow + time.Minute))
	if st := mustPrune(t, s, clk.Now()); st.Deadlines != 1 {
		t.Fatalf("pruned %d deadline marks; want 1", st.Deadlines)
	}
	ed := mustEvent(t, s, e.ID)
	ed.Title = "Конкурс (исправлено)"
	if _, err := s.UpdateEvent(ctx, ed, nil, nil); err != nil {
		t.Fatal(err)
	}
	runDue(t, s, clk.Now())
	if got := texts(t, s, "deadline:"); len(got) != 0 {
		t.Fatalf("deadline notices %q after the mark was pruned; want none", got)
	}
}

func TestPruneKeepsMinKeep(t *testing.T) {
	s, clk := newTestStore(t)
	mustTeachers(t, s, 1)
	ids := enqueueNotices(t, s, "n", 1)
	mustComplete(t, s, ids[0], OutboxSent)
	clk.Advance(MinKeep - time.Second)
	if st := mustPrune(t, s, clk.Now().Add(time.Hour)); st.Deleted() != 0 || st.Transactions != 0 {
		t.Errorf("Prune(the future) = %+v; want nothing younger than MinKeep deleted, no commit", st)
	}
	clk.Advance(2 * time.Second)
	if st := mustPrune(t, s, clk.Now()); st.Outbox != 1 {
		t.Errorf("Prune = %+v; want the entry older than MinKeep", st)
	}
}

func TestPruneSmallTransactions(t *testing.T) {
	s, clk := newTestStore(t)
	const n = 2*pruneBatch + 500
	// Enqueued and sent in one transaction, through the code the sender
	// uses.
	err := s.DB().Update(func(tx *bolt.Tx) error {
		entries := make([]OutboxEntry, n)
		for i := range entries {
			entries[i] = OutboxEntry{ChatID: int64(i + 1), UserID: int64(i + 1), Origin: Origin{Kind: OriginNotice, Key: "n"}}
		}
		if err := enqueue(tx, entries, t0); err != nil {
			return err
		}
		for i := range entries {
			if err := completeOutbox(tx, entries[i].ID, Outcome{State: OutboxSent}, t0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(100 * 24 * time.Hour)

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if st, err := s.Prune(cancelled, clk.Now().Add(-keep)); !errors.Is(err, context.Canceled) || st.Deleted() != 0 {
		t.Errorf("Prune(cancelled) = %+v, %v; want nothing done, context.Canceled", st, err)
	}
	st := mustPrune(t, s, clk.Now().Add(-keep))
	if st.Outbox != n || st.Transactions != 3 {
		t.Errorf("Prune = %+v; want %d entries in 3 transactions", st, n)
	}
	if got := bucketLen(t, s, bucketOutbox); got != 0 {
		t.Errorf("outbox has %d entries; want 0", got)
	}
}

func TestPruneKeepsUndecodable(t *testing.T) {
	s, clk := newTestStore(t)
	mustTeachers(t, s, 1)
	ids := enqueueNotices(t, s, "n", 1)
	mustComplete(t, s, ids[0], OutboxSent)
	err := s.DB().Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketOutbox).Put(itob(1000), []byte("{broken")) })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DB().Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketPeriods).Put([]byte("digest:x"), itob(t0.UnixNano())) }); err != nil {
		t.Fatal(err)
	}
	clk.Advance(100 * 24 * time.Hour)
	st, err := s.Prune(context.Background(), clk.Now().Add(-keep))
	if err == nil || st.Outbox != 1 || st.Periods != 1 {
		t.Errorf("Prune = %+v, %v; want the good entry and the period deleted, and an error for the broken one", st, err)
	}
	if got := outboxIDs(t, s); !slices.Equal(got, []int64{1000}) {
		t.Errorf("outbox keeps %v; want the broken entry [1000]", got)
	}
}
