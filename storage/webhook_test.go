package storage

import (
	"context"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"
)

// TestWebhookSecret: made once, of the characters Telegram allows, and the
// same after the database is opened again.
func TestWebhookSecret(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vmeste.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := s.WebhookSecret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(first) {
		t.Errorf("secret %q is not 43 characters of A-Za-z0-9_-", first)
	}
	if again, err := s.WebhookSecret(ctx); err != nil || again != first {
		t.Errorf("second call: %q, %v; want %q", again, err, first)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, path, Options{})
	if reopened, err := s.WebhookSecret(ctx); err != nil || reopened != first {
		t.Errorf("after reopening: %q, %v; want %q", reopened, err, first)
	}
	other, _ := newTestStore(t)
	if o, err := other.WebhookSecret(ctx); err != nil || o == first {
		t.Errorf("another database's secret: %q, %v; want a different one", o, err)
	}
}

// TestSaveWebhookUpdate: a new id goes to the inbox; the same id again,
// before or after the update was handled (DoneUpdates), changes nothing;
// ids are forgotten SeenKeep after they arrived, in the transaction of a
// later save.
func TestSaveWebhookUpdate(t *testing.T) {
	s, clk := newTestStore(t)
	ctx := context.Background()
	save := func(id int64, data string) bool {
		t.Helper()
		fresh, err := s.SaveWebhookUpdate(ctx, InboxUpdate{ID: id, Data: []byte(data)})
		if err != nil {
			t.Fatal(err)
		}
		return fresh
	}
	if !save(10, `{"update_id":10}`) {
		t.Fatal("first delivery not fresh")
	}
	if save(10, `{"update_id":10,"other":1}`) {
		t.Error("second delivery fresh")
	}
	inbox, err := s.Inbox(ctx)
	if err != nil || len(inbox) != 1 || string(inbox[0].Data) != `{"update_id":10}` {
		t.Fatalf("inbox %+v, %v; want the first delivery only", inbox, err)
	}
	if err := s.DoneUpdates(ctx, []int64{10}); err != nil {
		t.Fatal(err)
	}
	if save(10, `{"update_id":10}`) {
		t.Error("a delivery after handling is fresh")
	}
	if inbox, _ := s.Inbox(ctx); len(inbox) != 0 {
		t.Errorf("inbox %d after a duplicate of a handled update; want 0", len(inbox))
	}

	clk.Advance(SeenKeep - time.Minute)
	save(11, `{"update_id":11}`)
	clk.Advance(2 * time.Minute) // 10 is now older than SeenKeep, 11 is not
	if !save(12, `{"update_id":12}`) {
		t.Fatal("12 not fresh")
	}
	if n, err := s.SeenUpdates(ctx); err != nil || n != 2 {
		t.Errorf("seen %d, %v; want 2 (11 and 12; 10 pruned)", n, err)
	}
	if save(11, `{}`) {
		t.Error("11 forgotten before SeenKeep")
	}
}

// TestSaveWebhookUpdateConcurrent: concurrent deliveries of the same ids
// (Telegram's parallel connections, bbolt's Batch) make each id fresh
// exactly once.
func TestSaveWebhookUpdateConcurrent(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	const ids, copies = 50, 4
	var mu sync.Mutex
	fresh := map[int64]int{}
	var wg sync.WaitGroup
	for c := 0; c < copies; c++ {
		for id := int64(1); id <= ids; id++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.SaveWebhookUpdate(ctx, InboxUpdate{ID: id, Data: []byte(`{}`)})
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					fresh[id]++
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	for id := int64(1); id <= ids; id++ {
		if fresh[id] != 1 {
			t.Errorf("update %d fresh %d times; want 1", id, fresh[id])
		}
	}
	if inbox, _ := s.Inbox(ctx); len(inbox) != ids {
		t.Errorf("inbox %d; want %d", len(inbox), ids)
	}
}
