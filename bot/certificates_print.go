package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/go-telegram/bot/models"

	"vmeste/documents"
	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegram"
)

// Printing a certificate from its record. Documents are printed in
// Russian whatever the teacher's language: they are the district's
// papers, for a Russian attestation portfolio; the caption beside them is
// in her language.

// RenderCertificate prints certificate id as the outbox sends it (main
// wires it into scheduler.Gateway.Render): its file name and PDF, from one
// storage read. A revoked certificate is an error wrapping
// storage.ErrCertificateRevoked, so that a delivery still pending when it
// was replaced is skipped.
func (b *Bot) RenderCertificate(ctx context.Context, id int64) (filename string, pdf []byte, err error) {
	c, err := b.store.Certificate(ctx, id)
	if err != nil {
		return "", nil, fmt.Errorf("bot: render certificate: %w", err)
	}
	if c.Revoked() {
		return "", nil, fmt.Errorf("bot: render certificate %d: %w", id, storage.ErrCertificateRevoked)
	}
	return b.printCertificate(c)
}

// printCertificate prints c: its file name (certFileName) and PDF.
func (b *Bot) printCertificate(c storage.Certificate) (string, []byte, error) {
	var buf bytes.Buffer
	if err := b.certificatePage(c).Write(&buf, b.catalog.For(locales.Russian)); err != nil {
		return "", nil, fmt.Errorf("bot: print certificate %d: %w", c.ID, err)
	}
	return b.certFileName(c), buf.Bytes(), nil
}

// certificatePage is what c's page prints: the snapshot taken at issue,
// the verification link, the district's words.
func (b *Bot) certificatePage(c storage.Certificate) documents.Certificate {
	p := b.catalog.For(locales.Russian)
	recipient := c.Recipient
	if c.Kind != storage.CertThanks && (c.Team != "" || len(c.Pupils) > 0) {
		// A team's document names the team and its leading teacher; its
		// pupils are listed below.
		key := "cert_pdf_team"
		if c.Team != "" {
			key = "cert_pdf_team_named"
		}
		recipient = plainText(p.T(key, "Team", c.Team, "Name", c.Recipient))
	}
	loc := b.cfg.Location
	return documents.Certificate{
		Kind:       documents.Kind(c.Kind),
		Number:     c.Number,
		Place:      c.Place,
		Operator:   c.Operator,
		Event:      c.Event,
		EventKind:  strings.ToLower(plainText(p.T("ekind_" + string(c.EventKind)))),
		Organisers: c.Organisers,
		Recipient:  recipient,
		Pupils:     c.Pupils,
		School:     c.School,
		Date:       c.EventStart.In(loc),
		Issued:     c.IssuedAt.In(loc),
		VerifyURL:  b.verifyLink(c),
	}
}

// verifyLink is the deep link that verifies c: t.me/<bot>?start=v<id>_<code>
// (a payload of [A-Za-z0-9_], far under Telegram's 64 characters).
func (b *Bot) verifyLink(c storage.Certificate) string {
	return b.startLink("v" + certIDString(c.ID) + "_" + c.Code)
}

// certDocument is a PDF to upload with its caption (HTML).
func certDocument(name string, pdf []byte, caption string) telegram.Message {
	return telegram.Message{Document: &models.InputFileUpload{Filename: name, Data: bytes.NewReader(pdf)}, Text: caption}
}
