package webapp

import (
	"context"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"vmeste/storage"
)

// exportsStub is the bot's side of Exports for these tests.
type exportsStub struct{}

func (exportsStub) ParticipantsFile(_ context.Context, _ string, id int64, format string) (string, []byte, error) {
	return "участники." + format, fmt.Appendf(nil, "participants of %d as %s", id, format), nil
}

var fileLink = regexp.MustCompile(`href="(/app/events/\d+/export/xlsx\?[^"]+)"`)

// TestSignedFileLinks: the participants' page links its files with a
// signature that works without initData, for that user, event and format
// only, until it expires, and only while the user may still see them.
func TestSignedFileLinks(t *testing.T) {
	f := newFixture(t)
	f.app.cfg.Exports = exportsStub{}
	ctx := context.Background()
	e := f.event(ctx, "Отчизны верные сыны", storage.EventCompetition)
	_, body := f.do(http.MethodGet, "/app/events/"+itoa(e.ID)+"/participants", f.as(f.coordA), nil)
	m := fileLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no file link on the page:\n%s", body)
	}
	link := html.UnescapeString(m[1])
	if code, got := f.do(http.MethodGet, link, "", nil); code != http.StatusOK || got != fmt.Sprintf("participants of %d as xlsx", e.ID) {
		t.Fatalf("the link: %d %q", code, got)
	}
	exp := time.Now().Add(-time.Second).Unix()
	expired := fmt.Sprintf("/app/events/%d/export/xlsx?u=%d&exp=%d&sig=%s", e.ID, f.coordA.ID, exp, hex.EncodeToString(f.app.downloadSig(f.coordA.ID, e.ID, "xlsx", exp)))
	for name, bad := range map[string]string{
		"another format":      strings.Replace(link, "/xlsx?", "/csv?", 1),
		"another user":        strings.Replace(link, fmt.Sprintf("u=%d", f.coordA.ID), fmt.Sprintf("u=%d", f.coordB.ID), 1),
		"another event":       strings.Replace(link, fmt.Sprintf("/events/%d/", e.ID), "/events/99/", 1),
		"a changed signature": strings.Replace(link, "sig=", "sig=00", 1),
		"expired":             expired,
	} {
		if code, got := f.do(http.MethodGet, bad, "", nil); code != http.StatusUnauthorized || strings.Contains(got, "participants of") {
			t.Errorf("%s: %d %q", name, code, got)
		}
	}
	// Revoked in the meantime: the link no longer works.
	if err := f.store.SetRole(ctx, f.coordA.ID, storage.RoleTeacher); err != nil {
		t.Fatal(err)
	}
	if code, got := f.do(http.MethodGet, link, "", nil); code != http.StatusForbidden || strings.Contains(got, "participants of") {
		t.Errorf("after the role was revoked: %d %q", code, got)
	}
}
