package bot

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
)

// Verifying a document: its QR code opens t.me/<bot>?start=v<id>_<code>.
// Anyone may ask — a principal scanning a diploma need not be registered
// or have consented — so the answer comes before registration and
// consent, and nothing is stored about the person who asks (withUser does
// not create them). A made-up id, a wrong code and a malformed payload get
// the same answer, so that it never tells which part was wrong.
//
// There is no /verify command: the QR code and the printed link carry the
// code, and a number typed alone (without its code) must not be enough to
// read a teacher's name.

// verifyPayloadRe is a verification payload: v<id>_<code>.
var verifyPayloadRe = regexp.MustCompile(`^v([1-9][0-9]{0,17})_([a-z2-7]{8})$`)

// isVerifyPayload reports whether a /start payload asks to verify a
// document (well-formed or not: any payload beginning with v).
func isVerifyPayload(payload string) bool { return strings.HasPrefix(payload, "v") }

// isVerifyStart reports whether u is a private "/start v…": the one
// message withUser answers without storing its sender.
func isVerifyStart(u *models.Update, username string) bool {
	if u.Message == nil || u.Message.Chat.Type != models.ChatTypePrivate {
		return false
	}
	name, args, ok := parseCommand(u.Message.Text, username)
	return ok && name == "start" && isVerifyPayload(args)
}

// verifyCertificate answers a verification payload with the document's
// facts, that it was annulled, or that no such document exists.
func (b *Bot) verifyCertificate(ctx context.Context, r *Request, payload string) error {
	p := r.P
	notFound := func() error {
		_, err := b.send(ctx, r.ChatID, p.T("cert_verify_not_found"), nil)
		return err
	}
	m := verifyPayloadRe.FindStringSubmatch(payload)
	if m == nil {
		return notFound()
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return notFound()
	}
	c, err := b.store.VerifyCertificate(ctx, id, m[2])
	if storage.IsNotFound(err) {
		return notFound()
	}
	if err != nil {
		return err
	}
	loc := b.cfg.Location
	var lines []string
	if c.Revoked() {
		if c.ReplacedByNumber != "" {
			lines = append(lines, p.T("cert_verify_replaced", "Number", c.Number, "When", localesHTML(p.Day(c.RevokedAt.In(loc))),
				"New", c.ReplacedByNumber))
		} else {
			lines = append(lines, p.T("cert_verify_revoked", "Number", c.Number, "When", localesHTML(p.Day(c.RevokedAt.In(loc)))))
		}
	} else {
		lines = append(lines, p.T("cert_verify_ok", "Number", c.Number))
	}
	lines = append(lines,
		p.T("cert_verify_kind", "Kind", upperFirst(certKindName(p, c))),
		p.T("cert_verify_to", "Name", c.Recipient))
	if c.Team != "" {
		lines = append(lines, p.T("cert_verify_team", "Team", c.Team))
	}
	if c.School != "" {
		lines = append(lines, p.T("cert_verify_school", "School", c.School))
	}
	lines = append(lines, p.T("cert_verify_event", "Kind", localesHTML(strings.ToLower(p.T("ekind_"+string(c.EventKind)))),
		"Title", c.Event, "Date", localesHTML(p.Day(c.EventStart.In(loc)))))
	if len(c.Organisers) > 0 {
		lines = append(lines, p.T("cert_verify_organisers", "Orgs", strings.Join(c.Organisers, ", ")))
	}
	lines = append(lines, p.T("cert_verify_issued", "When", localesHTML(p.Day(c.IssuedAt.In(loc))), "Operator", c.Operator))
	_, err = b.send(ctx, r.ChatID, p.FitLines(lines, 0), nil)
	return err
}
