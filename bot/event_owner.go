package bot

import (
	"context"
	"fmt"
	"html"

	"vmeste/locales"
	"vmeste/storage"
)

// ownerLines are the card's lines naming who runs the event: the owning
// organisation's full name, and a contact, which is the organisation's
// contact when it has one, else the author's name linked to their
// Telegram profile (so that a teacher can write to them). Every value is
// escaped; an unknown organisation or author is left out.
func (b *Bot) ownerLines(ctx context.Context, p locales.Printer, e storage.Event) []string {
	var lines []string
	org, err := b.store.Organisation(ctx, e.OwnerOrg)
	if err == nil {
		lines = append(lines, p.T("card_owner", "Org", org.Name))
	}
	switch {
	case err == nil && org.Contact != "":
		lines = append(lines, p.T("card_contact", "Contact", org.Contact))
	case e.CreatedBy != 0:
		author, err := b.store.User(ctx, e.CreatedBy)
		if err != nil || author.FullName == "" {
			break
		}
		link := fmt.Sprintf(`<a href="tg://user?id=%d">%s</a>`, author.ID, html.EscapeString(truncateRunes(author.FullName, 80)))
		lines = append(lines, p.T("card_contact", "Contact", localesHTML(link)))
	}
	return lines
}
