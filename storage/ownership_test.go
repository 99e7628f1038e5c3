package storage

import (
	"context"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestCreateEventOwner: an event belongs to its author's organisation,
// whatever the caller put in OwnerOrg; without an author's organisation,
// the given owner, else the first organiser.
func TestCreateEventOwner(t *testing.T) {
	s, _ := newTestStore(t)
	school, police := mustCreateOrg(t, s, "СОШ №1"), mustCreateOrg(t, s, "ГИБДД")
	mustPutUser(t, s, User{ID: 7, ChatID: 7, OrgID: police, Role: RoleCoordinator, Registered: true, Active: true})
	mustPutUser(t, s, User{ID: 8, ChatID: 8, Role: RoleTeacher, Registered: true, Active: true}) // no organisation
	for _, tc := range []struct {
		name      string
		createdBy int64
		given     int64
		want      int64
	}{
		{"the author's organisation", 7, 0, police},
		{"the author's, not the caller's guess", 7, school, police},
		{"no author's organisation: as given", 8, school, school},
		{"no author's organisation: the first organiser", 8, 0, school},
		{"no stored author: the first organiser", 99, 0, school},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := testEvent("Безопасное колесо")
			e.CreatedBy, e.OwnerOrg, e.Organisers = tc.createdBy, tc.given, []int64{school, police}
			got := mustCreateEvent(t, s, e)
			if got.OwnerOrg != tc.want || mustEvent(t, s, got.ID).OwnerOrg != tc.want {
				t.Errorf("owner %d (stored %d), want %d", got.OwnerOrg, mustEvent(t, s, got.ID).OwnerOrg, tc.want)
			}
		})
	}
}

// TestUpdateEventKeepsOwner: an edit cannot hand an event to another
// organisation.
func TestUpdateEventKeepsOwner(t *testing.T) {
	s, _ := newTestStore(t)
	school, police := mustCreateOrg(t, s, "СОШ №1"), mustCreateOrg(t, s, "ГИБДД")
	mustPutUser(t, s, User{ID: 7, ChatID: 7, OrgID: police, Role: RoleCoordinator, Registered: true, Active: true})
	e := mustCreateEvent(t, s, testEvent("Безопасное колесо"))
	e.OwnerOrg, e.Organisers = school, []int64{school}
	if _, err := s.UpdateEvent(context.Background(), e, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := mustEvent(t, s, e.ID); got.OwnerOrg != police || len(got.Organisers) != 1 || got.Organisers[0] != school {
		t.Errorf("after the edit: owner %d, organisers %v; want owner %d", got.OwnerOrg, got.Organisers, police)
	}
}

// TestMigrationGivesEventsAnOwner: events stored before schema 3 get the
// organisation of their author, or their first organiser.
func TestMigrationGivesEventsAnOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.db")
	clk := newTestClock()
	s, err := Open(path, Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	school, police := mustCreateOrg(t, s, "СОШ №1"), mustCreateOrg(t, s, "ГИБДД")
	mustPutUser(t, s, User{ID: 7, ChatID: 7, OrgID: police, Role: RoleCoordinator, Registered: true, Active: true})
	byAuthor := testEvent("Безопасное колесо")
	byAuthor.Organisers = []int64{school, police}
	orphan := testEvent("Добрая дорога детства")
	orphan.CreatedBy, orphan.Organisers = 99, []int64{school}
	var ids []int64
	for _, e := range []Event{byAuthor, orphan} {
		ids = append(ids, mustCreateEvent(t, s, e).ID)
	}
	// Make it look like schema 2: events without an owner.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		for _, id := range ids {
			var e Event
			if err := getJSON(tx.Bucket(bucketEvents), itob(id), &e); err != nil {
				return err
			}
			e.OwnerOrg = 0
			if err := putJSON(tx.Bucket(bucketEvents), itob(id), e); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, itob(2))
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTestStore(t, path, Options{Now: clk.Now})
	if v, _ := s.Schema(); v != SchemaVersion() || v < 3 {
		t.Fatalf("schema %d after open, want %d", v, SchemaVersion())
	}
	for i, want := range []int64{police, school} {
		if got, err := s.Event(ctx, ids[i]); err != nil || got.OwnerOrg != want {
			t.Errorf("event %d: owner %d (%v), want %d", ids[i], got.OwnerOrg, err, want)
		}
	}
}
