package locales

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// keyUse finds literal message keys in calls like p.T("key" and r.P.N("key".
var keyUse = regexp.MustCompile(`\.(?:T|N)\("([a-z0-9_]+)"`)

// TestEveryUsedKeyExists reads the packages that render messages and checks
// that every literal key they use is in both catalogs. Keys built at run
// time (kind_…, cmd_…) are checked by the tests of those packages.
func TestEveryUsedKeyExists(t *testing.T) {
	c := catalog(t)
	files, err := filepath.Glob("../*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyUse.FindAllSubmatch(data, -1) {
			key := string(m[1])
			if strings.HasSuffix(key, "_") { // a prefix completed at run time
				continue
			}
			used++
			for _, lang := range Languages {
				if _, ok := c.Raw(lang, key); !ok {
					t.Errorf("%s uses %q, missing in %s", f, key, lang)
				}
			}
		}
	}
	if used < 100 {
		t.Fatalf("found only %d key uses: is the pattern right?", used)
	}
}
