package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// storedInvite reads an invitation straight from its bucket; the package has
// no lookup by code.
func storedInvite(t *testing.T, s *Store, code string) Invite {
	t.Helper()
	var inv Invite
	err := s.DB().View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketInvites), []byte(code), &inv)
	})
	if err != nil {
		t.Fatalf("invite %q: %v", code, err)
	}
	return inv
}

func TestRedeemInvite(t *testing.T) {
	const admin, teacher, other = 1, 100, 101
	tests := []struct {
		name     string
		code     string
		expires  time.Duration // from the clock's time when redeemed
		prepare  func(t *testing.T, s *Store)
		wantErr  error
		wantRole Role
	}{
		{"fresh invite makes a coordinator", "fresh", 24 * time.Hour, nil, nil, RoleCoordinator},
		{"reuse", "fresh", 24 * time.Hour, func(t *testing.T, s *Store) {
			if err := s.RedeemInvite(context.Background(), "fresh", other); err != nil {
				t.Fatal(err)
			}
		}, ErrInviteUsed, RoleTeacher},
		{"expired", "fresh", -time.Minute, nil, ErrInviteExpired, RoleTeacher},
		{"expires this instant", "fresh", 0, nil, ErrInviteExpired, RoleTeacher},
		{"revoked", "fresh", 24 * time.Hour, func(t *testing.T, s *Store) {
			if err := s.RevokeInvite(context.Background(), "fresh"); err != nil {
				t.Fatal(err)
			}
		}, ErrInviteUsed, RoleTeacher},
		{"unknown code", "nope", 24 * time.Hour, nil, ErrNotFound, RoleTeacher},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, clk := newTestStore(t)
			mustPutUser(t, s, User{ID: teacher, FullName: "Анна"})
			mustPutUser(t, s, User{ID: other, FullName: "Борис"})
			redeemAt := t0.Add(time.Hour)
			inv := Invite{Code: "fresh", CreatedBy: admin, CreatedAt: t0, ExpiresAt: redeemAt.Add(tt.expires)}
			if err := s.CreateInvite(ctx, inv); err != nil {
				t.Fatal(err)
			}
			if tt.prepare != nil {
				tt.prepare(t, s)
			}
			clk.Advance(time.Hour)

			err := s.RedeemInvite(ctx, tt.code, teacher)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("RedeemInvite(%q): %v; want %v", tt.code, err, tt.wantErr)
			}
			u := mustUser(t, s, teacher)
			if u.Role != tt.wantRole {
				t.Errorf("role after redeem = %q; want %q", u.Role, tt.wantRole)
			}
			if tt.wantErr != nil {
				return
			}
			if !u.UpdatedAt.Equal(redeemAt) || !u.CreatedAt.Equal(t0) {
				t.Errorf("user times after redeem: %+v", u)
			}
			got := storedInvite(t, s, tt.code)
			if got.UsedBy != teacher || !got.UsedAt.Equal(redeemAt) || got.Pending(redeemAt) {
				t.Errorf("invite after redeem = %+v", got)
			}
			if err := s.RedeemInvite(ctx, tt.code, other); !errors.Is(err, ErrInviteUsed) {
				t.Errorf("second redeem: %v; want ErrInviteUsed", err)
			}
		})
	}
}

func TestCreateInviteDuplicateCode(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	inv := Invite{Code: "abc", CreatedBy: 1, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := s.CreateInvite(ctx, inv); err != nil {
		t.Fatal(err)
	}
	inv.CreatedBy = 2
	if err := s.CreateInvite(ctx, inv); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second CreateInvite: %v; want ErrDuplicate", err)
	}
	if got := storedInvite(t, s, "abc"); got.CreatedBy != 1 {
		t.Errorf("duplicate overwrote the invite: %+v", got)
	}
}

func TestPendingInvites(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	mustPutUser(t, s, User{ID: 100})

	invites := []Invite{
		{Code: "old", CreatedAt: t0, ExpiresAt: t0.Add(72 * time.Hour)},
		{Code: "short", CreatedAt: t0.Add(time.Minute), ExpiresAt: t0.Add(2 * time.Hour)},
		{Code: "newest", CreatedAt: t0.Add(2 * time.Minute), ExpiresAt: t0.Add(72 * time.Hour)},
		{Code: "expired", CreatedAt: t0.Add(3 * time.Minute), ExpiresAt: t0},
		{Code: "revoked", CreatedAt: t0.Add(4 * time.Minute), ExpiresAt: t0.Add(72 * time.Hour)},
		{Code: "used", CreatedAt: t0.Add(5 * time.Minute), ExpiresAt: t0.Add(72 * time.Hour)},
	}
	for _, inv := range invites {
		inv.CreatedBy = 1
		if err := s.CreateInvite(ctx, inv); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RevokeInvite(ctx, "revoked"); err != nil {
		t.Fatal(err)
	}
	if err := s.RedeemInvite(ctx, "used", 100); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name    string
		advance time.Duration
		want    []string
	}{
		{"at creation", 0, []string{"newest", "short", "old"}},
		{"one hour later", time.Hour, []string{"newest", "short", "old"}},
		{"short one expired", 2 * time.Hour, []string{"newest", "old"}},
		{"all expired", 3 * 24 * time.Hour, nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clk.Advance(st.advance)
			list, err := s.PendingInvites(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, inv := range list {
				codes = append(codes, inv.Code)
			}
			if len(codes) != len(st.want) {
				t.Fatalf("PendingInvites() = %v; want %v", codes, st.want)
			}
			for i := range codes {
				if codes[i] != st.want[i] {
					t.Fatalf("PendingInvites() = %v; want %v", codes, st.want)
				}
			}
		})
	}
}
