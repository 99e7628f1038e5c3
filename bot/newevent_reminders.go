package bot

import (
	"context"
	"strings"
	"time"

	"vmeste/storage"
)

// An event may have no reminders at all. In the wizard's draft that is
// Reminders nil once the kind is chosen (choosing the kind fills in its
// defaults, so nil before it means "not asked yet"); a stored event with
// no Reminders gets none.

// noReminderWords are the answers to the reminders step that mean "none".
var noReminderWords = map[string]bool{
	"нет": true, "не надо": true, "не нужно": true, "не нужны": true, "без напоминаний": true,
	"не напоминать": true, "никаких": true, "0": true, "-": true, "—": true,
	"none": true, "no": true, "off": true, "no reminders": true,
}

// noReminders reports whether a typed answer to the reminders step means
// no reminders: "нет", "Нет.", "без напоминаний", "none".
func noReminders(text string) bool {
	s := strings.ToLower(strings.Join(strings.Fields(text), " "))
	return noReminderWords[strings.TrimRight(s, ".!")]
}

// draftReminders is what the draft's reminders are: its own, or the
// defaults of its kind while the kind has not been chosen.
func draftReminders(e storage.Event) []time.Duration {
	if e.Reminders == nil && e.Kind == "" {
		return storage.DefaultReminders(e.Kind)
	}
	return e.Reminders
}

// cbEventNoReminders is the reminders step's «Без напоминаний»: nrn.
func (b *Bot) cbEventNoReminders(ctx context.Context, r *Request, _ []string) error {
	d, step, ok := b.currentEventDraft(ctx, r, stepReminders)
	if !ok {
		return b.stale(ctx, r)
	}
	d.Event.Reminders = nil
	note := r.P.T("ne_preview_reminders", "Offsets", localesHTML(formatOffsets(r.P, nil)))
	if err := b.reply(ctx, r, note, keyboard{}); err != nil {
		return err
	}
	return b.goToStep(ctx, r, d, nextStep(d, step), true)
}
