package bot

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
	"vmeste/telegramtest"
)

// BenchmarkWebhookIntake measures updates handled per second through the
// webhook handler: the secret check, reading and decoding the body,
// storing it, and the dispatcher running a handler that only counts. The
// bot's own handling (the same in both modes) is left out. 10 requests at
// once (SetParallelism over GOMAXPROCS on 2 cores: the max_connections
// the bot asks for), from 64 users.
//
// "inbox" stores each update in bbolt (SaveWebhookUpdate: inbox and seen
// ids, one fsynced commit shared by concurrent requests) before the 200,
// and the dispatcher removes handled updates from the inbox; "memory"
// remembers ids in a map and stores nothing, what the handler would cost
// without the durable inbox.
func BenchmarkWebhookIntake(b *testing.B) {
	for _, variant := range []string{"inbox", "memory"} {
		b.Run(variant, func(b *testing.B) {
			var store *storage.Store
			save := memorySave()
			if variant == "inbox" {
				s, err := storage.Open(filepath.Join(b.TempDir(), "vmeste.db"), storage.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { s.Close() })
				store, save = s, s.SaveWebhookUpdate
			}
			benchIntake(b, store, save)
		})
	}
}

// memorySave is SaveWebhookUpdate without bbolt: ids in a map.
func memorySave() func(context.Context, storage.InboxUpdate) (bool, error) {
	var mu sync.Mutex
	seen := map[int64]bool{}
	return func(_ context.Context, u storage.InboxUpdate) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		if seen[u.ID] {
			return false, nil
		}
		seen[u.ID] = true
		return true, nil
	}
}

func benchIntake(b *testing.B, store *storage.Store, save func(context.Context, storage.InboxUpdate) (bool, error)) {
	const secret = "bench-secret"
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	target := int64(b.N)
	var handled atomic.Int64
	all := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := newDispatcher(ctx, 64, store, log, func(context.Context, *models.Update) {
		if handled.Add(1) == target {
			close(all)
		}
	})
	bot := &Bot{log: log, webhookSecret: secret}
	bot.intake.save = save
	bot.intake.open(d)
	handler := bot.WebhookHandler()

	var nextID atomic.Int64
	b.SetParallelism(max(1, (10+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := nextID.Add(1)
			u := telegramtest.User{ID: 10000 + id%64, FirstName: "Педагог"}
			req := httptest.NewRequest(http.MethodPost, "/telegram/update", bytes.NewReader(updateJSON(id, u, "/help")))
			req.Header.Set(SecretHeader, secret)
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Errorf("status %d", rec.Code)
				return
			}
		}
	})
	select {
	case <-all:
	case <-time.After(time.Minute):
		b.Fatalf("handled %d of %d", handled.Load(), target)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	bot.intake.close()
	cancel()
	d.wait()
}
