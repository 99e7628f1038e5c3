package bot

import "vmeste/storage"

// agreed is the consent of a user seeded straight into the store, given
// to the bot's current text, so that the consent's gate lets them through.
func (h *harness) agreed() []storage.Consent {
	return []storage.Consent{{Version: h.bot.consentVersion, Given: true, At: h.clock.Now()}}
}
