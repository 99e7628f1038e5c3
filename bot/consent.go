package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"vmeste/locales"
	"vmeste/storage"
)

// Consent to the processing of personal data. Onboarding asks for it
// before the name; the answer, its time and the version of the text are
// stored (storage.User.Consents). The version is a short hash of the text
// in every language with the operator's name in it, so a changed text or
// operator asks everyone again.
//
// Without consent given to the current version only public event
// information works (the list, the cards, the regulations), with /help,
// /start (the way to give it) and the person's rights, /mydata and
// /forget: routes.go lists them (consentFree). Anything else from a
// registered user is held while the consent is asked, and runs once they
// agree; an unregistered person who refused is told how to give it.

const (
	// stepConsent is onboarding's question about consent, after the
	// language and before the name.
	stepConsent = "consent"
	// flowConsent holds a registered user's request while the changed
	// consent is asked (Conversation.Interrupted); it is not a wizard
	// (no entry in Bot.flows), so nothing else treats it as one.
	flowConsent = "consent"
)

// ConsentVersion is the version of the consent's text for operator: the
// first 8 hex digits of SHA-256 over the text in every language, in
// order. Package main's tests use it to seed users who have agreed.
func ConsentVersion(c *locales.Catalog, operator string) string {
	h := sha256.New()
	for _, lang := range locales.Languages {
		h.Write([]byte(lang + "\x00" + c.For(lang).T("consent_text", "Operator", operator) + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil))[:8]
}

// consented reports whether u agreed to the current text.
func (b *Bot) consented(u storage.User) bool { return u.ConsentGiven(b.consentVersion) }

// consentText is the request for consent with its buttons (cs:<y|n>:<version>).
func (b *Bot) consentText(r *Request) string {
	return r.P.T("consent_text", "Operator", b.cfg.Operator)
}

func (b *Bot) consentButtons(r *Request) keyboard {
	return keyboard{
		{button(r.P.T("btn_consent_yes"), cb(cbConsent, "y", b.consentVersion))},
		{button(r.P.T("btn_consent_no"), cb(cbConsent, "n", b.consentVersion))},
	}
}

// consentGate runs before a command (request "/name args"), a button
// (request is its data) or a wizard's message (request ""), unless what
// it runs is consentFree. It reports whether the request must wait: the
// user has not agreed to the current text and has been asked (a
// registered user; their request is held and runs when they agree) or
// told how to agree (anyone else who has answered before). A newcomer who
// was never asked, and a person in onboarding, pass: onboarding asks.
func (b *Bot) consentGate(ctx context.Context, r *Request, free bool, request string) (blocked bool, err error) {
	if free || !r.Private() || r.From == nil || b.consented(r.User) {
		return false, nil
	}
	if !r.User.Registered {
		if _, answered := r.User.Consent(); !answered {
			return false, nil
		}
		c, err := b.store.Conversation(ctx, r.User.ID)
		switch {
		case err == nil && c.Flow == flowOnboarding:
			return false, nil
		case err != nil && !storage.IsNotFound(err):
			return true, err
		}
		return true, b.tell(ctx, r, r.P.T("consent_needed"))
	}
	return true, b.askConsent(ctx, r, request)
}

// askConsent asks a registered user for consent to the current text,
// holding request (if any, and if no wizard is in progress: a wizard is
// shown again at its step instead) to run once they agree.
func (b *Bot) askConsent(ctx context.Context, r *Request, request string) error {
	if request != "" {
		if _, _, busy, err := b.wizardInProgress(ctx, r); err != nil {
			return err
		} else if !busy {
			c := storage.Conversation{Flow: flowConsent, Step: stepConsent, Interrupted: request, InterruptedBy: r.Update.ID}
			if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
				return err
			}
		}
	}
	if err := b.answer(ctx, r, r.P.T("consent_first"), false); err != nil {
		return err
	}
	_, err := b.send(ctx, r.ChatID, r.P.T("consent_changed")+"\n\n"+b.consentText(r), b.consentButtons(r))
	return err
}

// cbConsent records the answer to the request for consent:
// cs:<y|n>:<version>. A button drawn for another version of the text
// (the operator or the text changed since) records nothing and shows the
// current one.
func (b *Bot) cbConsent(ctx context.Context, r *Request, args []string) error {
	if len(args) != 2 || (args[0] != "y" && args[0] != "n") {
		return b.stale(ctx, r)
	}
	if args[1] != b.consentVersion {
		if err := b.answer(ctx, r, r.P.T("consent_text_changed"), true); err != nil {
			return err
		}
		return b.reply(ctx, r, b.consentText(r), b.consentButtons(r))
	}
	given := args[0] == "y"
	answer := storage.Consent{Version: b.consentVersion, Given: given, At: b.cfg.Now()}
	if err := b.store.SetConsent(ctx, r.User.ID, answer); err != nil {
		return err
	}
	r.User.Consents = append(r.User.Consents, answer)
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	switch {
	case err == nil && c.Flow == flowOnboarding:
		return b.consentInOnboarding(ctx, r, c, given)
	case !given:
		if err == nil && c.Flow == flowConsent {
			if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
				return err
			}
		}
		key := "consent_refused"
		if r.User.Registered {
			key = "consent_refused_registered"
		}
		return b.reply(ctx, r, r.P.T(key), keyboard{})
	case !r.User.Registered:
		// Agreed outside onboarding (an old question, or after refusing):
		// registration goes on from the name.
		c = personConv(stepName, personData{}, flowOnboarding)
		if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
			return err
		}
		if err := b.reply(ctx, r, r.P.T("consent_given"), keyboard{}); err != nil {
			return err
		}
		return b.promptPersonStep(ctx, r, c)
	}
	if err := b.reply(ctx, r, r.P.T("consent_thanks"), keyboard{}); err != nil {
		return err
	}
	if err == nil && c.Flow == flowConsent {
		if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
			return err
		}
		if c.Interrupted == "" || b.cfg.Now().Sub(c.UpdatedAt) > shortWizard {
			return nil
		}
		if strings.HasPrefix(c.Interrupted, "/") {
			return b.replay(ctx, asTyped(r), c.Interrupted)
		}
		return b.replay(ctx, r, c.Interrupted)
	}
	if c, f, busy, err := b.wizardInProgress(ctx, r); err != nil || !busy {
		return err
	} else if f.resume != nil {
		return f.resume(ctx, r, c)
	}
	return nil
}

// consentInOnboarding goes on with onboarding after the answer: to the
// name when agreed (or back to the step it was at), out of it when not.
func (b *Bot) consentInOnboarding(ctx context.Context, r *Request, c storage.Conversation, given bool) error {
	if !given {
		if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
			return err
		}
		return b.reply(ctx, r, r.P.T("consent_refused"), keyboard{})
	}
	if c.Step == stepConsent {
		c = personConv(stepName, decodePerson(c), c.Flow)
		if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
			return err
		}
	}
	if err := b.reply(ctx, r, r.P.T("consent_given"), keyboard{}); err != nil {
		return err
	}
	return b.promptPersonStep(ctx, r, c)
}
