package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The simulated district of BenchmarkRetentionYear.
const (
	yearTeachers    = 1000
	yearEvents      = 200
	yearSignups     = 30 // participants per event
	yearBroadcasts  = 50
	yearCoordinator = 5000 // the user id of the coordinator who runs everything
	yearKeep        = 90 * 24 * time.Hour
)

// yearRenderer renders messages about the size the bot's are: Russian
// HTML, a few hundred bytes, with buttons.
type yearRenderer struct{}

func (yearRenderer) Reminder(u User, e Event, offset time.Duration) Content {
	return Content{Text: fmt.Sprintf("<b>Напоминание</b>\nЧерез %s начнётся «%s».\n%s, %s.\nЕсли не сможете прийти, отмените запись, чтобы освободить место.",
		offset, e.Title, e.Start.Format("02.01.2006 15:04"), e.Place),
		Buttons: [][]Button{{{Text: "Отменить запись", Data: fmt.Sprintf("unreg:%d", e.ID)}}}}
}

func (yearRenderer) DeadlineNotice(u User, e Event) Content {
	return Content{Text: "Завтра закрывается запись на «" + e.Title + "»."}
}

func (yearRenderer) Finished(u User, e Event) Content {
	return Content{Text: fmt.Sprintf("«%s» завершилось. Отметьте, кто пришёл, и внесите результаты.", e.Title),
		Buttons: [][]Button{{{Text: "Отметить", Data: fmt.Sprintf("att:%d", e.ID)}}}}
}

func yearDigest(u User, events []Event) (Content, bool) {
	if len(events) == 0 {
		return Content{}, false
	}
	var b strings.Builder
	b.WriteString("<b>Мероприятия на неделю</b>\n\n")
	var buttons [][]Button
	for _, e := range events {
		fmt.Fprintf(&b, "• <b>%s</b>\n%s, %s\nСвободных мест: %d\n\n", e.Title, e.Start.Format("02.01 15:04"), e.Place, e.Capacity-e.Taken)
		buttons = append(buttons, []Button{{Text: "Записаться: " + e.Title[:20], Data: fmt.Sprintf("ev:%d", e.ID)}})
	}
	return Content{Text: b.String(), Buttons: buttons}, true
}

func yearSummary(u User, items []SummaryItem) Content {
	var b strings.Builder
	b.WriteString("<b>Новые записи за сутки</b>\n")
	for _, it := range items {
		fmt.Fprintf(&b, "«%s»: +%d\n", it.Event.Title, it.NewSignups)
	}
	return Content{Text: b.String()}
}

// yearSizes is what simulateYear measured: the file's size on disk and the
// part of it bbolt uses (Tx.Size, what a backup writes), after the first
// 90 days and at the end.
type yearSizes struct {
	file90, file365, used90, used365 int64
	outbox                           int
	// pruneMax is the longest night's Prune; pruned is what all deleted.
	pruneMax time.Duration
	pruned   int
}

// simulateYear runs a year of a district's traffic on a fresh database with
// an injected clock, an hour at a time: 1,000 teachers; a weekly digest to
// each (Monday 09:00); 200 events, each published two weeks before its
// start with two reminders, 30 teachers signing up over its first days;
// the daily summary (18:00); 50 broadcasts to every teacher. Every hour the
// due work runs (RunDue) and the outbox is drained as the sender does
// (CompleteOutbox from 25 goroutines); a broadcast's report is marked sent
// once it is done. With prune, Prune(now − 90 days) runs every night at
// 03:00, as the scheduler does.
func simulateYear(b *testing.B, prune bool) yearSizes {
	ctx := context.Background()
	loc := moscow(b)
	start := time.Date(2027, time.January, 4, 0, 0, 0, 0, loc) // a Monday
	clk := &testClock{now: start}
	path := filepath.Join(b.TempDir(), "year.db")
	// NoSync: a throwaway file; fsync would only make the run slower.
	s, err := Open(path, Options{Now: clk.Now, Location: loc, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	// Completions come from 25 goroutines, as the sender's workers at 1,000
	// messages a second; a shorter batch delay only makes the run faster.
	s.DB().MaxBatchDelay = time.Millisecond

	must := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	must(s.PutUser(ctx, User{ID: yearCoordinator, ChatID: yearCoordinator, FullName: "Координатор", Role: RoleCoordinator,
		Lang: "ru", Registered: true, Active: true}))
	for id := int64(1); id <= yearTeachers; id++ {
		must(s.PutUser(ctx, User{ID: id, ChatID: id, FullName: fmt.Sprintf("Педагог Номер %d", id), Role: RoleTeacher,
			Lang: "ru", Registered: true, Active: true}))
	}
	recipients := make([]Recipient, yearTeachers)
	for i := range recipients {
		recipients[i] = Recipient{ChatID: int64(i + 1), UserID: int64(i + 1)}
	}

	day := func(d int) time.Time { return time.Date(2027, time.January, 4+d, 0, 0, 0, 0, loc) }
	// Event i is published on day eventDay(i) at 10:00 and starts 14 days
	// later at 10:00; its sign-ups come at 11:00–16:00 on its first five days.
	eventDay := func(i int) int { return i * (365 - 15) / yearEvents }
	broadcastDay := func(k int) int { return k*365/yearBroadcasts + 1 }
	var (
		events     = map[int][]int{} // day → events published that day
		eventIDs   = make([]int64, yearEvents)
		broadcasts = map[int]bool{}
		running    []int64 // broadcasts not yet reported
	)
	for i := range yearEvents {
		events[eventDay(i)] = append(events[eventDay(i)], i)
	}
	for k := range yearBroadcasts {
		broadcasts[broadcastDay(k)] = true
	}

	drain := func() {
		list, err := s.PendingOutbox(ctx, 0, 1<<30)
		must(err)
		ids := make(chan int64)
		var wg sync.WaitGroup
		errs := make(chan error, 25)
		for range 25 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for id := range ids {
					if err := s.CompleteOutbox(ctx, id, Outcome{State: OutboxSent, MessageID: int(id)}); err != nil {
						select {
						case errs <- err:
						default:
						}
					}
				}
			}()
		}
		for _, e := range list {
			ids <- e.ID
		}
		close(ids)
		wg.Wait()
		select {
		case err := <-errs:
			b.Fatal(err)
		default:
		}
		left := running[:0]
		for _, id := range running {
			bc, err := s.Broadcast(ctx, id)
			must(err)
			if bc.State == BroadcastRunning {
				left = append(left, id)
				continue
			}
			must(s.MarkBroadcastShown(ctx, id, bc.Version, true))
		}
		running = left
	}
	size := func() (file, used int64) {
		fi, err := os.Stat(path)
		must(err)
		must(s.DB().View(func(tx *bolt.Tx) error { used = tx.Size(); return nil }))
		return fi.Size(), used
	}

	var r yearSizes
	for d := range 365 {
		if d == 90 {
			r.file90, r.used90 = size()
		}
		for h := range 24 {
			now := day(d).Add(time.Duration(h) * time.Hour)
			clk.set(now)
			switch {
			case h == 3 && prune:
				began := time.Now()
				st, err := s.Prune(ctx, now.Add(-yearKeep))
				must(err)
				r.pruneMax = max(r.pruneMax, time.Since(began))
				r.pruned += st.Deleted()
			case h == 9 && now.Weekday() == time.Monday:
				y, m, dd := now.Date()
				_, err := s.EnqueueDigest(ctx, now.Format(time.DateOnly), now, time.Date(y, m, dd+7, 0, 0, 0, 0, loc), yearDigest)
				must(err)
			case h == 10:
				for _, i := range events[d] {
					kind := EventContest
					if i%2 == 1 {
						kind = EventSeminar
					}
					e, err := s.CreateEvent(ctx, Event{
						Title:       fmt.Sprintf("Районный конкурс чтецов «Живая классика» №%d", i),
						Kind:        kind,
						Description: strings.Repeat("Конкурс проводится среди обучающихся 5–11 классов. ", 10),
						Start:       now.Add(14 * 24 * time.Hour), Place: "МБОУ СОШ №3, актовый зал, ул. Ленина, 12",
						Organisers: []int64{1}, Unit: UnitIndividual, Capacity: 50, Status: EventPublished,
						Reminders: DefaultReminders(kind), CreatedBy: yearCoordinator,
					})
					must(err)
					eventIDs[i] = e.ID
				}
			case h == 12 && broadcasts[d]:
				bc, err := s.CreateBroadcast(ctx, Broadcast{AuthorID: yearCoordinator, AuthorChat: yearCoordinator, Lang: "ru",
					Audience: Audience{Kind: AudienceAllTeachers}, SourceChat: yearCoordinator, SourceMessage: d,
					Preview: "Уважаемые коллеги! Напоминаем о сроках сдачи отчётов…"}, recipients,
					func(User) [][]Button {
						return [][]Button{{{Text: "Подробнее", URL: "https://example.org/news"}}}
					})
				must(err)
				running = append(running, bc.ID)
			case h == 18:
				_, err := s.EnqueueSummaries(ctx, now.Format(time.DateOnly), now.Add(-24*time.Hour), now, yearSummary)
				must(err)
			}
			// Sign-ups: on an event's first five days, one an hour 11:00–16:00.
			if h >= 11 && h <= 16 {
				for back := 0; back < 5; back++ {
					for _, i := range events[d-back] {
						j := back*6 + h - 11
						if j >= yearSignups {
							continue
						}
						user := int64((i*37+j*33)%yearTeachers + 1)
						_, err := s.Register(ctx, SignUp{EventID: eventIDs[i], UserID: user}, now)
						must(err)
					}
				}
			}
			_, err := s.RunDue(ctx, now, yearRenderer{}, 0)
			must(err)
			drain()
		}
	}
	r.file365, r.used365 = size()
	r.outbox = bucketLenB(b, s, bucketOutbox)
	return r
}

func bucketLenB(b *testing.B, s *Store, name []byte) int {
	n := 0
	if err := s.DB().View(func(tx *bolt.Tx) error { n = tx.Bucket(name).Stats().KeyN; return nil }); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkRetentionYear measures how big the database is after the first
// 90 days of a simulated year (simulateYear) and at its end, with the
// nightly prune keeping 90 days (prune) and without it (keep_all). The
// target: with the prune, the size at the end is within 1.5 × the size
// after 90 days. One iteration is a whole year; run it with -benchtime 1x.
func BenchmarkRetentionYear(b *testing.B) {
	for _, tc := range []struct {
		name  string
		prune bool
	}{{"prune", true}, {"keep_all", false}} {
		b.Run(tc.name, func(b *testing.B) {
			var r yearSizes
			for b.Loop() {
				r = simulateYear(b, tc.prune)
			}
			const mb = 1 << 20
			b.ReportMetric(float64(r.file90)/mb, "size_90d_MB")
			b.ReportMetric(float64(r.file365)/mb, "size_365d_MB")
			b.ReportMetric(float64(r.file365)/float64(r.file90), "ratio")
			b.ReportMetric(float64(r.used90)/mb, "used_90d_MB")
			b.ReportMetric(float64(r.used365)/mb, "used_365d_MB")
			b.ReportMetric(float64(r.used365)/float64(r.used90), "used_ratio")
			b.ReportMetric(float64(r.outbox), "outbox_entries")
			if tc.prune {
				b.ReportMetric(float64(r.pruneMax)/float64(time.Millisecond), "prune_max_ms")
				b.ReportMetric(float64(r.pruned), "pruned_keys")
			}
		})
	}
}
