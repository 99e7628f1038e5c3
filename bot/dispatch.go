package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
)

// dispatcher runs updates one at a time per user, in arrival order, and at
// most `workers` handlers at once across users. Handled updates are removed
// from the inbox in batches (every flushEvery), so a crash re-handles at
// most the updates of that last moment.
type dispatcher struct {
	ctx    context.Context
	handle func(ctx context.Context, u *models.Update)
	store  *storage.Store
	log    *slog.Logger
	sem    chan struct{}
	wg     sync.WaitGroup

	mu     sync.Mutex
	queues map[int64][]*models.Update
	// known holds the ids queued or being handled, and recent the last
	// handled ones (a ring): an update Telegram sends again while we know
	// it is not handled twice. Ids are not compared by size: after a week
	// without updates Telegram picks the next id at random.
	known   map[int64]bool
	recent  []int64
	next    int
	handled []int64

	stopFlush chan struct{}
	flushDone chan struct{}
}

// flushEvery is how often handled updates are removed from the inbox.
const flushEvery = 100 * time.Millisecond

func newDispatcher(ctx context.Context, workers int, store *storage.Store, log *slog.Logger, handle func(context.Context, *models.Update)) *dispatcher {
	d := &dispatcher{
		ctx:       ctx,
		handle:    handle,
		store:     store,
		log:       log,
		sem:       make(chan struct{}, workers),
		queues:    map[int64][]*models.Update{},
		known:     map[int64]bool{},
		recent:    make([]int64, recentHandled),
		stopFlush: make(chan struct{}),
		flushDone: make(chan struct{}),
	}
	go d.flushLoop()
	return d
}

// recentHandled is how many handled update ids are remembered.
const recentHandled = 4096

// isNew reports whether the update is neither queued, being handled, nor
// handled lately.
func (d *dispatcher) isNew(id int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return !d.known[id]
}

// enqueue queues u behind the same user's earlier updates, unless it is
// already known.
func (d *dispatcher) enqueue(u *models.Update) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.known[u.ID] {
		return
	}
	d.known[u.ID] = true
	key := queueKey(u)
	q, running := d.queues[key]
	d.queues[key] = append(q, u)
	if !running {
		d.wg.Add(1)
		go d.drain(key)
	}
}

// drain handles key's queue until it is empty. Once the dispatcher's
// context ends it handles nothing more: what is left stays in the inbox
// for the next start.
func (d *dispatcher) drain(key int64) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.queues[key]
		if len(q) == 0 || d.ctx.Err() != nil {
			delete(d.queues, key)
			d.mu.Unlock()
			return
		}
		u := q[0]
		d.queues[key] = q[1:]
		d.mu.Unlock()

		select {
		case d.sem <- struct{}{}:
		case <-d.ctx.Done():
			continue
		}
		d.safeHandle(u)
		<-d.sem
		if d.ctx.Err() == nil { // a handler cut short at shutdown runs again at the next start
			d.done(u.ID)
		}
	}
}

// safeHandle runs the handler, and logs and drops an update whose handling
// panicked before the middleware's own recovery could (the handler could
// not even start): one update must not stop the user's queue, or the bot.
// The log names the update's id and kind, no personal data.
func (d *dispatcher) safeHandle(u *models.Update) {
	defer func() {
		if v := recover(); v != nil {
			// The panic's type and stack, not its value: it may hold what
			// the user wrote.
			d.log.Error("update skipped: its handling could not start", "update_id", u.ID, "kind", updateKind(u),
				"panic", fmt.Sprintf("%T", v), "stack", string(debug.Stack()))
		}
	}()
	d.handle(d.ctx, u)
}

// done marks an update handled: it leaves the inbox with the next flush
// and is remembered among the recent ones.
func (d *dispatcher) done(id int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.handled = append(d.handled, id)
	if old := d.recent[d.next]; old != 0 {
		delete(d.known, old)
	}
	d.recent[d.next] = id
	d.next = (d.next + 1) % len(d.recent)
}

func (d *dispatcher) flushLoop() {
	defer close(d.flushDone)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			d.flush()
		case <-d.stopFlush:
			d.flush()
			return
		}
	}
}

// flush removes the handled updates from the inbox. A dispatcher without
// a store (the intake benchmark's variant without the inbox) has none.
func (d *dispatcher) flush() {
	if d.store == nil {
		return
	}
	d.mu.Lock()
	ids := d.handled
	d.handled = nil
	d.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	if err := d.store.DoneUpdates(context.Background(), ids); err != nil {
		d.log.Error("inbox: forget handled updates", "error", err)
		d.mu.Lock()
		d.handled = append(d.handled, ids...)
		d.mu.Unlock()
	}
}

// wait blocks until every queued update has been handled (or left for the
// next start), then writes down what was handled.
func (d *dispatcher) wait() {
	d.wg.Wait()
	close(d.stopFlush)
	<-d.flushDone
}

// queueKey is whose update this is: the user for messages and buttons, the
// chat for membership changes.
func queueKey(u *models.Update) int64 {
	switch {
	case u.Message != nil && u.Message.From != nil:
		return u.Message.From.ID
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.EditedMessage != nil && u.EditedMessage.From != nil:
		return u.EditedMessage.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}
