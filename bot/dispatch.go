package bot

import (
	"context"
	"sync"

	"github.com/go-telegram/bot/models"
)

// dispatcher runs updates one at a time per user, in arrival order, and at
// most `workers` handlers at once across users. It remembers which updates
// are in flight so that the poller can compute its watermark.
type dispatcher struct {
	ctx    context.Context
	handle func(ctx context.Context, u *models.Update)
	sem    chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	queues   map[int64][]*models.Update
	inflight map[int64]struct{} // update ids enqueued and not yet handled
	maxSeen  int64
	progress chan struct{}
}

func newDispatcher(ctx context.Context, workers int, handle func(context.Context, *models.Update)) *dispatcher {
	return &dispatcher{
		ctx:      ctx,
		handle:   handle,
		sem:      make(chan struct{}, workers),
		queues:   map[int64][]*models.Update{},
		inflight: map[int64]struct{}{},
		progress: make(chan struct{}, 1),
	}
}

// enqueue queues u behind the same user's earlier updates. It returns false
// (and does nothing) for an update it has already seen.
func (d *dispatcher) enqueue(u *models.Update) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if u.ID <= d.maxSeen {
		return false
	}
	d.maxSeen = u.ID
	d.inflight[u.ID] = struct{}{}
	key := queueKey(u)
	q, running := d.queues[key]
	d.queues[key] = append(q, u)
	if !running {
		d.wg.Add(1)
		go d.drain(key)
	}
	return true
}

// drain handles key's queue until it is empty.
func (d *dispatcher) drain(key int64) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.queues[key]
		if len(q) == 0 {
			delete(d.queues, key)
			d.mu.Unlock()
			return
		}
		u := q[0]
		d.queues[key] = q[1:]
		d.mu.Unlock()

		d.sem <- struct{}{}
		d.handle(d.ctx, u)
		<-d.sem

		d.mu.Lock()
		delete(d.inflight, u.ID)
		d.mu.Unlock()
		select {
		case d.progress <- struct{}{}:
		default:
		}
	}
}

// watermark is the offset to ask Telegram from: the oldest update in
// flight, or the one after the newest seen.
func (d *dispatcher) watermark() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	low := d.maxSeen + 1
	for id := range d.inflight {
		if id < low {
			low = id
		}
	}
	if low == 1 {
		return 0 // nothing seen yet: let Telegram start where it is
	}
	return low
}

func (d *dispatcher) progressed() <-chan struct{} { return d.progress }

// wait blocks until every queued update has been handled.
func (d *dispatcher) wait() { d.wg.Wait() }

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
