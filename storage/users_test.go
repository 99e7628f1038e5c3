package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestPutUserTimes(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	org := mustCreateOrg(t, s, "Школа №1")

	mustPutUser(t, s, User{ID: 100, ChatID: 200, FullName: "Анна", Lang: "ru", Active: true})
	got := mustUser(t, s, 100)
	if got.ChatID != 200 || got.FullName != "Анна" || got.Lang != "ru" || !got.Active {
		t.Errorf("User(100) = %+v", got)
	}
	if got.Role != RoleTeacher {
		t.Errorf("Role = %q; want the default %q", got.Role, RoleTeacher)
	}
	if !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0) {
		t.Errorf("new user CreatedAt %v, UpdatedAt %v; want both %v", got.CreatedAt, got.UpdatedAt, t0)
	}

	later := clk.Advance(48 * time.Hour)
	got.OrgID, got.Position, got.Registered = org, "учитель", true
	got.CreatedAt = later.Add(time.Hour) // a caller's CreatedAt is ignored
	got.UpdatedAt = time.Time{}
	if err := s.PutUser(ctx, got); err != nil {
		t.Fatal(err)
	}
	again := mustUser(t, s, 100)
	if !again.CreatedAt.Equal(t0) {
		t.Errorf("CreatedAt after update = %v; want kept %v", again.CreatedAt, t0)
	}
	if !again.UpdatedAt.Equal(later) {
		t.Errorf("UpdatedAt after update = %v; want %v", again.UpdatedAt, later)
	}
	if again.OrgID != org || again.Position != "учитель" || !again.Registered {
		t.Errorf("after update = %+v", again)
	}
}

func TestPutUserUnknownOrganisation(t *testing.T) {
	tests := []struct {
		name     string
		existing bool // the user is already stored in a real organisation
	}{
		{"new user", false},
		{"stored user moving", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, clk := newTestStore(t)
			org := mustCreateOrg(t, s, "Школа №1")
			if tt.existing {
				mustPutUser(t, s, User{ID: 100, FullName: "Анна", OrgID: org})
			}
			clk.Advance(time.Hour)

			err := s.PutUser(ctx, User{ID: 100, FullName: "Борис", OrgID: org + 41})
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("PutUser with an unknown OrgID: %v; want ErrNotFound", err)
			}
			u, err := s.User(ctx, 100)
			if !tt.existing {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("refused new user was stored: %+v, %v", u, err)
				}
				assertMembers(t, s, org, 0)
				return
			}
			if err != nil || u.FullName != "Анна" || u.OrgID != org || !u.UpdatedAt.Equal(t0) {
				t.Errorf("refused update changed the user: %+v, %v", u, err)
			}
			// The index entry removed for the move was rolled back with it.
			assertMembers(t, s, org, 1)
		})
	}
}

func TestSetRoleAndCoordinators(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	for i, name := range []string{"Вера", "Анна", "Борис", "Галина"} {
		mustPutUser(t, s, User{ID: int64(100 + i), FullName: name})
	}

	steps := []struct {
		name string
		id   int64
		role Role
		want []string // coordinators afterwards, by name
	}{
		{"first coordinator", 102, RoleCoordinator, []string{"Борис"}},
		{"second coordinator sorts first", 101, RoleCoordinator, []string{"Анна", "Борис"}},
		{"third coordinator", 100, RoleCoordinator, []string{"Анна", "Борис", "Вера"}},
		{"back to teacher", 102, RoleTeacher, []string{"Анна", "Вера"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			now := clk.Advance(time.Minute)
			if err := s.SetRole(ctx, st.id, st.role); err != nil {
				t.Fatal(err)
			}
			u := mustUser(t, s, st.id)
			if u.Role != st.role || !u.UpdatedAt.Equal(now) || !u.CreatedAt.Equal(t0) {
				t.Errorf("after SetRole: %+v; want role %q updated at %v", u, st.role, now)
			}
			list, err := s.Coordinators(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range list {
				names = append(names, c.FullName)
			}
			if fmt.Sprint(names) != fmt.Sprint(st.want) {
				t.Errorf("Coordinators() = %v; want %v", names, st.want)
			}
		})
	}

	all, err := s.Users(ctx)
	if err != nil || len(all) != 4 || all[0].FullName != "Анна" || all[3].FullName != "Галина" {
		t.Errorf("Users() = %+v, %v; want 4 users by name", all, err)
	}
}

// TestPutUserConcurrent writes users from many goroutines while others read;
// run with -race. Each writer moves its user between organisations, and the
// org_users index must end in step with the users' final OrgID.
func TestPutUserConcurrent(t *testing.T) {
	const writers, writes = 16, 8
	ctx := context.Background()
	s, clk := newTestStore(t)
	orgs := []int64{mustCreateOrg(t, s, "Школа №1"), mustCreateOrg(t, s, "Школа №2"), mustCreateOrg(t, s, "Школа №3")}

	var wg sync.WaitGroup
	errs := make(chan error, writers*writes*2)
	for w := range writers {
		wg.Go(func() {
			id := int64(1000 + w)
			for i := range writes {
				u := User{ID: id, ChatID: id, FullName: fmt.Sprintf("user %d/%d", w, i), OrgID: orgs[(w+i)%len(orgs)]}
				if err := s.PutUser(ctx, u); err != nil {
					errs <- err
				}
				clk.Advance(time.Second)
			}
		})
		wg.Go(func() {
			for range writes {
				if _, err := s.User(ctx, int64(1000+w)); err != nil && !errors.Is(err, ErrNotFound) {
					errs <- err
				}
				if _, err := s.OrganisationMembers(ctx, orgs[w%len(orgs)]); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	users, err := s.Users(ctx)
	if err != nil || len(users) != writers {
		t.Fatalf("Users() has %d users, %v; want %d", len(users), err, writers)
	}
	wantMembers := map[int64]int{}
	for w := range writers {
		u := mustUser(t, s, int64(1000+w))
		last := writes - 1
		if u.FullName != fmt.Sprintf("user %d/%d", w, last) || u.OrgID != orgs[(w+last)%len(orgs)] {
			t.Errorf("user %d = %+v; want its last write", u.ID, u)
		}
		wantMembers[u.OrgID]++
	}
	for _, org := range orgs {
		assertMembers(t, s, org, wantMembers[org])
	}
}
