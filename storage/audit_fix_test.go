package storage

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// auditTraces returns where the audit buckets hold user id: as a decimal
// number in an entry's JSON, or as the 8-byte id of an index key.
func auditTraces(t *testing.T, s *Store, id int64) []string {
	t.Helper()
	decimal := regexp.MustCompile(`(^|[^0-9])` + strconv.FormatInt(id, 10) + `([^0-9]|$)`)
	var found []string
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketAudit).ForEach(func(k, v []byte) error {
			if decimal.Match(v) {
				found = append(found, fmt.Sprintf("audit/%x: %s", k, v))
			}
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(bucketAuditByUser).ForEach(func(k, _ []byte) error {
			if bytes.HasPrefix(k, itob(id)) {
				found = append(found, fmt.Sprintf("audit_by_user/%x", k))
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestAuditHandoverNamesThePreviousAuthor: a hand-over is listed under
// the author the event was taken from, and /forget of that author leaves
// no entry holding their id (the Details' "author" Before included), while
// a field that is no person keeps a value equal to the id.
func TestAuditHandoverNamesThePreviousAuthor(t *testing.T) {
	const gone = 4242
	f := newAuditFixture(t)
	ctx := WithActor(context.Background(), auditAdmin)
	mustPutUser(t, f.s, User{ID: gone, ChatID: gone, FullName: "Ушла Ушедшая", OrgID: f.org1, Role: RoleCoordinator, Registered: true, Active: true})
	e := testEvent("Кросс нации")
	e.CreatedBy, e.Organisers = gone, []int64{f.org1}
	ev := mustCreateEvent(t, f.s, e)
	ev.Capacity = gone // a number that only looks like the id
	if _, err := f.s.UpdateEvent(WithActor(context.Background(), f.coordinator), ev, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.HandOverEvent(ctx, ev.ID, f.second, nil); err != nil {
		t.Fatal(err)
	}
	list, _, err := f.s.AuditPage(context.Background(), AuditFilter{User: gone}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Action != AuditEventHandOver {
		t.Fatalf("entries of the previous author: %+v, want the hand-over", list)
	}
	out, err := f.s.ForgetUser(context.Background(), gone, Forget{Erased: "участник удалил данные"})
	if err != nil {
		t.Fatal(err)
	}
	if tr := auditTraces(t, f.s, gone); len(tr) != 1 || !bytes.Contains([]byte(tr[0]), []byte(`"f":"capacity"`)) {
		t.Errorf("the audit after /forget, want only the capacity edit to hold the number:\n%v", tr)
	}
	list, _, err = f.s.AuditPage(context.Background(), AuditFilter{User: out.AnonID}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var handed *AuditEntry
	for i := range list {
		if list[i].Action == AuditEventHandOver {
			handed = &list[i]
		}
	}
	if handed == nil {
		t.Fatalf("the hand-over is not under the anonymous id %d: %+v", out.AnonID, list)
	}
	want := fmt.Sprint([]AuditChange{{Field: "author", Before: strconv.FormatInt(out.AnonID, 10), After: strconv.FormatInt(f.second, 10)}})
	if got := fmt.Sprint(handed.Details); got != want {
		t.Errorf("hand-over details %s, want %s", got, want)
	}
	if list, _, _ := f.s.AuditPage(context.Background(), AuditFilter{User: f.second}, 0, 0); len(list) != 1 {
		t.Errorf("the new author's entries: %d, want the hand-over", len(list))
	}
}

// TestAuditEditNothingChanged: an edit saved without a change records
// nothing; a regulations file replaced by another of the same name is a
// change, recorded by its name.
func TestAuditEditNothingChanged(t *testing.T) {
	ctx := WithActor(context.Background(), 7)
	f := newAuditFixture(t)
	e := f.event
	e.Regulations = &Document{FileID: "file-1", FileName: "Положение.pdf"}
	if _, err := f.s.UpdateEvent(ctx, e, nil, nil); err != nil {
		t.Fatal(err)
	}
	before := countKeys(t, f.s, bucketAudit)
	if _, err := f.s.UpdateEvent(ctx, e, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := countKeys(t, f.s, bucketAudit); got != before {
		t.Errorf("an edit without a change: %d entries, want %d", got, before)
	}
	e.Regulations = &Document{FileID: "file-2", FileName: "Положение.pdf"}
	if _, err := f.s.UpdateEvent(ctx, e, nil, nil); err != nil {
		t.Fatal(err)
	}
	got := newestAudit(t, f.s)
	want := fmt.Sprint([]AuditChange{{Field: "regulations", Before: "Положение.pdf", After: "Положение.pdf"}})
	if got.Action != AuditEventEdit || fmt.Sprint(got.Details) != want {
		t.Errorf("another file of the same name: %s %v, want event_edit %s", got.Action, got.Details, want)
	}
}

// TestAuditImportsIndexedByWhatTheyCreated: one entry per import, listed
// under every draft and organisation it created (and the drafts' owner),
// and pruned with all those index rows.
func TestAuditImportsIndexedByWhatTheyCreated(t *testing.T) {
	ctx := WithActor(context.Background(), auditAdmin)
	s, clk := newTestStore(t)
	orgs := []Organisation{{Name: "МКОУ «СОШ №5» с.п. Былым", Kind: KindSchool}, {Name: "МКДОУ «Детский сад №2»", Kind: KindPreschool}}
	if err := s.ImportOrganisations(ctx, orgs); err != nil {
		t.Fatal(err)
	}
	row := func(title string, start time.Time) PlanRow {
		e := testEvent(title)
		e.Organisers = []int64{orgs[0].ID}
		return PlanRow{Key: PlanKey(title, start, "ЦРТДиЮ"), Event: e}
	}
	got, err := s.ImportPlan(ctx, []PlanRow{row("Безопасное колесо", week), row("Война глазами детей", week.Add(24*time.Hour))})
	if err != nil || len(got.Created) != 2 {
		t.Fatalf("ImportPlan: %+v, %v", got, err)
	}
	actions := func(f AuditFilter) string {
		t.Helper()
		list, total, err := s.AuditPage(context.Background(), f, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var a []AuditAction
		for _, e := range list {
			a = append(a, e.Action)
		}
		return fmt.Sprint(total, a)
	}
	for _, c := range []struct {
		name   string
		filter AuditFilter
		want   string
	}{
		{"the first draft", AuditFilter{Event: got.Created[0].ID}, "1 [plan_import]"},
		{"the second draft", AuditFilter{Event: got.Created[1].ID}, "1 [plan_import]"},
		{"the drafts' owner", AuditFilter{Org: orgs[0].ID}, "2 [plan_import org_import]"},
		{"the second school", AuditFilter{Org: orgs[1].ID}, "1 [org_import]"},
		{"the admin", AuditFilter{User: auditAdmin}, "2 [plan_import org_import]"},
	} {
		if g := actions(c.filter); g != c.want {
			t.Errorf("%s: %s, want %s", c.name, g, c.want)
		}
	}
	clk.Advance(400 * 24 * time.Hour)
	if n, err := s.PruneAudit(context.Background(), clk.Now().Add(-365*24*time.Hour)); err != nil || n != 2 {
		t.Fatalf("PruneAudit: %d, %v; want 2", n, err)
	}
	for _, b := range [][]byte{bucketAuditByEvent, bucketAuditByUser, bucketAuditByOrg} {
		if n := countKeys(t, s, b); n != 0 {
			t.Errorf("%s: %d rows left after the prune", b, n)
		}
	}
}
