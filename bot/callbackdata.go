package bot

import (
	"strconv"
	"strings"
)

// Callback data is "prefix:arg:arg…", ASCII only, at most 64 bytes: ids, not
// words. Prefixes are two or three letters; the handler validates its args.
const (
	cbPersonLang            = "pl"  // pl:<lang>
	cbPersonOrg             = "po"  // po:<org id>
	cbPersonOrgPage         = "pp"  // pp:<page>
	cbPersonPosition        = "ps"  // ps:<position index>
	cbProfileEdit           = "pe"  // pe:<n|o|p>
	cbSettingsLang          = "sl"  // sl:<lang>
	cbOrgList               = "ol"  // ol:<page>
	cbOrgOpen               = "oo"  // oo:<org id>
	cbOrgAdd                = "oa"  // oa
	cbOrgEdit               = "oe"  // oe:<org id>:<n|s|c>
	cbOrgKind               = "ok"  // ok:<org id or 0 for the add wizard>:<kind index>
	cbOrgRemove             = "or"  // or:<org id>
	cbOrgRemoveConfirm      = "ory" // ory:<org id>
	cbOrgImport             = "oi"  // oi
	cbOrgImportSave         = "ois" // ois
	cbOrgImportDrop         = "oid" // oid
	cbOrgSkip               = "osk" // osk: skip the contact in the add wizard
	cbCoordRevoke           = "cr"  // cr:<user id>
	cbCoordRevokeConfirm    = "cry" // cry:<user id>
	cbCoordBack             = "cb"  // cb: back to /coordinators
	cbSettingsAnnouncements = "sa"  // sa:<on|off>
	cbSettingsDigest        = "sd"  // sd:<on|off>
	cbBroadcastAudience     = "ba"  // ba:<all|kinds|orgs|groups>
	cbBroadcastKind         = "bk"  // bk:<kind index>: toggle
	cbBroadcastOrg          = "bo"  // bo:<org id>:<page>: toggle
	cbBroadcastOrgPage      = "bp"  // bp:<page>
	cbBroadcastDone         = "bd"  // bd: the audience is chosen
	cbBroadcastSend         = "bs"  // bs: send
	cbBroadcastDrop         = "bx"  // bx: cancel
	cbBroadcastStop         = "bt"  // bt:<broadcast id>
	cbLinkOrg               = "lo"  // lo:<org id>
	cbLinkOrgPage           = "lp"  // lp:<page>
	cbEventList             = "el"  // el:<page>:<kind index|x>
	cbEventFilter           = "ef"  // ef:<kind index|x>
	cbEventCard             = "ec"  // ec:<id>[:<page>:<kind>]
	cbSignup                = "ss"  // ss:<event id>
	cbTeamSize              = "sz"  // sz:<n>
	cbTeamNameSkip          = "sn"  // sn
	cbSignupCancel          = "sc"  // sc:<event id>: asks
	cbSignupCancelYes       = "scy" // scy:<event id>
	cbDismiss               = "dx"  // dx: "No" to a question
	cbEventRegulations      = "er"  // er:<id>
	cbEventParticipants     = "ep"  // ep:<id>:<page>
	cbEventEdit             = "ee"  // ee:<id>
	cbEventPublish          = "eu"  // eu:<id>
	cbEventAnnounce         = "ea"  // ea:<id>
	cbEventShare            = "eh"  // eh:<id>
	cbEventCancel           = "ex"  // ex:<id>: asks
	cbEventCancelYes        = "exy" // exy:<id>
	cbAttendance            = "et"  // et:<id>:<page>
	cbAttendanceToggle      = "ett" // ett:<id>:<user>:<page>
	cbResults               = "ew"  // ew:<id>:<page>
	cbResultPick            = "ewp" // ewp:<id>:<user>:<page>
	cbResultSet             = "ews" // ews:<id>:<user>:<result index>:<page>
	cbEventSkip             = "nsk" // nsk: skip an optional step
	cbEventKindPick         = "nk"  // nk:<kind index>
	cbEventOrgToggle        = "no"  // no:<org id>:<page>
	cbEventOrgPage          = "np"  // np:<page>
	cbEventOrgsDone         = "nd"  // nd
	cbEventUnit             = "nu"  // nu:<i|t>
	cbEventFields           = "nfl" // nfl: which field to edit
	cbEventField            = "nf"  // nf:<step index>
	cbEventBackToPreview    = "nb"  // nb
	cbEventPublishNew       = "npb" // npb
	cbEventSaveDraft        = "ndr" // ndr
	cbEventSave             = "nsv" // nsv: save an edited event
	cbEventDrop             = "nx"  // nx
	cbInviteRevoke          = "ir"  // ir:<code>
)

// maxCallbackData is Telegram's limit on callback_data, in bytes.
const maxCallbackData = 64

// cb builds callback data from a prefix and args.
func cb(prefix string, args ...any) string {
	var sb strings.Builder
	sb.WriteString(prefix)
	for _, a := range args {
		sb.WriteByte(':')
		switch v := a.(type) {
		case string:
			sb.WriteString(v)
		case int:
			sb.WriteString(strconv.Itoa(v))
		case int64:
			sb.WriteString(strconv.FormatInt(v, 10))
		}
	}
	return sb.String()
}

// decodeCallback splits data into its prefix and args. Data longer than
// Telegram allows or not printable ASCII decodes to an empty prefix, which
// no handler has.
func decodeCallback(data string) (prefix string, args []string) {
	if len(data) == 0 || len(data) > maxCallbackData {
		return "", nil
	}
	for i := 0; i < len(data); i++ {
		if data[i] < 0x21 || data[i] > 0x7e {
			return "", nil
		}
	}
	parts := strings.Split(data, ":")
	return parts[0], parts[1:]
}

// argID parses args[i] as a positive id.
func argID(args []string, i int) (int64, bool) {
	if i >= len(args) {
		return 0, false
	}
	v, err := strconv.ParseInt(args[i], 10, 64)
	if err != nil || v <= 0 {
		return 0, false
	}
	return v, true
}

// argIndex parses args[i] as an index in [0, n).
func argIndex(args []string, i, n int) (int, bool) {
	if i >= len(args) {
		return 0, false
	}
	v, err := strconv.Atoi(args[i])
	if err != nil || v < 0 || v >= n {
		return 0, false
	}
	return v, true
}
