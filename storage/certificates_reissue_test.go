package storage

import (
	"context"
	"testing"
)

// TestIssueCertificatesReissuesChangedFacts: the school renamed after
// issue — every paper that prints it is revoked and replaced, in one
// transaction, each new one naming the number it replaces and printing
// the new name; a further issue changes nothing. The plan counts who
// waits for an attendance mark, and each delivery's state is read back.
func TestIssueCertificatesReissuesChangedFacts(t *testing.T) {
	ctx := context.Background()
	f := newCertFixture(t)
	first := f.issue(t)
	if first.Waiting != 1 { // Алиева, not marked; Хаджиев is on the waitlist
		t.Errorf("Waiting %d, want 1", first.Waiting)
	}
	valid := first.New.Total()
	deliveries, err := f.s.CertificateDeliveries(ctx, f.e.ID, 0)
	if err != nil || len(deliveries) != valid {
		t.Fatalf("deliveries: %d, %v; want %d", len(deliveries), err, valid)
	}
	for _, d := range deliveries {
		if d.State != DeliveryPending {
			t.Errorf("%s: %s before any send", d.Certificate.Number, d.State)
		}
	}
	mine, err := f.s.CertificateDeliveries(ctx, f.e.ID, f.users[0])
	if err != nil || len(mine) != 3 {
		t.Errorf("Иванова's: %d, %v", len(mine), err)
	}
	before := certOf(t, f.s, f.e.ID, f.users[0], CertDiploma)

	o, err := f.s.Organisation(ctx, f.org)
	if err != nil {
		t.Fatal(err)
	}
	o.Name = "МКОУ «СОШ №1 им. Героя России» с.п. Бедык"
	if err := f.s.UpdateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	plan, err := f.s.PlanCertificates(ctx, f.e.ID, CertificateKinds)
	if err != nil {
		t.Fatal(err)
	}
	again := f.issue(t)
	for name, p := range map[string]CertificatePlan{"plan": plan, "issue": again} {
		if p.New.Total() != valid || p.Revoked.Total() != valid || p.Replaced.Total() != valid || p.Already.Total() != 0 {
			t.Errorf("%s after the rename: new %s, revoked %s, replaced %s, already %s", name,
				counts(p.New), counts(p.Revoked), counts(p.Replaced), counts(p.Already))
		}
	}
	after := certOf(t, f.s, f.e.ID, f.users[0], CertDiploma)
	if after.ID == before.ID || after.Replaces != before.Number || after.School != o.Name {
		t.Errorf("the new diploma: %+v (old %s)", after, before.Number)
	}
	old, err := f.s.Certificate(ctx, before.ID)
	if err != nil || !old.Revoked() || old.ReplacedByNumber != after.Number {
		t.Errorf("the old diploma: %+v, %v", old, err)
	}
	// The old deliveries, still pending, were withdrawn; the new ones wait.
	deliveries, err = f.s.CertificateDeliveries(ctx, f.e.ID, 0)
	if err != nil || len(deliveries) != valid {
		t.Fatalf("deliveries after the reissue: %d, %v", len(deliveries), err)
	}
	if n, _ := f.s.OutboxPendingCount(ctx); n != valid {
		t.Errorf("%d deliveries pending, want %d", n, valid)
	}
	if third := f.issue(t); third.New.Total() != 0 || third.Revoked.Total() != 0 || third.Already.Total() != valid {
		t.Errorf("a third issue: new %s, revoked %s", counts(third.New), counts(third.Revoked))
	}
}
