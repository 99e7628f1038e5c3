package storage

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestRegisterRules(t *testing.T) {
	deadline := week.Add(-24 * time.Hour)
	tests := []struct {
		name      string
		event     func(*Event)
		status    EventStatus // set after creation; "" keeps published
		before    []int64     // users signed up first, at t0
		cancel    []int64     // then cancelled
		user      int64
		now       time.Time
		wantErr   error
		wantState RegistrationState
	}{
		{name: "open, unlimited", now: t0, user: 1, wantState: RegConfirmed},
		{name: "draft is closed", status: EventDraft, now: t0, user: 1, wantErr: ErrSignUpClosed},
		{name: "cancelled is closed", status: EventCancelled, now: t0, user: 1, wantErr: ErrSignUpClosed},
		{name: "finished is closed", status: EventFinished, now: t0, user: 1, wantErr: ErrSignUpClosed},
		{name: "just before the deadline", event: func(e *Event) { e.Deadline = deadline }, now: deadline.Add(-time.Nanosecond), user: 1, wantState: RegConfirmed},
		{name: "at the deadline is closed", event: func(e *Event) { e.Deadline = deadline }, now: deadline, user: 1, wantErr: ErrSignUpClosed},
		{name: "after the deadline is closed", event: func(e *Event) { e.Deadline = deadline }, now: deadline.Add(time.Hour), user: 1, wantErr: ErrSignUpClosed},
		{name: "no deadline: at the start is closed", now: week, user: 1, wantErr: ErrSignUpClosed},
		{name: "no deadline: just before the start", now: week.Add(-time.Second), user: 1, wantState: RegConfirmed},
		{name: "twice", before: []int64{1}, now: t0, user: 1, wantErr: ErrAlreadyRegistered},
		{name: "twice while waitlisted", event: func(e *Event) { e.Capacity = 1 }, before: []int64{2, 1}, now: t0, user: 1, wantErr: ErrAlreadyRegistered},
		{name: "again after cancelling", before: []int64{1}, cancel: []int64{1}, now: t0.Add(time.Hour), user: 1, wantState: RegConfirmed},
		{name: "last seat", event: func(e *Event) { e.Capacity = 2 }, before: []int64{2}, now: t0, user: 1, wantState: RegConfirmed},
		{name: "full goes to the waitlist", event: func(e *Event) { e.Capacity = 2 }, before: []int64{2, 3}, now: t0, user: 1, wantState: RegWaitlist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := newTestStore(t)
			in := testEvent("x")
			in.Unit, in.MaxTeam = UnitTeam, 10
			if tt.event != nil {
				tt.event(&in)
			}
			e := mustCreateEvent(t, s, in)
			for _, id := range tt.before {
				mustRegister(t, s, e.ID, id, t0)
			}
			for _, id := range tt.cancel {
				if _, err := s.CancelRegistration(ctx, e.ID, id, nil); err != nil {
					t.Fatal(err)
				}
			}
			if tt.status != "" {
				if err := s.SetEventStatus(ctx, e.ID, tt.status); err != nil {
					t.Fatal(err)
				}
			}
			before := mustEvent(t, s, e.ID)
			r, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: tt.user, TeamSize: 7, TeamName: "5 «А»"}, tt.now)
			after := mustEvent(t, s, e.ID)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || r != (Registration{}) {
					t.Fatalf("Register = %+v, %v; want %v", r, err, tt.wantErr)
				}
				if after.Taken != before.Taken || after.Waiting != before.Waiting {
					t.Errorf("a refused sign-up changed the counters: %d/%d → %d/%d", before.Taken, before.Waiting, after.Taken, after.Waiting)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.State != tt.wantState || r.EventID != e.ID || r.UserID != tt.user || r.TeamSize != 7 || r.TeamName != "5 «А»" ||
				!r.CreatedAt.Equal(tt.now) || !r.UpdatedAt.Equal(tt.now) {
				t.Errorf("Register = %+v; want state %s at %v", r, tt.wantState, tt.now)
			}
			if (r.State == RegWaitlist) != (r.WaitSeq > 0) {
				t.Errorf("WaitSeq = %d for state %s", r.WaitSeq, r.State)
			}
			stored, err := s.Registration(ctx, e.ID, tt.user)
			if err != nil || stored.State != r.State || stored.WaitSeq != r.WaitSeq || !stored.CreatedAt.Equal(r.CreatedAt) {
				t.Errorf("Registration = %+v, %v; want %+v", stored, err, r)
			}
			wantTaken, wantWaiting := before.Taken, before.Waiting
			if r.State == RegConfirmed {
				wantTaken++
			} else {
				wantWaiting++
			}
			if after.Taken != wantTaken || after.Waiting != wantWaiting {
				t.Errorf("Taken/Waiting = %d/%d; want %d/%d", after.Taken, after.Waiting, wantTaken, wantWaiting)
			}
		})
	}
}

// TestRegisterRaceForLastSeat has 50 goroutines sign up for the one seat at
// once: exactly one gets it, the others are waitlisted with distinct,
// increasing WaitSeq, and the counters match.
func TestRegisterRaceForLastSeat(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	in := testEvent("Безопасное колесо")
	in.Capacity = 1
	e := mustCreateEvent(t, s, in)
	const n = 50
	results := make([]Registration, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = s.Register(ctx, SignUp{EventID: e.ID, UserID: int64(i + 1)}, clk.Now())
		})
	}
	close(start)
	wg.Wait()

	var confirmed []int64
	var seqs []int64
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("Register(user %d): %v", i+1, errs[i])
		}
		switch r.State {
		case RegConfirmed:
			confirmed = append(confirmed, r.UserID)
		case RegWaitlist:
			seqs = append(seqs, r.WaitSeq)
		default:
			t.Errorf("user %d state %s", r.UserID, r.State)
		}
	}
	if len(confirmed) != 1 || len(seqs) != n-1 {
		t.Fatalf("%d confirmed (%v), %d waitlisted; want 1 and %d", len(confirmed), confirmed, len(seqs), n-1)
	}
	slices.Sort(seqs)
	if len(slices.Compact(slices.Clone(seqs))) != n-1 || seqs[0] <= 0 {
		t.Errorf("WaitSeq values not distinct and positive: %v", seqs)
	}
	got := mustEvent(t, s, e.ID)
	if got.Taken != 1 || got.Waiting != n-1 {
		t.Errorf("Taken/Waiting = %d/%d; want 1/%d", got.Taken, got.Waiting, n-1)
	}
	// The participants list agrees: the winner, then the line by WaitSeq.
	ps, err := s.Participants(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != n || ps[0].UserID != confirmed[0] {
		t.Fatalf("Participants: %d, first %d; want %d, first %d", len(ps), ps[0].UserID, n, confirmed[0])
	}
	for i, p := range ps[1:] {
		if p.State != RegWaitlist || p.WaitSeq != seqs[i] {
			t.Errorf("participant %d: %s seq %d; want waitlisted seq %d", i+1, p.State, p.WaitSeq, seqs[i])
		}
	}
	if k := bucketLen(t, s, bucketWaitlist); k != n-1 {
		t.Errorf("waitlist holds %d keys; want %d", k, n-1)
	}
}

// TestRegisterBatchRefusalsDoNotSpoilOthers mixes refusals (a second
// sign-up of the same user) into concurrent sign-ups that share bbolt
// batches: every distinct user gets in once, every repeat is refused.
func TestRegisterBatchRefusalsDoNotSpoilOthers(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	e := mustCreateEvent(t, s, testEvent("x"))
	const users, tries = 20, 3
	var (
		mu      sync.Mutex
		ok      = map[int64]int{}
		already int
		wg      sync.WaitGroup
	)
	for i := range users * tries {
		wg.Go(func() {
			uid := int64(i%users + 1)
			_, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: uid}, clk.Now())
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok[uid]++
			case errors.Is(err, ErrAlreadyRegistered):
				already++
			default:
				t.Errorf("Register(user %d): %v", uid, err)
			}
		})
	}
	wg.Wait()
	if len(ok) != users || already != users*(tries-1) {
		t.Errorf("%d users in, %d refused; want %d and %d", len(ok), already, users, users*(tries-1))
	}
	for uid, n := range ok {
		if n != 1 {
			t.Errorf("user %d got in %d times", uid, n)
		}
	}
	if got := mustEvent(t, s, e.ID); got.Taken != users {
		t.Errorf("Taken = %d; want %d", got.Taken, users)
	}
}

func TestCancelRegistration(t *testing.T) {
	tests := []struct {
		name         string
		cancel       int64
		started      bool        // the clock is past the start
		status       EventStatus // "" keeps published
		inactive     bool        // the first waitlisted (3) is inactive
		wantErr      error
		wantPromoted int64 // 0: nobody
		wantNotice   bool
		wantTaken    int
		wantWaiting  int
		wantLine     []int64 // the waitlist afterwards
	}{
		{name: "confirmed promotes the first in line", cancel: 1, wantPromoted: 3, wantNotice: true, wantTaken: 2, wantWaiting: 1, wantLine: []int64{4}},
		{name: "waitlisted promotes nobody", cancel: 3, wantTaken: 2, wantWaiting: 1, wantLine: []int64{4}},
		{name: "last in line leaves", cancel: 4, wantTaken: 2, wantWaiting: 1, wantLine: []int64{3}},
		{name: "inactive first in line is promoted without a notice", cancel: 2, inactive: true, wantPromoted: 3, wantTaken: 2, wantWaiting: 1, wantLine: []int64{4}},
		{name: "after the start nobody is promoted", cancel: 1, started: true, wantTaken: 1, wantWaiting: 2, wantLine: []int64{3, 4}},
		{name: "cancelled event promotes nobody", cancel: 1, status: EventCancelled, wantTaken: 1, wantWaiting: 2, wantLine: []int64{3, 4}},
		{name: "not signed up", cancel: 9, wantErr: ErrNotRegistered, wantTaken: 2, wantWaiting: 2, wantLine: []int64{3, 4}},
		{name: "already cancelled", cancel: 5, wantErr: ErrNotRegistered, wantTaken: 2, wantWaiting: 2, wantLine: []int64{3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, clk := newTestStore(t)
			mustTeachers(t, s, 1, 2, 3, 4, 5)
			in := testEvent("x")
			in.Capacity = 2
			e := mustCreateEvent(t, s, in)
			// 5 signs up and cancels before the event fills: 1, 2 confirmed; 3, 4 in line.
			mustRegister(t, s, e.ID, 5, clk.Now())
			if _, err := s.CancelRegistration(ctx, e.ID, 5, nil); err != nil {
				t.Fatal(err)
			}
			for _, id := range []int64{1, 2, 3, 4} {
				mustRegister(t, s, e.ID, id, clk.Advance(time.Minute))
			}
			if tt.inactive {
				if err := s.SetUserActive(ctx, 3, false); err != nil {
					t.Fatal(err)
				}
			}
			if tt.status != "" {
				if err := s.SetEventStatus(ctx, e.ID, tt.status); err != nil {
					t.Fatal(err)
				}
			}
			if tt.started {
				clk.Advance(8 * 24 * time.Hour)
			}
			select { // drain earlier signals
			case <-s.Enqueued():
			default:
			}
			now := clk.Advance(time.Minute)
			p, err := s.CancelRegistration(ctx, e.ID, tt.cancel, notice("promote"))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || p != nil {
					t.Fatalf("CancelRegistration = %+v, %v; want %v", p, err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				r, err := s.Registration(ctx, e.ID, tt.cancel)
				if err != nil || r.State != RegCancelled || r.WaitSeq != 0 || !r.UpdatedAt.Equal(now) {
					t.Errorf("cancelled registration = %+v, %v", r, err)
				}
			}
			switch {
			case tt.wantPromoted == 0 && p != nil:
				t.Errorf("promoted %+v; want nobody", *p)
			case tt.wantPromoted != 0:
				if p == nil || p.UserID != tt.wantPromoted || p.State != RegConfirmed || p.WaitSeq != 0 {
					t.Fatalf("promoted %+v; want user %d confirmed", p, tt.wantPromoted)
				}
				if r, _ := s.Registration(ctx, e.ID, tt.wantPromoted); r.State != RegConfirmed || r.WaitSeq != 0 {
					t.Errorf("stored promoted registration = %+v", r)
				}
			}
			notes := pending(t, s)
			if tt.wantNotice {
				want := OutboxEntry{ChatID: tt.wantPromoted, UserID: tt.wantPromoted,
					Origin: Origin{Kind: OriginNotice, Key: fmt.Sprintf("promote:%d:%d", e.ID, tt.wantPromoted)}}
				if len(notes) != 1 || notes[0].ChatID != want.ChatID || notes[0].UserID != want.UserID || notes[0].Origin != want.Origin ||
					notes[0].Content.Text != fmt.Sprintf("promote user=%d event=%d place=%s", tt.wantPromoted, e.ID, in.Place) {
					t.Errorf("outbox = %+v; want one notice to %d", notes, tt.wantPromoted)
				}
				select {
				case <-s.Enqueued():
				default:
					t.Error("no Enqueued signal after a promotion")
				}
			} else if len(notes) != 0 {
				t.Errorf("outbox = %+v; want empty", notes)
			}
			got := mustEvent(t, s, e.ID)
			if got.Taken != tt.wantTaken || got.Waiting != tt.wantWaiting {
				t.Errorf("Taken/Waiting = %d/%d; want %d/%d", got.Taken, got.Waiting, tt.wantTaken, tt.wantWaiting)
			}
			ps, err := s.Participants(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			var line []int64
			for _, p := range ps {
				if p.State == RegWaitlist {
					line = append(line, p.UserID)
				}
			}
			if !slices.Equal(line, tt.wantLine) || bucketLen(t, s, bucketWaitlist) != len(tt.wantLine) {
				t.Errorf("waitlist = %v (%d keys); want %v", line, bucketLen(t, s, bucketWaitlist), tt.wantLine)
			}
		})
	}
}

// TestSignUpAgainGoesToTheEnd: leaving the line and coming back puts one
// behind everyone who stayed.
func TestSignUpAgainGoesToTheEnd(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	mustTeachers(t, s, 1, 2, 3)
	in := testEvent("x")
	in.Capacity = 1
	e := mustCreateEvent(t, s, in)
	for _, id := range []int64{1, 2, 3} {
		mustRegister(t, s, e.ID, id, clk.Advance(time.Minute))
	}
	first, _ := s.Registration(ctx, e.ID, 2)
	if _, err := s.CancelRegistration(ctx, e.ID, 2, nil); err != nil {
		t.Fatal(err)
	}
	again := mustRegister(t, s, e.ID, 2, clk.Advance(time.Minute))
	third, _ := s.Registration(ctx, e.ID, 3)
	if again.State != RegWaitlist || again.WaitSeq <= third.WaitSeq || !again.CreatedAt.After(first.CreatedAt) {
		t.Errorf("again = %+v; want waitlisted behind 3 (seq %d) with a new CreatedAt", again, third.WaitSeq)
	}
	ps, err := s.Participants(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	var order []int64
	for _, p := range ps {
		order = append(order, p.UserID)
	}
	if !slices.Equal(order, []int64{1, 3, 2}) {
		t.Errorf("participants = %v; want [1 3 2]", order)
	}
	// The confirmed one leaves: 3 is promoted, not 2.
	if p, err := s.CancelRegistration(ctx, e.ID, 1, nil); err != nil || p == nil || p.UserID != 3 {
		t.Errorf("CancelRegistration(1) promoted %+v, %v; want 3", p, err)
	}
	if got := mustEvent(t, s, e.ID); got.Taken != 1 || got.Waiting != 1 {
		t.Errorf("Taken/Waiting = %d/%d; want 1/1", got.Taken, got.Waiting)
	}
}

// TestMoreSeatsPromoteInTheSameTransaction raises the capacity of a full
// event with four waiting: the first two in line are promoted and told by
// UpdateEvent itself, and a newcomer after that waits behind the other two
// (the case: before, the newcomer was confirmed ahead of them).
func TestMoreSeatsPromoteInTheSameTransaction(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	mustTeachers(t, s, 1, 2, 3, 4, 5, 6)
	in := testEvent("x")
	in.Capacity = 1
	e := mustCreateEvent(t, s, in)
	for id := int64(1); id <= 5; id++ {
		mustRegister(t, s, e.ID, id, clk.Advance(time.Minute))
	}
	e = mustEvent(t, s, e.ID)
	e.Capacity = 3
	res, err := s.UpdateEvent(ctx, e, nil, notice("promote"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range res.Promoted {
		ids = append(ids, r.UserID)
		if r.State != RegConfirmed || r.WaitSeq != 0 {
			t.Errorf("promoted registration %+v; want confirmed", r)
		}
	}
	if !slices.Equal(ids, []int64{2, 3}) {
		t.Errorf("promoted %v; want [2 3]", ids)
	}
	if got := recipients(pending(t, s)); !slices.Equal(got, []int64{2, 3}) {
		t.Errorf("told %v; want [2 3]", got)
	}
	if got := mustEvent(t, s, e.ID); got.Taken != 3 || got.Waiting != 2 || res.Event.Taken != 3 || res.Event.Waiting != 2 {
		t.Errorf("Taken/Waiting = %d/%d (returned %d/%d); want 3/2", got.Taken, got.Waiting, res.Event.Taken, res.Event.Waiting)
	}
	if r := mustRegister(t, s, e.ID, 6, clk.Advance(time.Minute)); r.State != RegWaitlist {
		t.Errorf("the newcomer is %s; want waitlisted behind 4 and 5", r.State)
	}

	// No limit: everyone waiting is promoted, in line order.
	e = mustEvent(t, s, e.ID)
	e.Capacity = 0
	if res, err = s.UpdateEvent(ctx, e, nil, nil); err != nil {
		t.Fatal(err)
	}
	ids = nil
	for _, r := range res.Promoted {
		ids = append(ids, r.UserID)
	}
	if !slices.Equal(ids, []int64{4, 5, 6}) {
		t.Errorf("promoted %v; want [4 5 6]", ids)
	}
	if got := mustEvent(t, s, e.ID); got.Taken != 6 || got.Waiting != 0 {
		t.Errorf("Taken/Waiting = %d/%d; want 6/0", got.Taken, got.Waiting)
	}
}

// TestMoreSeatsPromoteNobodyAfterTheStart: a seat added to a cancelled
// event, or one whose start has come, promotes nobody.
func TestMoreSeatsPromoteNobodyAfterTheStart(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status EventStatus
		now    time.Time
	}{
		{"started", EventPublished, week},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, clk := newTestStore(t)
			mustTeachers(t, s, 1, 2)
			in := testEvent("x")
			in.Capacity = 1
			e := mustCreateEvent(t, s, in)
			mustRegister(t, s, e.ID, 1, t0)
			mustRegister(t, s, e.ID, 2, t0)
			if err := s.SetEventStatus(ctx, e.ID, tt.status); err != nil {
				t.Fatal(err)
			}
			clk.set(tt.now)
			e = mustEvent(t, s, e.ID)
			e.Capacity = 5
			res, err := s.UpdateEvent(ctx, e, nil, notice("promote"))
			if err != nil || len(res.Promoted) != 0 || res.Event.Taken != 1 || res.Event.Waiting != 1 {
				t.Fatalf("UpdateEvent = %+v, %v; want nobody promoted, 1/1", res, err)
			}
		})
	}
}

// TestRegisterNeverAheadOfTheWaitlist: a seat freed while the event could
// not promote (unpublished for a moment) is the first waiter's, not a
// newcomer's.
func TestRegisterNeverAheadOfTheWaitlist(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	in := testEvent("x")
	in.Capacity = 1
	e := mustCreateEvent(t, s, in)
	mustRegister(t, s, e.ID, 1, t0)
	mustRegister(t, s, e.ID, 2, t0)
	if err := s.SetEventStatus(ctx, e.ID, EventDraft); err != nil {
		t.Fatal(err)
	}
	if p, err := s.CancelRegistration(ctx, e.ID, 1, nil); err != nil || p != nil {
		t.Fatalf("CancelRegistration = %+v, %v; want nobody promoted while a draft", p, err)
	}
	if err := s.SetEventStatus(ctx, e.ID, EventPublished); err != nil {
		t.Fatal(err)
	}
	if r := mustRegister(t, s, e.ID, 3, t0); r.State != RegWaitlist {
		t.Errorf("the newcomer is %s with a seat free and 2 waiting; want waitlisted", r.State)
	}
	if got := mustEvent(t, s, e.ID); got.Taken != 0 || got.Waiting != 2 {
		t.Errorf("Taken/Waiting = %d/%d; want 0/2", got.Taken, got.Waiting)
	}
}

// TestUpdateEventRefusesBelowTaken: the limits are checked against the
// registrations as they are when the edit is saved, and a refused edit
// changes nothing (not even the fields that were fine).
func TestUpdateEventRefusesBelowTaken(t *testing.T) {
	tests := []struct {
		name        string
		change      func(*Event)
		wantErr     error
		wantTaken   int
		wantLargest int
	}{
		{name: "capacity below taken", change: func(e *Event) { e.Capacity = 2 }, wantErr: ErrCapacityBelowTaken, wantTaken: 3},
		{name: "capacity at taken", change: func(e *Event) { e.Capacity = 3 }},
		{name: "no limit", change: func(e *Event) { e.Capacity = 0 }},
		{name: "capacity below taken plus a fine title", change: func(e *Event) { e.Capacity = 1; e.Place = "Школа №3" },
			wantErr: ErrCapacityBelowTaken, wantTaken: 3},
		{name: "team below the largest", change: func(e *Event) { e.MaxTeam = 5 }, wantErr: ErrTeamSizeBelowTaken, wantTaken: 3, wantLargest: 6},
		{name: "team at the largest (waitlisted counts)", change: func(e *Event) { e.MaxTeam = 6 }},
		{name: "individual with teams signed up", change: func(e *Event) { e.Unit = UnitIndividual; e.MaxTeam = 0 },
			wantErr: ErrTeamSizeBelowTaken, wantTaken: 3, wantLargest: 6},
		{name: "team raised", change: func(e *Event) { e.MaxTeam = 9 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, clk := newTestStore(t)
			in := testEvent("x")
			in.Unit, in.MaxTeam, in.Capacity = UnitTeam, 8, 3
			e := mustCreateEvent(t, s, in)
			// Confirmed teams of 2, 3 and 4; waitlisted 6; 8 waited and
			// left (a cancelled team does not count).
			for i, size := range []int{2, 3, 4, 6, 8} {
				if _, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: int64(i + 1), TeamSize: size}, t0); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.CancelRegistration(ctx, e.ID, 5, nil); err != nil {
				t.Fatal(err)
			}
			before := mustEvent(t, s, e.ID)
			if before.Taken != 3 || before.Waiting != 1 {
				t.Fatalf("Taken/Waiting = %d/%d; want 3/1", before.Taken, before.Waiting)
			}
			edit := before
			edit.Title = "Новое название"
			tt.change(&edit)
			clk.Advance(time.Hour)
			res, err := s.UpdateEvent(ctx, edit, changeNotice, notice("promote"))
			after := mustEvent(t, s, e.ID)
			if tt.wantErr == nil {
				if err != nil || after.Title != edit.Title {
					t.Fatalf("UpdateEvent = %+v, %v; want saved", res, err)
				}
				return
			}
			var le *LimitError
			if !errors.Is(err, tt.wantErr) || !errors.As(err, &le) || le.Taken != tt.wantTaken || le.LargestTeam != tt.wantLargest {
				t.Fatalf("UpdateEvent error %v (%+v); want %v with taken %d, largest %d", err, le, tt.wantErr, tt.wantTaken, tt.wantLargest)
			}
			if !reflectEqualEvent(after, before) {
				t.Errorf("a refused edit changed the event:\n%+v\nwas\n%+v", after, before)
			}
		})
	}
}

// reflectEqualEvent compares the stored fields that matter here.
func reflectEqualEvent(a, b Event) bool {
	return a.Title == b.Title && a.Capacity == b.Capacity && a.MaxTeam == b.MaxTeam && a.Unit == b.Unit &&
		a.Taken == b.Taken && a.Waiting == b.Waiting && a.UpdatedAt.Equal(b.UpdatedAt)
}

// TestRegisterRefusesATeamAboveTheLimit: the team size is checked against
// the event as stored when the sign-up is saved.
func TestRegisterRefusesATeamAboveTheLimit(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	in := testEvent("x")
	in.Unit, in.MaxTeam = UnitTeam, 3
	team := mustCreateEvent(t, s, in)
	solo := mustCreateEvent(t, s, testEvent("y"))
	for _, tt := range []struct {
		event   int64
		size    int
		wantErr error
	}{
		{team.ID, 3, nil},
		{team.ID, 4, ErrTeamTooLarge},
		{team.ID, -1, ErrTeamTooLarge},
		{solo.ID, 0, nil},
		{solo.ID, 1, ErrTeamTooLarge},
	} {
		before := mustEvent(t, s, tt.event)
		_, err := s.Register(ctx, SignUp{EventID: tt.event, UserID: int64(10 + tt.size), TeamSize: tt.size}, t0)
		if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("Register(event %d, team %d) = %v; want %v", tt.event, tt.size, err, tt.wantErr)
		}
		if after := mustEvent(t, s, tt.event); tt.wantErr != nil && (after.Taken != before.Taken || after.Waiting != before.Waiting) {
			t.Errorf("a refused team changed the counters")
		}
	}
}

// TestParticipants500 signs 500 teachers up (300 seats), cancels some of
// both kinds, and checks the list's order: confirmed by CreatedAt, then the
// line by WaitSeq.
func TestParticipants500(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	const n, seats = 500, 300
	err := s.DB().Update(func(tx *bolt.Tx) error {
		for id := int64(1); id <= n; id++ {
			if id%100 == 0 {
				continue // a few users are gone from the users bucket
			}
			u := User{ID: id, ChatID: id, FullName: fmt.Sprintf("Учитель %d", id), Active: true, Registered: true}
			if err := putUser(tx, u, t0, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	in := testEvent("x")
	in.Capacity = seats
	e := mustCreateEvent(t, s, in)
	// Users sign up in a shuffled order (deterministic), a second apart,
	// in one transaction (Register alone would wait for a batch 500 times).
	order := make([]int64, n)
	for i := range order {
		order[i] = int64((i*7919)%n + 1)
	}
	err = s.DB().Update(func(tx *bolt.Tx) error {
		for _, id := range order {
			if _, err := register(tx, SignUp{EventID: e.ID, UserID: id}, clk.Advance(time.Second)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Five confirmed leave (promoting the first five in line), and the
	// next three in line leave too.
	for _, id := range order[10:15] {
		if p, err := s.CancelRegistration(ctx, e.ID, id, nil); err != nil || p == nil {
			t.Fatalf("CancelRegistration(%d) = %v, %v", id, p, err)
		}
	}
	for _, id := range order[seats+5 : seats+8] {
		if p, err := s.CancelRegistration(ctx, e.ID, id, nil); err != nil || p != nil {
			t.Fatalf("CancelRegistration(%d) = %v, %v", id, p, err)
		}
	}
	var want []int64
	want = append(want, order[:10]...)
	want = append(want, order[15:seats+5]...)
	want = append(want, order[seats+8:]...)

	ps, err := s.Participants(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for i, p := range ps {
		got = append(got, p.UserID)
		wantState := RegConfirmed
		if i >= seats {
			wantState = RegWaitlist
		}
		if p.State != wantState || p.User.ID != p.UserID {
			t.Fatalf("participant %d = %+v; want %s with its user", i, p, wantState)
		}
		if p.UserID%100 == 0 && !reflect.DeepEqual(p.User, User{ID: p.UserID}) {
			t.Errorf("missing user %d came as %+v; want a zero User with its id", p.UserID, p.User)
		}
		if p.UserID%100 != 0 && p.User.FullName != fmt.Sprintf("Учитель %d", p.UserID) {
			t.Errorf("participant %d user %+v", p.UserID, p.User)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("participants order differs:\n got %v\nwant %v", got, want)
	}
	if got := mustEvent(t, s, e.ID); got.Taken != seats || got.Waiting != n-seats-8 {
		t.Errorf("Taken/Waiting = %d/%d; want %d/%d", got.Taken, got.Waiting, seats, n-seats-8)
	}
}

func TestUserRegistrations(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	mustTeachers(t, s, 1, 2)
	make1 := func(title string, start time.Time) Event {
		e := testEvent(title)
		e.Start = start
		return mustCreateEvent(t, s, e)
	}
	// Sign up while everything is in the future, then move the clock on.
	past1 := make1("past-1", t0.Add(24*time.Hour))
	past2 := make1("past-2", t0.Add(48*time.Hour))
	soon := make1("soon", t0.Add(10*24*time.Hour))
	later := make1("later", t0.Add(20*24*time.Hour))
	left := make1("left", t0.Add(5*24*time.Hour))
	full := mustCreateEvent(t, s, Event{Title: "full", Kind: EventSeminar, Start: t0.Add(15 * 24 * time.Hour), Capacity: 1, Status: EventPublished})
	for _, e := range []Event{later, past1, soon, past2, left} {
		mustRegister(t, s, e.ID, 1, t0)
	}
	mustRegister(t, s, full.ID, 2, t0)
	mustRegister(t, s, full.ID, 1, t0)
	mustRegister(t, s, soon.ID, 2, t0)
	if _, err := s.CancelRegistration(ctx, left.ID, 1, nil); err != nil {
		t.Fatal(err)
	}
	clk.Advance(3 * 24 * time.Hour)

	list, err := s.UserRegistrations(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range list {
		if m.EventID != m.Event.ID || m.UserID != 1 {
			t.Errorf("entry %+v mismatched", m)
		}
		got = append(got, m.Event.Title+":"+string(m.State))
	}
	want := []string{"soon:confirmed", "full:waitlist", "later:confirmed", "past-2:confirmed", "past-1:confirmed"}
	if !slices.Equal(got, want) {
		t.Errorf("UserRegistrations = %v; want %v", got, want)
	}
	if list, err := s.UserRegistrations(ctx, 99); err != nil || len(list) != 0 {
		t.Errorf("UserRegistrations(99) = %v, %v; want empty", list, err)
	}
}

func TestSetAttendanceAndResult(t *testing.T) {
	tests := []struct {
		name    string
		kind    EventKind
		user    int64
		call    string // "attend", "miss" or a result
		wantErr error  // nil: success; errAny: some error
		check   func(Registration) bool
	}{
		{name: "came", kind: EventSeminar, user: 1, call: "attend", check: func(r Registration) bool { return r.Attended != nil && *r.Attended }},
		{name: "did not come", kind: EventSeminar, user: 1, call: "miss", check: func(r Registration) bool { return r.Attended != nil && !*r.Attended }},
		{name: "waitlisted is not marked", kind: EventSeminar, user: 2, call: "attend", wantErr: ErrNotConfirmed},
		{name: "waitlisted gets no place", kind: EventContest, user: 2, call: ResultFirst, wantErr: ErrNotConfirmed},
		{name: "cancelled gets no place", kind: EventContest, user: 3, call: ResultFirst, wantErr: ErrNotRegistered},
		{name: "first place", kind: EventContest, user: 1, call: ResultFirst, check: func(r Registration) bool { return r.Result == ResultFirst }},
		{name: "laureate", kind: EventCompetition, user: 1, call: ResultLaureate, check: func(r Registration) bool { return r.Result == ResultLaureate }},
		{name: "cleared", kind: EventContest, user: 1, call: "", check: func(r Registration) bool { return r.Result == "" }},
		{name: "unknown result", kind: EventContest, user: 1, call: "4", wantErr: errAny},
		{name: "result for a seminar", kind: EventSeminar, user: 1, call: ResultSecond, wantErr: errAny},
		{name: "cancelled", kind: EventContest, user: 3, call: "attend", wantErr: ErrNotRegistered},
		{name: "never signed up", kind: EventContest, user: 4, call: ResultThird, wantErr: ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, clk := newTestStore(t)
			in := testEvent("x")
			in.Kind, in.Capacity = tt.kind, 1
			e := mustCreateEvent(t, s, in)
			for _, id := range []int64{1, 2, 3} {
				mustRegister(t, s, e.ID, id, t0)
			}
			if _, err := s.CancelRegistration(ctx, e.ID, 3, nil); err != nil {
				t.Fatal(err)
			}
			if tt.call == "" {
				if err := s.SetResult(ctx, e.ID, tt.user, ResultSecond, nil); err != nil {
					t.Fatal(err)
				}
			}
			now := clk.Advance(10 * 24 * time.Hour)
			var err error
			switch tt.call {
			case "attend", "miss":
				err = s.SetAttendance(ctx, e.ID, tt.user, tt.call == "attend")
			default:
				err = s.SetResult(ctx, e.ID, tt.user, tt.call, nil)
			}
			switch {
			case tt.wantErr == errAny:
				if err == nil {
					t.Fatal("succeeded; want an error")
				}
				return
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v; want %v", err, tt.wantErr)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			r, err := s.Registration(ctx, e.ID, tt.user)
			if err != nil || !tt.check(r) || !r.UpdatedAt.Equal(now) {
				t.Errorf("Registration = %+v, %v", r, err)
			}
		})
	}
}

var errAny = errors.New("any error")
