package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vmeste/storage"
)

// TestCheckAndCompact runs the built binary's -check and -compact: both
// refuse (exit 2) while an instance holds the database and for a missing
// one; on a sound one -check exits 0 and -compact shrinks it with its data
// kept; on a damaged one both exit 1 and the file is left as it was.
func TestCheckAndCompact(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "vmeste.db")
	s, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		o := storage.Organisation{Name: "Школа №" + strings.Repeat("1", i+1), Kind: storage.KindSchool}
		if _, err := s.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, flag := range []string{"-check", "-compact"} {
		if code, _, stderr := runWithin(t, nil, "-db", db, flag); code != 2 || !strings.Contains(stderr, "held by another running instance") {
			t.Errorf("%s while held: exit %d, %s", flag, code, stderr)
		}
		if code, _, stderr := runWithin(t, nil, "-db", filepath.Join(dir, "none.db"), flag); code != 2 || !strings.Contains(stderr, "does not exist") {
			t.Errorf("%s of a missing file: exit %d, %s", flag, code, stderr)
		}
	}
	if code, _, stderr := runWithin(t, nil, "-db", db, "-check", "-compact"); code != 2 {
		t.Errorf("-check -compact together: exit %d, %s", code, stderr)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	if code, stdout, stderr := runWithin(t, nil, "-db", db, "-check"); code != 0 || !strings.Contains(stdout, "is sound") {
		t.Errorf("-check: exit %d, %s%s", code, stdout, stderr)
	}
	code, stdout, stderr := runWithin(t, nil, "-db", db, "-compact")
	if code != 0 || !strings.Contains(stdout, "compacted") {
		t.Fatalf("-compact: exit %d, %s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runWithin(t, nil, "-db", db, "-check"); code != 0 {
		t.Errorf("-check after -compact: exit %d, %s%s", code, stdout, stderr)
	}
	s, err = storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := s.Organisations(ctx)
	s.Close()
	if err != nil || len(orgs) != 300 {
		t.Errorf("after -compact: %d organisations, %v", len(orgs), err)
	}

	data, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.db")
	if err := os.WriteFile(bad, data[:16<<10], 0o600); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"-check", "-compact"} {
		if code, _, stderr := runWithin(t, nil, "-db", bad, flag); code != 1 || !strings.Contains(stderr, "is damaged") {
			t.Errorf("%s of a damaged file: exit %d, %s", flag, code, stderr)
		}
	}
	if after, _ := os.ReadFile(bad); !bytes.Equal(after, data[:16<<10]) {
		t.Error("-compact changed a damaged file")
	}
}
