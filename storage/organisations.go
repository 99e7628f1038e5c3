package storage

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OrgKind is the kind of a partner organisation (product.md, "Organisations").
type OrgKind string

// The organisation kinds, in the order they are offered to users.
const (
	KindSchool        OrgKind = "school"
	KindPreschool     OrgKind = "preschool"
	KindCollege       OrgKind = "college"
	KindAdditional    OrgKind = "additional"
	KindCulture       OrgKind = "culture"
	KindHealth        OrgKind = "health"
	KindVeterans      OrgKind = "veterans"
	KindPolice        OrgKind = "police"
	KindTrafficPolice OrgKind = "traffic_police"
	KindEmergencies   OrgKind = "emergencies"
	KindOtherOrg      OrgKind = "other"
)

// OrgKinds lists every organisation kind in display order.
var OrgKinds = []OrgKind{KindSchool, KindPreschool, KindCollege, KindAdditional, KindCulture,
	KindHealth, KindVeterans, KindPolice, KindTrafficPolice, KindEmergencies, KindOtherOrg}

// Valid reports whether k is one of OrgKinds.
func (k OrgKind) Valid() bool {
	for _, v := range OrgKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Organisation is a school, kindergarten, college or partner agency.
type Organisation struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	ShortName string    `json:"short_name"`
	Kind      OrgKind   `json:"kind"`
	Contact   string    `json:"contact,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Label is the short name when there is one, else the name.
func (o Organisation) Label() string {
	if o.ShortName != "" {
		return o.ShortName
	}
	return o.Name
}

// Organisation returns the organisation with id, or ErrNotFound.
func (s *Store) Organisation(ctx context.Context, id int64) (Organisation, error) {
	var o Organisation
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketOrgs), itob(id), &o)
	})
	if err != nil {
		return Organisation{}, fmt.Errorf("storage: organisation %d: %w", id, err)
	}
	return o, nil
}

// Organisations returns every organisation sorted by name (case-insensitive).
func (s *Store) Organisations(ctx context.Context) ([]Organisation, error) {
	var list []Organisation
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOrgs).ForEach(func(_, v []byte) error {
			var o Organisation
			if err := jsonUnmarshal(v, &o); err != nil {
				return err
			}
			list = append(list, o)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: organisations: %w", err)
	}
	sort.SliceStable(list, func(i, j int) bool {
		return strings.ToLower(list[i].Name) < strings.ToLower(list[j].Name)
	})
	return list, nil
}

// CreateOrganisation stores o under a new id, which it returns. It returns
// ErrDuplicate when an organisation of the same name exists.
func (s *Store) CreateOrganisation(ctx context.Context, o Organisation) (int64, error) {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		if err := createOrg(tx, &o, s.now()); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgAudit(AuditOrgCreate, o.ID))
	})
	if err != nil {
		return 0, fmt.Errorf("storage: create organisation: %w", err)
	}
	return o.ID, nil
}

// ImportOrganisations stores all of list in one transaction: either every
// one is saved or none is. It returns ErrDuplicate (naming the organisation)
// when a name is taken.
func (s *Store) ImportOrganisations(ctx context.Context, list []Organisation) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		now := s.now()
		for i := range list {
			if err := createOrg(tx, &list[i], now); err != nil {
				return err
			}
		}
		if len(list) == 0 {
			return nil
		}
		imported := AuditEntry{Action: AuditOrgImport, Kind: AuditObjImport,
			Details: []AuditChange{auditFact("count", strconv.Itoa(len(list)))}}
		for _, o := range list { // each listed under the one entry: /audit o<id>
			imported.Orgs = append(imported.Orgs, o.ID)
		}
		return s.appendAudit(ctx, tx, imported)
	})
	if err != nil {
		return fmt.Errorf("storage: import organisations: %w", err)
	}
	return nil
}

func createOrg(tx *bolt.Tx, o *Organisation, now time.Time) error {
	b := tx.Bucket(bucketOrgs)
	if err := checkUniqueName(b, 0, o.Name); err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	o.ID = int64(seq)
	o.CreatedAt, o.UpdatedAt = now, now
	return putJSON(b, itob(o.ID), o)
}

func checkUniqueName(b *bolt.Bucket, selfID int64, name string) error {
	want := strings.ToLower(strings.TrimSpace(name))
	return b.ForEach(func(k, v []byte) error {
		if btoi(k) == selfID {
			return nil
		}
		var o Organisation
		if err := jsonUnmarshal(v, &o); err != nil {
			return err
		}
		if strings.ToLower(strings.TrimSpace(o.Name)) == want {
			return fmt.Errorf("%q: %w", o.Name, ErrDuplicate)
		}
		return nil
	})
}

// UpdateOrganisation replaces the stored organisation with o (matched by
// o.ID). ErrNotFound if there is none, ErrDuplicate if the new name is taken.
func (s *Store) UpdateOrganisation(ctx context.Context, o Organisation) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOrgs)
		var old Organisation
		if err := getJSON(b, itob(o.ID), &old); err != nil {
			return err
		}
		if err := checkUniqueName(b, o.ID, o.Name); err != nil {
			return err
		}
		changes := orgChanges(old, o)
		if len(changes) == 0 {
			return nil
		}
		o.CreatedAt, o.UpdatedAt = old.CreatedAt, s.now()
		if err := putJSON(b, itob(o.ID), o); err != nil {
			return err
		}
		edit := orgAudit(AuditOrgEdit, o.ID)
		edit.Details = changes
		return s.appendAudit(ctx, tx, edit)
	})
	if err != nil {
		return fmt.Errorf("storage: update organisation %d: %w", o.ID, err)
	}
	return nil
}

// RemoveOrganisation deletes the organisation. It returns ErrInUse while any
// user belongs to it, an *OrganiserError while it organises any event (its
// name is on the cards and in the reports), and ErrNotFound if there is
// none.
func (s *Store) RemoveOrganisation(ctx context.Context, id int64) error {
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOrgs)
		var old Organisation
		if err := getJSON(b, itob(id), &old); err != nil {
			return err
		}
		prefix := itob(id)
		if k, _ := tx.Bucket(bucketOrgUser).Cursor().Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) {
			return ErrInUse
		}
		if n, err := eventsOrganisedBy(tx, id); err != nil || n > 0 {
			if err != nil {
				return err
			}
			return &OrganiserError{Events: n}
		}
		if err := b.Delete(itob(id)); err != nil {
			return err
		}
		removed := orgAudit(AuditOrgRemove, id)
		removed.Details = []AuditChange{{Field: "name", Before: old.Name}}
		return s.appendAudit(ctx, tx, removed)
	})
	if err != nil {
		return fmt.Errorf("storage: remove organisation %d: %w", id, err)
	}
	return nil
}

// OrganisationMembers returns how many users belong to the organisation.
func (s *Store) OrganisationMembers(ctx context.Context, id int64) (int, error) {
	n := 0
	err := s.view(ctx, func(tx *bolt.Tx) error {
		prefix := itob(id)
		c := tx.Bucket(bucketOrgUser).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: members of organisation %d: %w", id, err)
	}
	return n, nil
}

// OrganiserError is returned by RemoveOrganisation for an organisation
// that organises events. errors.Is(err, ErrInUse) holds for it.
type OrganiserError struct{ Events int }

func (e *OrganiserError) Error() string {
	return fmt.Sprintf("organiser of %d events", e.Events)
}

func (e *OrganiserError) Is(target error) bool { return target == ErrInUse }

// eventsOrganisedBy counts the events with org among their organisers.
func eventsOrganisedBy(tx *bolt.Tx, org int64) (int, error) {
	n := 0
	err := tx.Bucket(bucketEvents).ForEach(func(_, v []byte) error {
		var e Event
		if err := jsonUnmarshal(v, &e); err != nil {
			return err
		}
		for _, o := range e.Organisers {
			if o == org {
				n++
				break
			}
		}
		return nil
	})
	return n, err
}
