package bot

import (
	"testing"

	"vmeste/locales"
	"vmeste/storage"
)

// TestDynamicKeysExist checks the message keys the bot builds at run time
// (literal keys are checked by the locales package's tests).
func TestDynamicKeysExist(t *testing.T) {
	c, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, k := range storage.OrgKinds {
		keys = append(keys, "kind_"+string(k))
	}
	for _, k := range storage.EventKinds {
		keys = append(keys, "ekind_"+string(k))
	}
	for _, s := range eventSteps {
		keys = append(keys, "field_"+s)
	}
	for _, st := range []storage.EventStatus{storage.EventDraft, storage.EventPublished, storage.EventCancelled, storage.EventFinished} {
		keys = append(keys, "card_status_"+string(st))
	}
	for _, code := range resultCodes {
		if code != "" {
			keys = append(keys, "result_"+code)
		}
	}
	for _, reg := range []storage.Registration{{State: storage.RegWaitlist}, {Result: storage.ResultFirst}, {}} {
		keys = append(keys, myOutcomeKey(reg))
	}
	for _, st := range []storage.BroadcastState{storage.BroadcastRunning, storage.BroadcastStopped, storage.BroadcastDone} {
		keys = append(keys, "broadcast_state_"+string(st))
	}
	for _, k := range []daySheetKind{daySheetSignIn, daySheetProtocol} {
		keys = append(keys, "daysheet_title_"+string(k), "daysheet_file_"+string(k), "daysheet_preparing_"+string(k),
			"daysheet_caption_"+string(k))
	}
	for rl := roleNone; rl <= roleAdmin; rl++ {
		for _, name := range menuFor(rl) {
			keys = append(keys, "cmd_"+name)
		}
	}
	for name := range b0().commands {
		keys = append(keys, "cmd_"+name)
	}
	for i := 0; i < positionCount; i++ {
		keys = append(keys, positionKey(i))
	}
	for _, step := range []string{stepOrgName, stepOrgShort, stepOrgContact} {
		keys = append(keys, "org_ask_"+step)
	}
	for _, reason := range pupilProblemReasons {
		keys = append(keys, "apply_pupil_problem_"+reason)
	}
	for _, reason := range workRefusals {
		keys = append(keys, "apply_works_refused_"+reason)
	}
	for _, k := range []storage.WorkKind{storage.WorkPhoto, storage.WorkDocument, storage.WorkVideo} {
		keys = append(keys, "work_kind_"+string(k), "zip_kind_"+string(k))
	}
	keys = append(keys, "apply_answered_asked", "apply_line_answer_asked")
	for _, k := range storage.CertificateKinds {
		keys = append(keys, "cert_count_"+string(k), "cert_notice_"+string(k), "cert_kind_"+string(k))
	}
	for name := range b0().flows {
		keys = append(keys, "wizard_flow_"+name)
	}
	keys = append(keys, auditKeys()...)
	for _, lang := range locales.Languages {
		for _, k := range keys {
			if _, ok := c.Raw(lang, k); !ok {
				t.Errorf("%s: key %q missing", lang, k)
			}
		}
	}
}

// b0 is a Bot with its routes, for tests that read them.
func b0() *Bot {
	b := &Bot{}
	b.registerRoutes()
	return b
}
