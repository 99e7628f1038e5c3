package storage

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The sign-up rules, checked against a model: random sequences of
// register / cancel / raise or lower capacity / change team size / cancel
// event, for individual and team events, run by several goroutines against
// one real bbolt file, each step checked against a small in-memory model.
//
// Soundness with concurrency: every sequence owns its event, so the model
// of an event is changed only by the goroutine running its sequence, after
// the store has answered. Steps that race on the same event (a burst of
// sign-ups, a burst of cancellations) are checked by what every serial
// order of them would give: the number seated and the set promoted do not
// depend on the order; the waitlist's new tail is taken in WaitSeq order,
// which the store assigns inside its transactions. Meanwhile the other
// goroutines' transactions interleave with this one's, and bbolt's Batch
// merges their sign-ups into shared commits.
//
// By default it runs 10,000 sequences (8–10 s on CI's two cores), or 1,000
// when built with -race (which makes every bbolt commit several times
// slower; the race suite then checks the same concurrent paths for data
// races, in about 6 s). CI runs both. A longer run:
//
//	go test ./storage -run '^TestSignUpRulesModel$' -rules.sequences=1000000 -timeout 3h
var (
	ruleSequences = flag.Int("rules.sequences", 0, "random sequences TestSignUpRulesModel runs; 0: 10,000, or 1,000 with -race")
	ruleSeed      = flag.Uint64("rules.seed", 0, "TestSignUpRulesModel's seed; 0 takes one from the clock (a failure prints it)")
)

const (
	modelWorkers = 32 // goroutines running sequences at once
	modelUsers   = 8  // teachers 1..8 sign up and leave; shared by all events
)

// modelReg is one user's active registration in the model.
type modelReg struct {
	waiting bool
	team    int
}

// modelEvent is what the rules say one event looks like.
type modelEvent struct {
	id        int64
	team      bool // UnitTeam
	maxTeam   int
	capacity  int // 0: no limit
	cancelled bool
	regs      map[int64]modelReg // active registrations
	waitlist  []int64            // in line order
}

func (m *modelEvent) limit() int {
	if m.team {
		return m.maxTeam
	}
	return 0
}

func (m *modelEvent) taken() int { return len(m.regs) - len(m.waitlist) }

func (m *modelEvent) seatFree() bool { return m.capacity == 0 || m.taken() < m.capacity }

// promote moves the head of the line to a seat while seats are free and the
// event is not cancelled, returning who moved, in order.
func (m *modelEvent) promote() []int64 {
	var moved []int64
	for !m.cancelled && len(m.waitlist) > 0 && m.seatFree() {
		u := m.waitlist[0]
		m.waitlist = m.waitlist[1:]
		r := m.regs[u]
		r.waiting = false
		m.regs[u] = r
		moved = append(moved, u)
	}
	return moved
}

// register is the rule for one sign-up: the expected error, or whether the
// user waits.
func (m *modelEvent) register(u int64, team int) (waits bool, err error) {
	switch _, active := m.regs[u]; {
	case m.cancelled:
		return false, ErrSignUpClosed
	case active:
		return false, ErrAlreadyRegistered
	case team < 0 || team > m.limit():
		return false, ErrTeamTooLarge
	}
	waits = len(m.waitlist) > 0 || !m.seatFree()
	m.regs[u] = modelReg{waiting: waits, team: team}
	if waits {
		m.waitlist = append(m.waitlist, u)
	}
	return waits, nil
}

// cancel is the rule for leaving: a seat freed goes to the head of the line.
func (m *modelEvent) cancel(u int64) (promoted []int64, err error) {
	r, ok := m.regs[u]
	if !ok {
		return nil, ErrNotRegistered
	}
	delete(m.regs, u)
	if r.waiting {
		m.waitlist = slices.DeleteFunc(m.waitlist, func(w int64) bool { return w == u })
		return nil, nil
	}
	return m.promote(), nil
}

func (m *modelEvent) largestTeam() int {
	largest := 0
	for _, r := range m.regs {
		largest = max(largest, r.team)
	}
	return largest
}

// modelRun is one sequence: its event, model, random source and log.
type modelRun struct {
	s   *Store
	ctx context.Context
	rng *rand.Rand
	m   *modelEvent
	log []string

	mu       sync.Mutex
	notified []int64 // users the promotion Notify rendered for, this step
}

func (r *modelRun) logf(format string, args ...any) {
	r.log = append(r.log, fmt.Sprintf(format, args...))
}

func (r *modelRun) promotedNotify(u User, e Event) Content {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notified = append(r.notified, u.ID)
	return Content{Text: fmt.Sprintf("promoted %d to %d", u.ID, e.ID)}
}

// takeNotified returns and clears the users notified since the last call.
func (r *modelRun) takeNotified() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.notified
	r.notified = nil
	slices.Sort(n)
	return n
}

func TestSignUpRulesModel(t *testing.T) {
	seed := *ruleSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	// NoSync: this database is thrown away, and a fsync per commit (about
	// 0.25 ms on CI's disk, BENCHMARKS.md) would make 10,000 sequences take
	// minutes. The rules are decided inside transactions, which NoSync does
	// not change; durability is what the SIGKILL tests of package main prove.
	clk := newTestClock()
	s := openTestStore(t, filepath.Join(t.TempDir(), "rules.db"), Options{Now: clk.Now, NoSync: true, LockTimeout: time.Second})
	ensureOrgs(t, s, 1)
	// Register merges concurrent sign-ups with bbolt's Batch, which waits
	// up to 10 ms for company: that wait, not the rules, would be most of
	// the run. With 32 goroutines, sign-ups still share commits.
	s.db.MaxBatchDelay = 500 * time.Microsecond
	ctx := context.Background()
	for u := int64(1); u <= modelUsers; u++ {
		if err := s.PutUser(ctx, User{ID: u, ChatID: u, FullName: fmt.Sprintf("Учитель %d", u), Lang: "ru", Registered: true, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	total := *ruleSequences
	switch {
	case total > 0:
	case raceDetector:
		total = 1_000
	default:
		total = 10_000
	}
	var (
		next    atomic.Int64
		failed  atomic.Bool
		steps   atomic.Int64
		wg      sync.WaitGroup
		started = time.Now()
	)
	for range modelWorkers {
		wg.Go(func() {
			for !failed.Load() {
				i := next.Add(1) - 1
				if i >= int64(total) {
					return
				}
				r := &modelRun{s: s, ctx: ctx, rng: rand.New(rand.NewPCG(seed, uint64(i)))}
				n, err := r.run()
				steps.Add(int64(n))
				if err != nil {
					failed.Store(true)
					t.Errorf("sequence %d (rerun: -rules.seed=%d): %v\nsteps:\n  %s", i, seed, err, strings.Join(r.log, "\n  "))
					return
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%d sequences, %d steps, %d goroutines, seed %d, in %v", total, steps.Load(), modelWorkers, seed, time.Since(started).Round(time.Millisecond))
}

// run creates the sequence's event and runs its steps, checking the store
// against the model after each one. It returns how many steps ran.
func (r *modelRun) run() (int, error) {
	in := testEvent("model")
	m := &modelEvent{team: r.rng.IntN(2) == 0, capacity: r.rng.IntN(5), regs: map[int64]modelReg{}}
	if m.team {
		in.Unit, m.maxTeam = UnitTeam, 1+r.rng.IntN(5)
		in.MaxTeam = m.maxTeam
	}
	in.Capacity = m.capacity
	e, err := r.s.CreateEvent(r.ctx, in)
	if err != nil {
		return 0, err
	}
	m.id = e.ID
	r.m = m
	r.logf("event %d: team %v (max %d), capacity %d", m.id, m.team, m.maxTeam, m.capacity)
	n := 3 + r.rng.IntN(8)
	for i := range n {
		if err := r.step(); err != nil {
			return i + 1, err
		}
		if err := r.check(); err != nil {
			return i + 1, fmt.Errorf("after step %d: %w", i+1, err)
		}
	}
	return n, nil
}

// user picks one of the shared teachers.
func (r *modelRun) user() int64 { return 1 + r.rng.Int64N(modelUsers) }

// teamSize picks a team for a sign-up: usually within the limit, now and
// then one too many.
func (r *modelRun) teamSize() int {
	if r.rng.IntN(8) == 0 {
		return r.m.limit() + 1
	}
	if !r.m.team {
		return 0
	}
	return 1 + r.rng.IntN(r.m.maxTeam)
}

// step runs one random operation and checks the store's answer with the
// model's.
func (r *modelRun) step() error {
	m := r.m
	switch k := r.rng.IntN(100); {
	case k < 35:
		return r.register()
	case k < 55:
		return r.cancel()
	case k < 75:
		return r.setCapacity()
	case k < 85 && m.team:
		return r.setTeam()
	case k < 85:
		return r.registerBurst()
	case k < 93:
		return r.cancelBurst()
	case k < 96:
		return r.registerBurst()
	default:
		r.logf("cancel event")
		if _, _, err := r.s.CancelEvent(r.ctx, m.id, nil); err != nil {
			return err
		}
		m.cancelled = true
		return nil
	}
}

func (r *modelRun) register() error {
	u, team := r.user(), r.teamSize()
	reg, err := r.s.Register(r.ctx, SignUp{EventID: r.m.id, UserID: u, TeamSize: team}, t0)
	waits, want := r.m.register(u, team)
	r.logf("register %d (team %d): %s, %v", u, team, reg.State, err)
	if !errors.Is(err, want) || (err == nil) != (want == nil) {
		return fmt.Errorf("register %d: error %v; want %v", u, err, want)
	}
	if err == nil && (reg.State == RegWaitlist) != waits {
		return fmt.Errorf("register %d: %s; want waiting %v", u, reg.State, waits)
	}
	return nil
}

func (r *modelRun) cancel() error {
	u := r.user()
	p, err := r.s.CancelRegistration(r.ctx, r.m.id, u, r.promotedNotify)
	want, wantErr := r.m.cancel(u)
	r.logf("cancel %d: promoted %v, %v", u, regUser(p), err)
	if !errors.Is(err, wantErr) || (err == nil) != (wantErr == nil) {
		return fmt.Errorf("cancel %d: error %v; want %v", u, err, wantErr)
	}
	var got []int64
	if p != nil {
		got = []int64{p.UserID}
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("cancel %d promoted %v; want %v", u, got, want)
	}
	return r.checkNotified(got)
}

func (r *modelRun) setCapacity() error {
	m := r.m
	taken := m.taken()
	c := []int{0, max(1, taken-1), max(1, taken), taken + 1, taken + 2 + r.rng.IntN(3), 1 + r.rng.IntN(6)}[r.rng.IntN(6)]
	return r.update(fmt.Sprintf("capacity %d", c), func(e *Event) { e.Capacity = c }, func() (*LimitError, []int64) {
		if c != 0 && c < taken {
			return &LimitError{Err: ErrCapacityBelowTaken, Taken: taken}, nil
		}
		m.capacity = c
		return nil, m.promote()
	})
}

func (r *modelRun) setTeam() error {
	m := r.m
	size := 1 + r.rng.IntN(6)
	return r.update(fmt.Sprintf("team %d", size), func(e *Event) { e.MaxTeam = size }, func() (*LimitError, []int64) {
		if largest := m.largestTeam(); size < m.maxTeam && largest > size {
			return &LimitError{Err: ErrTeamSizeBelowTaken, Taken: m.taken(), LargestTeam: largest}, nil
		}
		m.maxTeam = size
		return nil, nil
	})
}

// update edits the stored event by change and checks the store's decision
// against rule's (a refusal, or who was promoted).
func (r *modelRun) update(what string, change func(*Event), rule func() (*LimitError, []int64)) error {
	e, err := r.s.Event(r.ctx, r.m.id)
	if err != nil {
		return err
	}
	change(&e)
	title := fmt.Sprintf("step %d", len(r.log)) // a field that a refused edit must not change either
	e.Title = title
	res, err := r.s.UpdateEvent(r.ctx, e, nil, r.promotedNotify)
	if r.m.cancelled { // a cancelled event is not edited, whatever the edit
		r.logf("%s: %v", what, err)
		if !errors.Is(err, ErrEventCancelled) {
			return fmt.Errorf("%s of a cancelled event: error %v; want ErrEventCancelled", what, err)
		}
		if stored, err := r.s.Event(r.ctx, r.m.id); err != nil || stored.Title == title {
			return fmt.Errorf("%s: an edit of a cancelled event was stored (%v)", what, err)
		}
		return r.checkNotified(nil)
	}
	wantRefusal, wantPromoted := rule()
	var got []int64
	for _, p := range res.Promoted {
		got = append(got, p.UserID)
	}
	r.logf("%s: promoted %v, %v", what, got, err)
	if wantRefusal != nil {
		var le *LimitError
		if !errors.As(err, &le) || !errors.Is(err, wantRefusal.Err) || *le != *wantRefusal {
			return fmt.Errorf("%s: error %v; want %v", what, err, wantRefusal)
		}
		if stored, err := r.s.Event(r.ctx, r.m.id); err != nil || stored.Title == title {
			return fmt.Errorf("%s: a refused edit was stored (%v)", what, err)
		}
		return r.checkNotified(nil)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !slices.Equal(got, wantPromoted) {
		return fmt.Errorf("%s promoted %v; want %v (the head of the line, in order)", what, got, wantPromoted)
	}
	return r.checkNotified(got)
}

// registerBurst signs up two to four users not signed up, at once, each
// from its own goroutine.
func (r *modelRun) registerBurst() error {
	m := r.m
	var users []int64
	for u := int64(1); u <= modelUsers; u++ {
		if _, active := m.regs[u]; !active && r.rng.IntN(2) == 0 && len(users) < 4 {
			users = append(users, u)
		}
	}
	if len(users) < 2 || m.cancelled {
		return r.register()
	}
	teams := make([]int, len(users))
	for i := range teams {
		teams[i] = min(r.teamSize(), m.limit())
	}
	regs := make([]Registration, len(users))
	errs := make([]error, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() {
			regs[i], errs[i] = r.s.Register(r.ctx, SignUp{EventID: m.id, UserID: u, TeamSize: teams[i]}, t0)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("burst %v: %w", users, err)
	}
	// In any serial order: seats while free and nobody waits, then the line.
	free := 0
	if len(m.waitlist) == 0 {
		free = len(users)
		if m.capacity != 0 {
			free = max(0, m.capacity-m.taken())
		}
	}
	var seated, waiting []Registration
	for _, reg := range regs {
		if reg.State == RegConfirmed {
			seated = append(seated, reg)
		} else {
			waiting = append(waiting, reg)
		}
	}
	r.logf("burst register %v: seated %d, waiting %d", users, len(seated), len(waiting))
	if want := min(free, len(users)); len(seated) != want {
		return fmt.Errorf("burst %v seated %d; want %d", users, len(seated), want)
	}
	for i, u := range users {
		m.regs[u] = modelReg{waiting: regs[i].State == RegWaitlist, team: teams[i]}
	}
	slices.SortFunc(waiting, func(a, b Registration) int { return cmp.Compare(a.WaitSeq, b.WaitSeq) })
	for _, reg := range waiting {
		m.waitlist = append(m.waitlist, reg.UserID)
	}
	return nil
}

// cancelBurst cancels two or three confirmed users at once.
func (r *modelRun) cancelBurst() error {
	m := r.m
	var users []int64
	for u := int64(1); u <= modelUsers; u++ {
		if reg, ok := m.regs[u]; ok && !reg.waiting && len(users) < 3 {
			users = append(users, u)
		}
	}
	if len(users) < 2 {
		return r.cancel()
	}
	promoted := make([]*Registration, len(users))
	errs := make([]error, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() { promoted[i], errs[i] = r.s.CancelRegistration(r.ctx, m.id, u, r.promotedNotify) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("burst cancel %v: %w", users, err)
	}
	var want []int64
	for _, u := range users {
		p, _ := m.cancel(u)
		want = append(want, p...)
	}
	var got []int64
	for _, p := range promoted {
		if p != nil {
			got = append(got, p.UserID)
		}
	}
	r.logf("burst cancel %v: promoted %v", users, got)
	// Each cancellation frees one seat: whatever their order, the first
	// len(want) in line are promoted, nobody behind them.
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("burst cancel %v promoted %v; want %v", users, got, want)
	}
	return r.checkNotified(got)
}

// checkNotified: every promoted user (all are active) was told, nobody else.
func (r *modelRun) checkNotified(promoted []int64) error {
	got := r.takeNotified()
	want := slices.Sorted(slices.Values(promoted))
	if !slices.Equal(got, want) {
		return fmt.Errorf("promotion notices to %v; want %v", got, want)
	}
	return nil
}

// check reads the event, its registrations and its line in one read
// transaction and compares them with the model.
func (r *modelRun) check() error {
	m := r.m
	return r.s.db.View(func(tx *bolt.Tx) error {
		var e Event
		if err := getJSON(tx.Bucket(bucketEvents), itob(m.id), &e); err != nil {
			return err
		}
		confirmed, waiting := map[int64]int{}, map[int64]RegistrationState{}
		if err := forEventRegs(tx, m.id, func(reg Registration) error {
			switch reg.State {
			case RegConfirmed:
				confirmed[reg.UserID] = reg.TeamSize
			case RegWaitlist:
				waiting[reg.UserID] = reg.State
			}
			if reg.active() && reg.TeamSize > e.TeamLimit() {
				return fmt.Errorf("user %d's team of %d is above the limit %d", reg.UserID, reg.TeamSize, e.TeamLimit())
			}
			return nil
		}); err != nil {
			return err
		}
		var line []int64
		prefix := itob(m.id)
		c := tx.Bucket(bucketWaitlist).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			line = append(line, btoi(v))
		}
		switch {
		case e.Taken != len(confirmed) || e.Waiting != len(waiting):
			return fmt.Errorf("counters %d/%d; the rows say %d/%d", e.Taken, e.Waiting, len(confirmed), len(waiting))
		case e.Taken != m.taken() || e.Waiting != len(m.waitlist):
			return fmt.Errorf("counters %d/%d; the model says %d/%d", e.Taken, e.Waiting, m.taken(), len(m.waitlist))
		case e.Capacity != 0 && e.Taken > e.Capacity:
			return fmt.Errorf("%d confirmed over a capacity of %d", e.Taken, e.Capacity)
		case !slices.Equal(line, m.waitlist):
			return fmt.Errorf("the line is %v; the model says %v (arrival order)", line, m.waitlist)
		case e.Status == EventPublished && len(line) > 0 && (e.Capacity == 0 || e.Taken < e.Capacity):
			return fmt.Errorf("a seat is free (%d of %d) while %d wait", e.Taken, e.Capacity, len(line))
		case e.Capacity != m.capacity || e.MaxTeam != m.maxTeam || (e.Status == EventCancelled) != m.cancelled:
			return fmt.Errorf("event %+v; the model says capacity %d, team %d, cancelled %v", e, m.capacity, m.maxTeam, m.cancelled)
		}
		for u, reg := range m.regs {
			if _, ok := confirmed[u]; ok == reg.waiting {
				return fmt.Errorf("user %d: confirmed %v; the model says waiting %v", u, ok, reg.waiting)
			}
			if t, ok := confirmed[u]; ok && t != reg.team {
				return fmt.Errorf("user %d: team %d; the model says %d", u, t, reg.team)
			}
		}
		if len(confirmed)+len(waiting) != len(m.regs) {
			return fmt.Errorf("%d active registrations; the model has %d", len(confirmed)+len(waiting), len(m.regs))
		}
		return nil
	})
}

func regUser(p *Registration) any {
	if p == nil {
		return "nobody"
	}
	return p.UserID
}
