package storage

import (
	"context"
	"errors"
	"testing"
)

// waitingFollow is a Follow like the bot's: a person still waiting gets
// the organisation and the next step, and a notice.
func waitingFollow(req OrgRequest, org Organisation, u User, c Conversation, ok bool) OrgFollow {
	if !ok || c.Step != "wait" {
		return OrgFollow{}
	}
	notice := []OutboxEntry{{ChatID: u.ID, UserID: u.ID, Content: Content{Text: string(req.State)}, Origin: Origin{Kind: OriginNotice}}}
	if req.State == OrgRequestRefused {
		back := Conversation{Flow: c.Flow, Step: "org"}
		return OrgFollow{Conversation: &back, Notices: notice}
	}
	u.OrgID = org.ID
	next := Conversation{Flow: c.Flow, Step: "position"}
	return OrgFollow{User: &u, Conversation: &next, Notices: notice}
}

func TestOrgRequestAddedInOneTransaction(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	if err := s.PutUser(ctx, User{ID: 7, ChatID: 7, FullName: "Гетоева Зульфия", Lang: "ru", Active: true}); err != nil {
		t.Fatal(err)
	}
	wait := Conversation{Flow: "onboarding", Step: "wait"}
	old, err := s.CreateOrgRequest(ctx, OrgRequest{UserID: 7, Name: "СОШ 3"}, wait, func(OrgRequest) []OutboxEntry { return nil })
	if err != nil {
		t.Fatal(err)
	}
	req, err := s.CreateOrgRequest(ctx, OrgRequest{UserID: 7, Name: "МКОУ «СОШ №3»"}, wait, func(r OrgRequest) []OutboxEntry {
		return []OutboxEntry{{ChatID: 1000, UserID: 1000, Content: Content{Text: r.Name}, Origin: Origin{Kind: OriginNotice}}}
	})
	if err != nil || req.ID == 0 || req.State != OrgRequestPending {
		t.Fatalf("CreateOrgRequest = %+v, %v", req, err)
	}
	if got, _ := s.OrgRequest(ctx, old.ID); got.State != OrgRequestWithdrawn {
		t.Errorf("the older request is %s, want withdrawn", got.State)
	}
	if _, _, err := s.DecideOrgRequest(ctx, OrgDecision{RequestID: old.ID, State: OrgRequestRefused}); !errors.Is(err, ErrRequestDecided) {
		t.Errorf("deciding a withdrawn request: %v", err)
	}
	pending, _ := s.PendingOutbox(ctx, 0, 10)
	if len(pending) != 1 || pending[0].ChatID != 1000 {
		t.Fatalf("admins' notices: %+v", pending)
	}

	got, org, err := s.DecideOrgRequest(ctx, OrgDecision{RequestID: req.ID, AdminID: 1000, State: OrgRequestAdded,
		New: Organisation{Name: req.Name, Kind: KindSchool}, Follow: waitingFollow})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != OrgRequestAdded || got.OrgID != org.ID || org.ID == 0 || got.DecidedBy != 1000 {
		t.Errorf("decided %+v, org %+v", got, org)
	}
	u, _ := s.User(ctx, 7)
	c, _ := s.Conversation(ctx, 7)
	if u.OrgID != org.ID || c.Step != "position" {
		t.Errorf("the person: org %d, step %q", u.OrgID, c.Step)
	}
	if n, _ := s.OrganisationMembers(ctx, org.ID); n != 1 {
		t.Errorf("members of the new organisation: %d", n)
	}
	pending, _ = s.PendingOutbox(ctx, 0, 10)
	if len(pending) != 2 || pending[1].ChatID != 7 {
		t.Errorf("the person's notice: %+v", pending)
	}

	// Decided once: a second decision changes nothing.
	_, _, err = s.DecideOrgRequest(ctx, OrgDecision{RequestID: req.ID, State: OrgRequestRefused, Follow: waitingFollow})
	var decided *OrgRequestDecidedError
	if !errors.As(err, &decided) || decided.Request.State != OrgRequestAdded {
		t.Errorf("second decision: %v", err)
	}
}

func TestOrgRequestDuplicateChangesNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	if _, err := s.CreateOrganisation(ctx, Organisation{Name: "МКОУ СОШ №3", Kind: KindSchool}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutUser(ctx, User{ID: 7, ChatID: 7, Active: true}); err != nil {
		t.Fatal(err)
	}
	req, err := s.CreateOrgRequest(ctx, OrgRequest{UserID: 7, Name: "мкоу сош №3"}, Conversation{Flow: "onboarding", Step: "wait"},
		func(OrgRequest) []OutboxEntry { return nil })
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.DecideOrgRequest(ctx, OrgDecision{RequestID: req.ID, State: OrgRequestAdded,
		New: Organisation{Name: req.Name, Kind: KindSchool}, Follow: waitingFollow})
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("want ErrDuplicate, got %v", err)
	}
	if got, _ := s.OrgRequest(ctx, req.ID); got.State != OrgRequestPending {
		t.Errorf("a failed decision changed the request: %s", got.State)
	}
	if c, _ := s.Conversation(ctx, 7); c.Step != "wait" {
		t.Errorf("a failed decision moved the person: %q", c.Step)
	}
	_, _, err = s.DecideOrgRequest(ctx, OrgDecision{RequestID: req.ID, State: OrgRequestMatched, OrgID: 999})
	if !IsNotFound(err) {
		t.Errorf("matching a missing organisation: %v", err)
	}
	_, _, err = s.DecideOrgRequest(ctx, OrgDecision{RequestID: req.ID, State: OrgRequestRefused, Follow: waitingFollow})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Conversation(ctx, 7); c.Step != "org" {
		t.Errorf("after a refusal the person is at %q, want back at the list", c.Step)
	}
}
