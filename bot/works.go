package bot

import (
	"context"
	"errors"
	"strconv"

	"vmeste/locales"
	"vmeste/storage"
)

// «📎 Работы (N)»: an event's works sent into the coordinator's chat,
// grouped and labelled: an opening message, a header per organisation,
// then each application's files as albums whose first item's caption names
// the participant («СОШ №1 · Иванова М. П. · команда 5Б · 3 файла»), and a
// closing message. Photos and videos share albums; documents go in their
// own (Telegram does not mix them); an album holds at most ten.
//
// These can be many messages, so they go through the durable outbox, all
// enqueued in one transaction: the scheduler's sender paces them (one a
// second to the chat) and a restart in the middle sends what is left,
// nothing twice (but for the sends in flight at a crash) and skipping
// nothing. They take the bulk lane, as every outbox message does: the
// coordinator asked for them, but a reply to someone else's button should
// not wait behind forty albums; the coordinator's own answer («Отправляю
// 12 работ от 5 участников…») is the callback's, which waits for no lane.
// A second press while they go out adds nothing (storage.EnqueueOnce).

// worksOrigin is the outbox origin of one coordinator's delivery of one
// event's works.
func worksOrigin(eventID, userID int64) storage.Origin {
	return storage.Origin{Kind: storage.OriginNotice,
		Key: "works:" + strconv.FormatInt(eventID, 10) + ":" + strconv.FormatInt(userID, 10)}
}

// cbEventWorks: wk:<event id>.
func (b *Bot) cbEventWorks(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEventFor(ctx, r, args, actParticipants)
	if !ok {
		return err
	}
	groups, err := b.applicationsByOrg(ctx, e.ID)
	if err != nil {
		return err
	}
	p := r.P
	contents, files, people := worksDelivery(p, e, groups)
	if files == 0 {
		return b.answer(ctx, r, p.T("works_none"), true)
	}
	entries := make([]storage.OutboxEntry, len(contents))
	for i, c := range contents {
		entries[i] = storage.OutboxEntry{ChatID: r.ChatID, UserID: r.User.ID, Content: c}
	}
	pending, err := b.store.EnqueueOnce(ctx, worksOrigin(e.ID, r.User.ID), entries)
	if errors.Is(err, storage.ErrAlreadyQueued) {
		return b.answer(ctx, r, p.N("works_already_sending", pending), true)
	}
	if err != nil {
		return err
	}
	b.log.Info("works: enqueued", "event", e.ID, "user_id", r.User.ID, "messages", len(entries), "files", files)
	return b.answer(ctx, r, p.T("works_sending", "Works", p.N("works_n", files), "From", p.N("works_from_participants", people)), false)
}

// worksDelivery is the messages that deliver the groups' works, in order,
// with the number of files and of participants who sent any.
func worksDelivery(p locales.Printer, e storage.Event, groups []orgApplications) (out []storage.Content, files, people int) {
	var body []storage.Content
	orgs := 0
	for _, g := range groups {
		n, who := 0, 0
		var albums []storage.Content
		for _, pt := range g.List {
			works := applicationWorks(pt)
			if len(works) == 0 {
				continue
			}
			n += len(works)
			who++
			for _, album := range workAlbums(works, workCaption(p, g, pt, len(works))) {
				albums = append(albums, storage.Content{Media: album})
			}
		}
		if n == 0 {
			continue
		}
		orgs++
		files += n
		people += who
		label, name := g.Label, g.Name
		if label == "" {
			label, name = p.T("apps_no_org"), ""
		}
		head := p.T("works_org_header", "Org", truncateRunes(label, 100),
			"Participants", p.N("works_n_participants", who), "Files", p.N("works_n_files", n))
		if name != "" && name != label {
			head += "\n" + p.T("works_org_name", "Name", truncateRunes(name, 300))
		}
		body = append(body, storage.Content{Text: head})
		body = append(body, albums...)
	}
	if files == 0 {
		return nil, 0, 0
	}
	intro := storage.Content{Text: p.T("works_intro", "Title", e.Title, "Files", p.N("works_n_files", files),
		"From", p.N("works_from_participants", people), "Orgs", p.N("works_of_orgs", orgs))}
	done := storage.Content{
		Text: p.T("works_done", "Title", e.Title),
		Buttons: [][]storage.Button{
			{{Text: p.T("btn_event_works_zip"), Data: cb(cbEventWorksZip, e.ID)}},
			{{Text: p.T("btn_back_to_event"), Data: cb(cbEventOpen, e.ID)}},
		},
	}
	out = append(append([]storage.Content{intro}, body...), done)
	return out, files, people
}

// workCaption names an application's works: «СОШ №1 · Иванова М. П. ·
// команда 5Б · 3 файла».
func workCaption(p locales.Printer, g orgApplications, pt storage.Participant, n int) string {
	org := g.Label
	if org == "" {
		org = p.T("apps_no_org")
	}
	name := shortPersonName(pt.User.FullName, false)
	if name == "" {
		name = p.T("unnamed_user", "ID", pt.UserID)
	}
	org, name = truncateRunes(org, 60), truncateRunes(name, 60)
	var c string
	if pt.TeamName != "" {
		c = p.N("works_caption_team", n, "Org", org, "Name", name, "Team", truncateRunes(pt.TeamName, 40))
	} else {
		c = p.N("works_caption", n, "Org", org, "Name", name)
	}
	if pt.State == storage.RegWaitlist {
		c += p.T("works_caption_waitlist")
	}
	return c
}

// workAlbums splits an application's works into albums: photos and videos
// together, then documents, at most storage.MaxAlbum each, in the order
// sent; each album's first item carries the caption.
func workAlbums(works []storage.Work, caption string) [][]storage.Media {
	var visual, docs []storage.Media
	for _, w := range works {
		m := storage.Media{Kind: w.Kind, FileID: w.FileID}
		if w.Kind == storage.WorkDocument {
			docs = append(docs, m)
		} else {
			visual = append(visual, m)
		}
	}
	var out [][]storage.Media
	for _, list := range [][]storage.Media{visual, docs} {
		for len(list) > 0 {
			n := min(len(list), storage.MaxAlbum)
			album := append([]storage.Media(nil), list[:n]...)
			album[0].Caption = caption
			out = append(out, album)
			list = list[n:]
		}
	}
	return out
}
