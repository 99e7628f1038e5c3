package webapp

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"sort"
	"strings"
)

// The page's script and styles are embedded in the binary, so they change
// only with a new build. The pages link them with the build's version in
// the query (?v=, StaticVersion): such an address is cached for a year
// ("immutable"); any other address of a static file is revalidated each
// time (no-cache) against its ETag, a hash of its content. Only these
// files are cacheable: every page and answer with personal data stays
// no-store (secured).

// staticCacheable is the Cache-Control of a static file asked for by its
// versioned address.
const staticCacheable = "public, max-age=31536000, immutable"

// staticTags are the static files' ETags by name, and staticVersion the
// hash of them all, computed once from the embedded files.
var staticTags, staticVersion = staticHashes()

func staticHashes() (map[string]string, string) {
	tags := map[string]string{}
	all := sha256.New()
	var names []string
	_ = fs.WalkDir(staticFS, "static", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, path)
		}
		return err
	})
	sort.Strings(names)
	for _, name := range names {
		b, err := staticFS.ReadFile(name)
		if err != nil {
			continue
		}
		sum := sha256.Sum256(b)
		tags[strings.TrimPrefix(name, "static/")] = `"` + hex.EncodeToString(sum[:8]) + `"`
		all.Write([]byte(name))
		all.Write(sum[:])
	}
	return tags, hex.EncodeToString(all.Sum(nil)[:6])
}

// staticFiles serves the embedded static files at /app/static/ with their
// ETag and cache lifetime.
func staticFiles() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/app/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tag, ok := staticTags[strings.TrimPrefix(r.URL.Path, "/app/static/")]
		switch {
		case !ok:
		case r.URL.Query().Get("v") == staticVersion:
			w.Header().Set("Cache-Control", staticCacheable)
			w.Header().Set("ETag", tag)
		default:
			w.Header().Set("Cache-Control", "no-cache")
			w.Header().Set("ETag", tag)
		}
		files.ServeHTTP(w, r)
	})
}

// StaticVersion is the build's version of the static files, for their
// addresses in the layout.
func (p page) StaticVersion() string { return staticVersion }
