package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestMigrationIndexesOlderEvents: a database from schema 1 (events and
// sign-ups, but no due index or sign-ups by time) gets both at open.
func TestMigrationIndexesOlderEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.db")
	now := time.Date(2027, time.March, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, err := Open(path, Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	org, _ := s.CreateOrganisation(ctx, Organisation{Name: "СОШ", Kind: KindSchool})
	if err := s.PutUser(ctx, User{ID: 7, ChatID: 7, OrgID: org, Role: RoleTeacher, Registered: true, Active: true}); err != nil {
		t.Fatal(err)
	}
	e, err := s.CreateEvent(ctx, Event{Title: "Семинар", Kind: EventSeminar, Start: now.Add(48 * time.Hour), Place: "ЦРТДиЮ",
		Organisers: []int64{org}, Unit: UnitIndividual, Status: EventPublished, Reminders: []time.Duration{24 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(ctx, SignUp{EventID: e.ID, UserID: 7}, now); err != nil {
		t.Fatal(err)
	}
	// Make it look like schema 1: no indexes of the scheduled work.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketDue, bucketRegsByTime} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, itob(1))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(path, Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.Schema(); v != SchemaVersion() {
		t.Fatalf("schema %d after open, want %d", v, SchemaVersion())
	}
	items, err := s.RunDue(ctx, now.Add(24*time.Hour), renderStub{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != DueReminder || items[0].Messages != 1 {
		t.Errorf("after migration, due work: %+v", items)
	}
}

type renderStub struct{}

func (renderStub) Reminder(User, Event, time.Duration) Content { return Content{Text: "r"} }
func (renderStub) DeadlineNotice(User, Event) Content          { return Content{Text: "d"} }
func (renderStub) Finished(User, Event) Content                { return Content{Text: "f"} }
