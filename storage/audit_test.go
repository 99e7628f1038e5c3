package storage

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// auditFixture is a small district: two schools, a coordinator (7) and a
// second one (8) of the first, a teacher (3001) signed up to a published
// contest, a draft, an invitation and a broadcast being sent.
type auditFixture struct {
	s               *Store
	clk             *testClock
	org1, org2      int64
	event, draft    Event
	broadcast       Broadcast
	certEvent       int64
	certIssue       CertificateIssue
	coordinator     int64
	teacher, second int64
	// prepared is what auditPrepare made (an organisation request's id).
	prepared int64
}

const auditAdmin = 201

func newAuditFixture(t *testing.T) *auditFixture {
	t.Helper()
	ctx := context.Background()
	s, clk := newTestStore(t)
	f := &auditFixture{s: s, clk: clk, coordinator: 7, second: 8, teacher: 3001}
	f.org1 = mustCreateOrg(t, s, "МКОУ «СОШ №1» с.п. Бедык")
	f.org2 = mustCreateOrg(t, s, "МОУ «Лицей №1» г. Тырныауз")
	mustPutUser(t, s, User{ID: 7, ChatID: 7, FullName: "Кулиева Фатима", OrgID: f.org1, Role: RoleCoordinator, Registered: true, Active: true})
	mustPutUser(t, s, User{ID: 8, ChatID: 8, FullName: "Атабиев Азамат", OrgID: f.org1, Role: RoleCoordinator, Registered: true, Active: true})
	mustPutUser(t, s, User{ID: 3001, ChatID: 3001, FullName: "Иванова Мария", OrgID: f.org1, Role: RoleTeacher, Registered: true, Active: true})
	e := testEvent("Безопасное колесо")
	e.Organisers = []int64{f.org1}
	f.event = mustCreateEvent(t, s, e)
	d := testEvent("Добрая дорога детства")
	d.Status, d.Organisers = EventDraft, []int64{f.org1}
	f.draft = mustCreateEvent(t, s, d)
	mustSignUp(t, s, SignUp{EventID: f.event.ID, UserID: f.teacher}, t0)
	if err := s.CreateInvite(ctx, Invite{Code: "INV1", CreatedBy: auditAdmin, CreatedAt: t0, ExpiresAt: t0.Add(72 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateBroadcastFor(ctx, Broadcast{AuthorID: 7, Audience: Audience{Kind: "event", EventID: f.event.ID}},
		[]Recipient{{ChatID: 3001, UserID: 3001}}, func(User) Content { return Content{Text: "Напоминание"} })
	if err != nil {
		t.Fatal(err)
	}
	f.broadcast = b
	// An event that took place yesterday, with a winner: what documents
	// are issued for.
	past := testEvent("Солдаты Победы")
	past.Start, past.Organisers = t0.Add(2*time.Hour), []int64{f.org1}
	pe := mustCreateEvent(t, s, past)
	mustSignUp(t, s, SignUp{EventID: pe.ID, UserID: f.teacher}, t0)
	clk.Advance(24 * time.Hour)
	if err := s.SetResult(ctx, pe.ID, f.teacher, ResultFirst, nil); err != nil {
		t.Fatal(err)
	}
	f.certEvent = pe.ID
	f.certIssue = CertificateIssue{EventID: pe.ID, By: 7, Kinds: []CertificateKind{CertDiploma}, Operator: "Управление образования"}
	return f
}

// countKeys counts the keys of a bucket (t may be nil inside a change).
func countKeys(t *testing.T, s *Store, bucket []byte) int {
	n := 0
	if err := s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucket).Stats().KeyN; return nil }); err != nil && t != nil {
		t.Fatal(err)
	}
	return n
}

func newestAudit(t *testing.T, s *Store) AuditEntry {
	t.Helper()
	list, _, err := s.AuditPage(context.Background(), AuditFilter{}, 0, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("AuditPage: %v, %d entries", err, len(list))
	}
	return list[0]
}

// auditCase is one audited change: do makes it as the admin (or as
// actor when set); seen reports whether it is stored.
type auditCase struct {
	name   string
	action AuditAction
	actor  int64
	do     func(ctx context.Context, f *auditFixture) error
	seen   func(t *testing.T, f *auditFixture) bool
}

// auditPrepare runs, for the cases it names, before do: writes not
// under test.
var auditPrepare = map[string]func(ctx context.Context, f *auditFixture) (int64, error){
	"add organisation asked for": func(ctx context.Context, f *auditFixture) (int64, error) {
		req, err := f.s.CreateOrgRequest(ctx, OrgRequest{UserID: f.teacher, Name: "МКУК «Дом культуры»"}, Conversation{},
			func(OrgRequest) []OutboxEntry { return nil })
		return req.ID, err
	},
}

func auditCases() []auditCase {
	ctx := context.Background()
	event := func(t *testing.T, f *auditFixture, id int64) Event { return mustEvent(t, f.s, id) }
	reg := func(t *testing.T, f *auditFixture, eventID int64) Registration {
		r, err := f.s.Registration(ctx, eventID, f.teacher)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	orgName := func(t *testing.T, f *auditFixture, id int64) string {
		o, err := f.s.Organisation(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return ""
		} else if err != nil {
			t.Fatal(err)
		}
		return o.Name
	}
	invite := func(t *testing.T, f *auditFixture, code string) (Invite, bool) {
		inv, err := f.s.Invite(ctx, code)
		if errors.Is(err, ErrNotFound) {
			return Invite{}, false
		} else if err != nil {
			t.Fatal(err)
		}
		return inv, true
	}
	var eventsBefore, orgsBefore int
	return []auditCase{
		{"create event", AuditEventCreate, 0, func(ctx context.Context, f *auditFixture) error {
			eventsBefore = countKeys(nil, f.s, bucketEvents)
			_, err := f.s.CreateEvent(ctx, testEvent("Война глазами детей"))
			return err
		}, func(t *testing.T, f *auditFixture) bool { return countKeys(t, f.s, bucketEvents) > eventsBefore }},
		{"copy event", AuditEventCreate, 0, func(ctx context.Context, f *auditFixture) error {
			eventsBefore = countKeys(nil, f.s, bucketEvents)
			_, err := f.s.CopyEvent(ctx, f.event.ID, 7, func(t time.Time) time.Time { return t.AddDate(1, 0, 0) })
			return err
		}, func(t *testing.T, f *auditFixture) bool { return countKeys(t, f.s, bucketEvents) > eventsBefore }},
		{"edit event", AuditEventEdit, 0, func(ctx context.Context, f *auditFixture) error {
			e := f.event
			e.Title, e.Place = "Безопасное колесо — 2026", "Стадион «Тырныауз»"
			_, err := f.s.UpdateEvent(ctx, e, nil, nil)
			return err
		}, func(t *testing.T, f *auditFixture) bool {
			return event(t, f, f.event.ID).Place == "Стадион «Тырныауз»"
		}},
		{"publish event", AuditEventPublish, 0, func(ctx context.Context, f *auditFixture) error {
			_, err := f.s.PublishEvent(ctx, f.draft.ID)
			return err
		}, func(t *testing.T, f *auditFixture) bool { return event(t, f, f.draft.ID).Status == EventPublished }},
		{"cancel event", AuditEventCancel, 0, func(ctx context.Context, f *auditFixture) error {
			_, _, err := f.s.CancelEvent(ctx, f.event.ID, notice("cancel"))
			return err
		}, func(t *testing.T, f *auditFixture) bool { return event(t, f, f.event.ID).Status == EventCancelled }},
		{"hand over event", AuditEventHandOver, 0, func(ctx context.Context, f *auditFixture) error {
			_, err := f.s.HandOverEvent(ctx, f.event.ID, f.second, nil)
			return err
		}, func(t *testing.T, f *auditFixture) bool { return event(t, f, f.event.ID).CreatedBy == f.second }},
		{"mark attendance", AuditAttendance, 0, func(ctx context.Context, f *auditFixture) error {
			return f.s.SetAttendance(ctx, f.event.ID, f.teacher, true)
		}, func(t *testing.T, f *auditFixture) bool { return reg(t, f, f.event.ID).Attended != nil }},
		{"mark result", AuditResult, 0, func(ctx context.Context, f *auditFixture) error {
			return f.s.SetResult(ctx, f.event.ID, f.teacher, ResultSecond, nil)
		}, func(t *testing.T, f *auditFixture) bool { return reg(t, f, f.event.ID).Result == ResultSecond }},
		{"issue certificates", AuditCertificates, 0, func(ctx context.Context, f *auditFixture) error {
			_, err := f.s.IssueCertificates(ctx, f.certIssue, nil)
			return err
		}, func(t *testing.T, f *auditFixture) bool {
			list, err := f.s.EventCertificates(ctx, f.certEvent)
			if err != nil {
				t.Fatal(err)
			}
			return len(list) > 0
		}},
		{"send broadcast", AuditBroadcastSend, 0, func(ctx context.Context, f *auditFixture) error {
			_, err := f.s.CreateBroadcastFor(ctx, Broadcast{AuthorID: 7, Audience: Audience{Kind: "all"}},
				[]Recipient{{ChatID: 3001, UserID: 3001}}, func(User) Content { return Content{Text: "Объявление"} })
			return err
		}, func(t *testing.T, f *auditFixture) bool { return countKeys(t, f.s, bucketBroadcasts) == 2 }},
		{"stop broadcast", AuditBroadcastStop, 0, func(ctx context.Context, f *auditFixture) error {
			_, err := f.s.StopBroadcast(ctx, f.broadcast.ID)
			return err
		}, func(t *testing.T, f *auditFixture) bool {
			b, err := f.s.Broadcast(ctx, f.broadcast.ID)
			if err != nil {
				t.Fatal(err)
			}
			return b.State == BroadcastStopped
		}},
		{"add organisation", AuditOrgCreate, 0, func(ctx context.Context, f *auditFixture) error {
			_, err := f.s.CreateOrganisation(ctx, Organisation{Name: "МКДОУ «Детский сад №3»", Kind: KindPreschool})
			return err
		}, func(t *testing.T, f *auditFixture) bool { return countKeys(t, f.s, bucketOrgs) == 3 }},
		{"add organisation asked for", AuditOrgCreate, 0, func(ctx context.Context, f *auditFixture) error {
			orgsBefore = countKeys(nil, f.s, bucketOrgs)
			_, _, err := f.s.DecideOrgRequest(ctx, OrgDecision{RequestID: f.prepared, AdminID: auditAdmin, State: OrgRequestAdded,
				New: Organisation{Name: "МКУК «Дом культуры»", Kind: KindCulture}})
			return err
		}, func(t *testing.T, f *auditFixture) bool { return countKeys(t, f.s, bucketOrgs) > orgsBefore }},
		{"change organisation", AuditOrgEdit, 0, func(ctx context.Context, f *auditFixture) error {
			return f.s.UpdateOrganisation(ctx, Organisation{ID: f.org2, Name: "МОУ «Лицей №1»", Kind: KindSchool})
		}, func(t *testing.T, f *auditFixture) bool { return orgName(t, f, f.org2) == "МОУ «Лицей №1»" }},
		{"remove organisation", AuditOrgRemove, 0, func(ctx context.Context, f *auditFixture) error {
			return f.s.RemoveOrganisation(ctx, f.org2)
		}, func(t *testing.T, f *auditFixture) bool { return orgName(t, f, f.org2) == "" }},
		{"import organisations", AuditOrgImport, 0, func(ctx context.Context, f *auditFixture) error {
			return f.s.ImportOrganisations(ctx, []Organisation{{Name: "ГО и ЧС", Kind: KindEmergencies}, {Name: "Совет ветеранов", Kind: KindVeterans}})
		}, func(t *testing.T, f *auditFixture) bool { return countKeys(t, f.s, bucketOrgs) == 4 }},
		{"grant role", AuditRoleGrant, 0, func(ctx context.Context, f *auditFixture) error {
			return f.s.SetRole(ctx, f.teacher, RoleCoordinator)
		}, func(t *testing.T, f *auditFixture) bool { return mustUser(t, f.s, f.teacher).Role == RoleCoordinator }},
		{"revoke role", AuditRoleRevoke, 0, func(ctx context.Context, f *auditFixture) error {
			return f.s.SetRole(ctx, f.second, RoleTeacher)
		}, func(t *testing.T, f *auditFixture) bool { return mustUser(t, f.s, f.second).Role == RoleTeacher }},
		{"make invitation", AuditInviteCreate, 0, func(ctx context.Context, f *auditFixture) error {
			return f.s.CreateInvite(ctx, Invite{Code: "INV2", CreatedBy: auditAdmin, CreatedAt: f.clk.Now(), ExpiresAt: f.clk.Now().Add(time.Hour)})
		}, func(t *testing.T, f *auditFixture) bool { _, ok := invite(t, f, "INV2"); return ok }},
		{"revoke invitation", AuditInviteRevoke, 0, func(ctx context.Context, f *auditFixture) error {
			return f.s.RevokeInvite(ctx, "INV1")
		}, func(t *testing.T, f *auditFixture) bool { inv, _ := invite(t, f, "INV1"); return inv.Revoked }},
		{"use invitation", AuditInviteUse, 3001, func(ctx context.Context, f *auditFixture) error {
			return f.s.RedeemInvite(ctx, "INV1", f.teacher)
		}, func(t *testing.T, f *auditFixture) bool { return mustUser(t, f.s, f.teacher).Role == RoleCoordinator }},
		{"import plan", AuditPlanImport, 7, func(ctx context.Context, f *auditFixture) error {
			eventsBefore = countKeys(nil, f.s, bucketEvents)
			a, b := testEvent("Весенняя неделя добра"), testEvent("Дари добро")
			a.CreatedBy, b.CreatedBy = 7, 7
			_, err := f.s.ImportPlan(ctx, []PlanRow{{Key: PlanKey(a.Title, a.Start, a.Place), Event: a}, {Key: PlanKey(b.Title, b.Start, b.Place), Event: b}})
			return err
		}, func(t *testing.T, f *auditFixture) bool { return countKeys(t, f.s, bucketEvents) == eventsBefore+2 }},
		{"forget", AuditForget, -1, func(ctx context.Context, f *auditFixture) error {
			_, err := f.s.ForgetUser(WithActor(ctx, f.teacher), f.teacher, Forget{Erased: "участник удалил данные"})
			return err
		}, func(t *testing.T, f *auditFixture) bool {
			_, err := f.s.User(ctx, f.teacher)
			return !errors.Is(err, ErrNotFound)
		}},
	}
}

var errInjected = errors.New("injected failure before commit")

// TestAuditEachChange: each audited change writes exactly one entry, of
// its action, by the actor in the context; and a failure after the
// change's last write (just before commit) leaves neither the change nor
// the entry.
func TestAuditEachChange(t *testing.T) {
	for _, c := range auditCases() {
		t.Run(c.name, func(t *testing.T) {
			actor := int64(auditAdmin)
			if c.actor > 0 {
				actor = c.actor
			}
			ctx := WithActor(context.Background(), actor)

			prepared := func() *auditFixture {
				f := newAuditFixture(t)
				if p := auditPrepare[c.name]; p != nil {
					var err error
					if f.prepared, err = p(ctx, f); err != nil {
						t.Fatal(err)
					}
				}
				return f
			}
			f := prepared()
			before := countKeys(t, f.s, bucketAudit)
			if err := c.do(ctx, f); err != nil {
				t.Fatalf("change: %v", err)
			}
			if got := countKeys(t, f.s, bucketAudit); got != before+1 {
				t.Fatalf("audit entries: %d, want %d", got, before+1)
			}
			e := newestAudit(t, f.s)
			if e.Action != c.action {
				t.Errorf("action %q, want %q", e.Action, c.action)
			}
			switch {
			case c.actor < 0: // forgotten: the anonymous id, never the person's
				if e.Actor >= 0 || e.Subject != e.Actor {
					t.Errorf("actor %d subject %d, want one anonymous (negative) id", e.Actor, e.Subject)
				}
			case e.Actor != actor:
				t.Errorf("actor %d, want %d", e.Actor, actor)
			}
			if !e.At.Equal(f.clk.Now()) {
				t.Errorf("at %v, want the store's clock %v", e.At, f.clk.Now())
			}
			if c.action != AuditForget && !c.seen(t, f) {
				t.Fatal("the change is not stored")
			}

			f = prepared()
			before = countKeys(t, f.s, bucketAudit)
			calls := 0
			f.s.beforeCommit = func() error { calls++; return errInjected }
			err := c.do(ctx, f)
			f.s.beforeCommit = nil
			if !errors.Is(err, errInjected) || calls == 0 {
				t.Fatalf("change with a failing commit: %v (%d calls), want the injected error", err, calls)
			}
			if got := countKeys(t, f.s, bucketAudit); got != before {
				t.Errorf("audit entries after a rolled back change: %d, want %d", got, before)
			}
			stored := c.seen(t, f)
			if c.action == AuditForget {
				stored = !stored
			}
			if stored {
				t.Error("the change is stored although its transaction failed")
			}
		})
	}
}

// TestAuditNoChangeNoEntry: a call that changes nothing records nothing.
func TestAuditNoChangeNoEntry(t *testing.T) {
	ctx := WithActor(context.Background(), auditAdmin)
	f := newAuditFixture(t)
	before := countKeys(t, f.s, bucketAudit)
	for name, do := range map[string]func() error{
		"publish a published event": func() error { _, err := f.s.PublishEvent(ctx, f.event.ID); return err },
		"same role":                 func() error { return f.s.SetRole(ctx, f.second, RoleCoordinator) },
		"same organisation": func() error {
			return f.s.UpdateOrganisation(ctx, Organisation{ID: f.org2, Name: "МОУ «Лицей №1» г. Тырныауз", Kind: KindSchool})
		},
		"same result":     func() error { return f.s.SetResult(ctx, f.certEvent, f.teacher, ResultFirst, nil) },
		"refused removal": func() error { _ = f.s.RemoveOrganisation(ctx, f.org1); return nil },
	} {
		if err := do(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := countKeys(t, f.s, bucketAudit); got != before {
			t.Fatalf("%s: %d entries, want %d", name, got, before)
		}
	}
}

// TestAuditEditDetails: an edit records before and after of exactly the
// fields it changed.
func TestAuditEditDetails(t *testing.T) {
	ctx := WithActor(context.Background(), 7)
	f := newAuditFixture(t)
	e := f.event
	e.Place, e.Start, e.Capacity = "ДК «Эльбрус»", e.Start.Add(2*time.Hour), 30
	if _, err := f.s.UpdateEvent(ctx, e, nil, nil); err != nil {
		t.Fatal(err)
	}
	got := newestAudit(t, f.s)
	want := []AuditChange{
		{Field: "start", Before: "08.09.2025 09:00", After: "08.09.2025 11:00"},
		{Field: "place", Before: "ЦРТДиЮ", After: "ДК «Эльбрус»"},
		{Field: "capacity", Before: "0", After: "30"},
	}
	if fmt.Sprint(got.Details) != fmt.Sprint(want) {
		t.Errorf("details %v, want %v", got.Details, want)
	}
	if got.Event != f.event.ID || got.Org != f.org1 || got.Actor != 7 {
		t.Errorf("entry %+v: want event %d, org %d, actor 7", got, f.event.ID, f.org1)
	}
}

// TestAuditFilters: the index by event, person (actor and acted on) and
// organisation, newest first, paged; and without an actor, the bot (0).
func TestAuditFilters(t *testing.T) {
	ctx := context.Background()
	f := newAuditFixture(t)
	as := func(id int64) context.Context { return WithActor(ctx, id) }
	if err := f.s.SetRole(as(auditAdmin), f.teacher, RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Minute)
	if err := f.s.SetAttendance(as(7), f.event.ID, f.teacher, true); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Minute)
	if _, _, err := f.s.CancelEvent(as(7), f.event.ID, nil); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Minute)
	if err := f.s.UpdateOrganisation(ctx, Organisation{ID: f.org2, Name: "Лицей", Kind: KindSchool}); err != nil {
		t.Fatal(err)
	}
	actions := func(fl AuditFilter, offset, limit int) (string, int) {
		t.Helper()
		list, total, err := f.s.AuditPage(ctx, fl, offset, limit)
		if err != nil {
			t.Fatal(err)
		}
		var s []AuditAction
		for _, e := range list {
			s = append(s, e.Action)
		}
		return fmt.Sprint(s), total
	}
	for _, c := range []struct {
		name   string
		filter AuditFilter
		offset int
		limit  int
		want   string
		total  int
	}{
		{"event", AuditFilter{Event: f.event.ID}, 0, 10, "[event_cancel attendance broadcast_send event_create]", 4},
		{"event, second page", AuditFilter{Event: f.event.ID}, 2, 2, "[broadcast_send event_create]", 4},
		{"the teacher: acted on", AuditFilter{User: f.teacher}, 0, 10, "[attendance role_grant result]", 3},
		{"the coordinator: actor", AuditFilter{User: 7}, 0, 10, "[event_cancel attendance]", 2},
		{"organisation 2", AuditFilter{Org: f.org2}, 0, 10, "[org_edit org_create]", 2},
		{"nobody's", AuditFilter{User: 999}, 0, 10, "[]", 0},
	} {
		if got, total := actions(c.filter, c.offset, c.limit); got != c.want || total != c.total {
			t.Errorf("%s: %s of %d, want %s of %d", c.name, got, total, c.want, c.total)
		}
	}
	if e := newestAudit(t, f.s); e.Actor != 0 {
		t.Errorf("a change without an actor in ctx: actor %d, want 0", e.Actor)
	}
	all, total := actions(AuditFilter{}, 0, 2)
	if all != "[org_edit event_cancel]" || total != countKeys(t, f.s, bucketAudit) {
		t.Errorf("all, first page: %s of %d", all, total)
	}
}

// TestAuditForgetAnonymises: the person's entries stay, under their
// anonymous id, in the index too; nothing carries their id.
func TestAuditForgetAnonymises(t *testing.T) {
	ctx := context.Background()
	f := newAuditFixture(t)
	if err := f.s.SetRole(WithActor(ctx, auditAdmin), f.teacher, RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetRole(WithActor(ctx, f.teacher), f.second, RoleTeacher); err != nil { // as if
		t.Fatal(err)
	}
	if err := f.s.SetRole(WithActor(ctx, auditAdmin), f.teacher, RoleTeacher); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.ForgetUser(WithActor(ctx, f.teacher), f.teacher, Forget{Erased: "участник удалил данные"})
	if err != nil {
		t.Fatal(err)
	}
	if list, _, _ := f.s.AuditPage(ctx, AuditFilter{User: f.teacher}, 0, 0); len(list) != 0 {
		t.Errorf("%d entries still under the person's id", len(list))
	}
	list, _, err := f.s.AuditPage(ctx, AuditFilter{User: got.AnonID}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, e := range list {
		s = append(s, fmt.Sprintf("%s %d→%d", e.Action, e.Actor, e.Subject))
	}
	a := got.AnonID
	want := fmt.Sprint([]string{fmt.Sprintf("forget %d→%d", a, a), fmt.Sprintf("role_revoke %d→%d", auditAdmin, a),
		fmt.Sprintf("role_revoke %d→%d", a, f.second), fmt.Sprintf("role_grant %d→%d", auditAdmin, a), fmt.Sprintf("result 0→%d", a)})
	if fmt.Sprint(s) != want {
		t.Errorf("entries of the anonymous id:\n%v\nwant\n%v", s, want)
	}
	if list, _, _ := f.s.AuditPage(ctx, AuditFilter{User: f.second}, 0, 0); len(list) != 1 || list[0].Actor != a {
		t.Errorf("the second coordinator's entry: %+v", list)
	}
}

// TestPruneAudit: entries older than the cut go with their index rows;
// younger ones stay.
func TestPruneAudit(t *testing.T) {
	ctx := WithActor(context.Background(), 7)
	f := newAuditFixture(t)
	old := countKeys(t, f.s, bucketAudit)
	f.clk.Advance(400 * 24 * time.Hour)
	cut := f.clk.Now().Add(-365 * 24 * time.Hour)
	if err := f.s.SetAttendance(ctx, f.event.ID, f.teacher, true); err != nil {
		t.Fatal(err)
	}
	n, err := f.s.PruneAudit(context.Background(), cut)
	if err != nil || n != old {
		t.Fatalf("PruneAudit: %d, %v; want %d", n, err, old)
	}
	if got := countKeys(t, f.s, bucketAudit); got != 1 {
		t.Errorf("%d entries left, want 1", got)
	}
	idx := countKeys(t, f.s, bucketAuditByEvent) + countKeys(t, f.s, bucketAuditByUser) + countKeys(t, f.s, bucketAuditByOrg)
	if idx != 4 { // the attendance's: its event, the actor, the participant, org 1
		t.Errorf("index rows left: %d, want 4", idx)
	}
	if list, _, _ := f.s.AuditPage(context.Background(), AuditFilter{Org: f.org1}, 0, 0); len(list) != 1 {
		t.Errorf("organisation 1 after the prune: %d entries, want 1", len(list))
	}
	if n, err := f.s.PruneAudit(context.Background(), cut); n != 0 || err != nil {
		t.Errorf("second prune: %d, %v", n, err)
	}
}
