package bot

import (
	"bytes"
	"context"
	"strings"

	"github.com/go-telegram/bot/models"

	"vmeste/calendar"
	"vmeste/storage"
	"vmeste/telegram"
)

// Events in the phone's calendar (package calendar writes the iCalendar):
//
//   - «📅 В календарь» on an event's card, for everyone who may see the
//     card (a draft only for those who may edit it), sends the event as
//     event-<id>.ics, with the viewer's waitlist place marked;
//   - /calendar sends one .ics of the user's calendar (their sign-ups and,
//     for a coordinator, the events they organise, from 90 days back:
//     storage.UserCalendar), or says that it is empty;
//   - /settings shows the link of the user's private feed (made on the
//     first view) with «🔄 Новая ссылка», which, once confirmed, replaces
//     it in one transaction: the old link then answers 404. Without
//     VMESTE_PUBLIC_URL (or the HTTP port) /settings says that the feed is
//     not available and offers no button.

// calendarFileName is the name of /calendar's file: ASCII, as calendar
// apps that import it show the name.
const calendarFileName = "vmeste-calendar.ics"

// cbEventCalendar sends the event as an .ics file: ecl:<event id>.
func (b *Bot) cbEventCalendar(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEvent(ctx, r, args)
	if !ok {
		return err
	}
	if e.Status == storage.EventDraft && !b.may(r, actEdit, e) {
		return b.stale(ctx, r)
	}
	entry := storage.CalendarEntry{Event: e}
	switch reg, err := b.store.Registration(ctx, e.ID, r.User.ID); {
	case err == nil && (reg.State == storage.RegConfirmed || reg.State == storage.RegWaitlist):
		entry.Registration = &reg
	case err != nil && !storage.IsNotFound(err):
		return err
	}
	orgs := map[int64]storage.Organisation{}
	for _, id := range e.Organisers {
		o, err := b.store.Organisation(ctx, id)
		switch {
		case err == nil:
			orgs[id] = o
		case !storage.IsNotFound(err):
			return err
		}
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.sendCalendar(ctx, r, calendar.FileName(e.ID), r.P.T("cal_event_caption"), []storage.CalendarEntry{entry}, orgs, "")
}

// cmdCalendar sends the user's calendar as one .ics file.
func (b *Bot) cmdCalendar(ctx context.Context, r *Request, _ string) error {
	feed, err := b.store.UserCalendar(ctx, r.User.ID, b.cfg.Now().Add(-storage.CalendarWindow))
	if err != nil {
		return err
	}
	if len(feed.Entries) == 0 {
		_, err := b.send(ctx, r.ChatID, r.P.T("cal_empty"), nil)
		return err
	}
	caption := r.P.N("cal_calendar_caption", len(feed.Entries))
	if b.cfg.CalendarFeedURL != "" { // no promise of a feed this server does not serve
		caption += " " + r.P.T("review13_cal_feed_hint")
	}
	return b.sendCalendar(ctx, r, calendarFileName, caption, feed.Entries, feed.Orgs,
		plainText(r.P.T("cal_feed_name")))
}

// sendCalendar writes entries in r's language and sends them as the
// document name with caption; name, if not empty, names the calendar.
func (b *Bot) sendCalendar(ctx context.Context, r *Request, file, caption string, entries []storage.CalendarEntry,
	orgs map[int64]storage.Organisation, name string) error {
	var buf bytes.Buffer
	err := calendar.Write(&buf, entries, orgs, calendar.Options{Location: b.cfg.Location, Bot: b.username, Printer: r.P, Name: name})
	if err != nil {
		return err
	}
	_, err = b.sendMessage(ctx, r.ChatID, telegram.Message{Text: caption,
		Document: &models.InputFileUpload{Filename: file, Data: bytes.NewReader(buf.Bytes())}})
	return err
}

// calendarSettings is /settings' part about the feed: the link (made on
// the first view) and «🔄 Новая ссылка», or the line saying that no feed
// is served here.
func (b *Bot) calendarSettings(ctx context.Context, r *Request) (string, []modelsButton, error) {
	if b.cfg.CalendarFeedURL == "" {
		return r.P.T("cal_settings_unavailable"), nil, nil
	}
	token, err := b.store.CalendarToken(ctx, r.User.ID)
	if err != nil {
		return "", nil, err
	}
	link := b.cfg.CalendarFeedURL + token + ".ics"
	_, rest, _ := strings.Cut(link, "://")
	return r.P.T("cal_settings_feed", "URL", link, "Webcal", "webcal://"+rest),
		[]modelsButton{button(r.P.T("btn_cal_new_link"), cb(cbCalNewLink))}, nil
}

// cbCalNewLink asks whether to replace the feed's link, below the
// settings: cfn.
func (b *Bot) cbCalNewLink(ctx context.Context, r *Request, _ []string) error {
	if b.cfg.CalendarFeedURL == "" {
		return b.answer(ctx, r, r.P.T("cal_feed_unavailable"), true)
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	_, err := b.send(ctx, r.ChatID, r.P.T("cal_new_link_ask"), keyboard{
		{button(r.P.T("btn_cal_new_link_yes"), cb(cbCalNewLinkYes)), button(r.P.T("btn_no"), cb(cbDismiss))}})
	return err
}

// cbCalNewLinkYes replaces the feed's link (one transaction: the old one
// opens nothing from then on) and shows the settings with the new one in
// place of the question: cfy.
func (b *Bot) cbCalNewLinkYes(ctx context.Context, r *Request, _ []string) error {
	if b.cfg.CalendarFeedURL == "" {
		return b.answer(ctx, r, r.P.T("cal_feed_unavailable"), true)
	}
	if _, err := b.store.NewCalendarToken(ctx, r.User.ID); err != nil {
		return err
	}
	if err := b.answer(ctx, r, r.P.T("cal_new_link_done"), false); err != nil {
		return err
	}
	text, kb, err := b.settingsView(ctx, r)
	if err != nil {
		return err
	}
	return b.reply(ctx, r, text, kb)
}
