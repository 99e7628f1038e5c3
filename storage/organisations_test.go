package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestOrganisationsCreateAndListSorted(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)

	names := []string{"школа №2", "Гимназия 1", "Zebra College", "ампир", "apple school"}
	ids := map[int64]bool{}
	for _, n := range names {
		id, err := s.CreateOrganisation(ctx, Organisation{Name: n, Kind: KindSchool, ID: 777})
		if err != nil {
			t.Fatalf("CreateOrganisation(%q): %v", n, err)
		}
		if id == 0 || id == 777 || ids[id] {
			t.Fatalf("CreateOrganisation(%q) id = %d; want a new non-zero id", n, id)
		}
		ids[id] = true
		clk.Advance(time.Minute)
	}

	list, err := s.Organisations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"apple school", "Zebra College", "ампир", "Гимназия 1", "школа №2"}
	if len(list) != len(want) {
		t.Fatalf("Organisations() has %d entries; want %d", len(list), len(want))
	}
	for i, o := range list {
		if o.Name != want[i] {
			t.Errorf("Organisations()[%d] = %q; want %q", i, o.Name, want[i])
		}
		if o.CreatedAt.IsZero() || !o.CreatedAt.Equal(o.UpdatedAt) {
			t.Errorf("%q: CreatedAt %v, UpdatedAt %v; want both the creation time", o.Name, o.CreatedAt, o.UpdatedAt)
		}
	}
}

func TestOrganisationsEmpty(t *testing.T) {
	s, _ := newTestStore(t)
	list, err := s.Organisations(context.Background())
	if err != nil || len(list) != 0 {
		t.Fatalf("Organisations() = %v, %v; want none", list, err)
	}
}

func TestUpdateOrganisation(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		newName string
		wantErr error
	}{
		{"new name", "Лицей №3", nil},
		{"own name in another case", "ШКОЛА №1", nil},
		{"name of another organisation", "гимназия 2", ErrDuplicate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk := newTestStore(t)
			id := mustCreateOrg(t, s, "Школа №1")
			mustCreateOrg(t, s, "Гимназия 2")
			later := clk.Advance(time.Hour)

			err := s.UpdateOrganisation(ctx, Organisation{ID: id, Name: tt.newName, ShortName: "Ш1", Kind: KindCollege})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("UpdateOrganisation error = %v; want %v", err, tt.wantErr)
			}
			got, err := s.Organisation(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != nil {
				if got.Name != "Школа №1" || got.Kind != KindSchool || !got.UpdatedAt.Equal(t0) {
					t.Errorf("refused update changed the record: %+v", got)
				}
				return
			}
			if got.Name != tt.newName || got.ShortName != "Ш1" || got.Kind != KindCollege || got.Label() != "Ш1" {
				t.Errorf("after update = %+v", got)
			}
			if !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(later) {
				t.Errorf("CreatedAt %v, UpdatedAt %v; want %v, %v", got.CreatedAt, got.UpdatedAt, t0, later)
			}
		})
	}
}

func TestCreateOrganisationDuplicateName(t *testing.T) {
	tests := []struct {
		name     string
		existing string
		create   string
		wantErr  error
	}{
		{"same name", "Школа №1", "Школа №1", ErrDuplicate},
		{"lower case", "Школа №1", "школа №1", ErrDuplicate},
		{"upper case", "Школа №1", "ШКОЛА №1", ErrDuplicate},
		{"latin mixed case", "Police Department", "police DEPARTMENT", ErrDuplicate},
		{"surrounding space on the new name", "Школа №1", "  Школа №1 ", ErrDuplicate},
		{"surrounding space on the stored name", "Школа №1 ", "школа №1", ErrDuplicate},
		{"different number", "Школа №1", "Школа №10", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := newTestStore(t)
			mustCreateOrg(t, s, tt.existing)

			_, err := s.CreateOrganisation(ctx, Organisation{Name: tt.create, Kind: KindSchool})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("CreateOrganisation(%q) error = %v; want %v", tt.create, err, tt.wantErr)
			}
			list, err := s.Organisations(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := 2
			if tt.wantErr != nil {
				want = 1
			}
			if len(list) != want {
				t.Errorf("%d organisations stored; want %d", len(list), want)
			}
		})
	}
}

func TestRemoveOrganisation(t *testing.T) {
	tests := []struct {
		name   string
		moveTo func(other int64) int64 // the user's OrgID after the move
	}{
		{"user moves to another organisation", func(other int64) int64 { return other }},
		{"user leaves every organisation", func(int64) int64 { return 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := newTestStore(t)
			a := mustCreateOrg(t, s, "Школа №1")
			b := mustCreateOrg(t, s, "Школа №2")
			u := User{ID: 100, ChatID: 100, FullName: "Анна", OrgID: a}
			mustPutUser(t, s, u)

			if err := s.RemoveOrganisation(ctx, a); !errors.Is(err, ErrInUse) {
				t.Fatalf("RemoveOrganisation with a member: %v; want ErrInUse", err)
			}
			if _, err := s.Organisation(ctx, a); err != nil {
				t.Fatalf("refused removal deleted the organisation: %v", err)
			}
			assertMembers(t, s, a, 1)

			u.OrgID = tt.moveTo(b)
			mustPutUser(t, s, u)
			assertMembers(t, s, a, 0)
			if u.OrgID == b {
				assertMembers(t, s, b, 1)
			}

			if err := s.RemoveOrganisation(ctx, a); err != nil {
				t.Fatalf("RemoveOrganisation after the user moved: %v", err)
			}
			if _, err := s.Organisation(ctx, a); !errors.Is(err, ErrNotFound) {
				t.Errorf("Organisation after removal: %v; want ErrNotFound", err)
			}
			if err := s.RemoveOrganisation(ctx, a); !errors.Is(err, ErrNotFound) {
				t.Errorf("second RemoveOrganisation: %v; want ErrNotFound", err)
			}
			err := s.RemoveOrganisation(ctx, b)
			if u.OrgID == b && !errors.Is(err, ErrInUse) {
				t.Errorf("RemoveOrganisation of the new organisation: %v; want ErrInUse", err)
			}
			if u.OrgID == 0 && err != nil {
				t.Errorf("RemoveOrganisation of the empty organisation: %v", err)
			}
		})
	}
}

func assertMembers(t *testing.T, s *Store, org int64, want int) {
	t.Helper()
	n, err := s.OrganisationMembers(context.Background(), org)
	if err != nil || n != want {
		t.Errorf("OrganisationMembers(%d) = %d, %v; want %d", org, n, err, want)
	}
}

func TestImportOrganisations(t *testing.T) {
	tests := []struct {
		name    string
		list    []string
		wantErr error
	}{
		{"all new", []string{"Лицей №3", "Детский сад 5", "ДК Юность"}, nil},
		{"duplicate of a stored organisation last", []string{"Лицей №3", "Детский сад 5", "школа №1"}, ErrDuplicate},
		{"duplicate of a stored organisation first", []string{"ШКОЛА №1", "Лицей №3"}, ErrDuplicate},
		{"duplicate within the batch", []string{"Лицей №3", "Детский сад 5", "лицей №3"}, ErrDuplicate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := newTestStore(t)
			mustCreateOrg(t, s, "Школа №1")

			batch := make([]Organisation, len(tt.list))
			for i, n := range tt.list {
				batch[i] = Organisation{Name: n, Kind: KindOtherOrg}
			}
			err := s.ImportOrganisations(ctx, batch)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ImportOrganisations error = %v; want %v", err, tt.wantErr)
			}
			list, err := s.Organisations(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != nil {
				if len(list) != 1 || list[0].Name != "Школа №1" {
					t.Errorf("after a refused import: %+v; want only the stored one", list)
				}
				// The rolled-back import consumed no ids.
				if id := mustCreateOrg(t, s, "Новая"); id != 2 {
					t.Errorf("next id after a refused import = %d; want 2", id)
				}
				return
			}
			if len(list) != 1+len(tt.list) {
				t.Errorf("after import %d organisations; want %d", len(list), 1+len(tt.list))
			}
			for _, o := range batch {
				got, err := s.Organisation(ctx, o.ID)
				if err != nil || got.Name != o.Name {
					t.Errorf("imported %q as %d: got %+v, %v", o.Name, o.ID, got, err)
				}
			}
		})
	}
}
