package bot

import (
	"strconv"
	"strings"
)

// Callback data is "prefix[:arg…]": printable ASCII without spaces, at most
// 64 bytes, so args are ids, indexes and short codes, never a user's text.
// Prefixes are two or three letters; each handler validates the args it
// uses. Below, each prefix's format as built and accepted: optional parts
// in [ ], alternatives separated by |.
const (
	cbPersonLang            = "pl"  // pl:<lang>
	cbPersonOrg             = "po"  // po:<org id>
	cbPersonOrgPage         = "pp"  // pp:<page>[:x] (x: show all, dropping the filter)
	cbPersonPosition        = "ps"  // ps:<position index>
	cbProfileEdit           = "pe"  // pe:<n|o|p>
	cbSettingsLang          = "sl"  // sl:<lang>
	cbOrgList               = "ol"  // ol:<page>
	cbOrgOpen               = "oo"  // oo:<org id>
	cbOrgAdd                = "oa"  // oa
	cbOrgEdit               = "oe"  // oe:<org id>:<n|s|k|c>
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
	cbBroadcastOrgPage      = "bp"  // bp:<page>[:x] (x: show all, dropping the filter)
	cbBroadcastDone         = "bd"  // bd: the audience is chosen
	cbBroadcastSend         = "bs"  // bs:<source message id>: send
	cbBroadcastDrop         = "bx"  // bx: cancel
	cbBroadcastStop         = "bt"  // bt:<broadcast id>
	cbBroadcastBack         = "bb"  // bb: back to choosing the audience
	cbBroadcastEvents       = "be"  // be:<page>: the events whose «Записаться» may go under the broadcast
	cbBroadcastAttach       = "bea" // bea:<event id>: put its «Записаться» under the broadcast
	cbBroadcastDetach       = "bed" // bed: no «Записаться» under the broadcast
	cbAnnounceAudience      = "bn"  // bn:<event id>:<all|kinds|orgs|groups>: announce the event to teachers
	cbAnnounceLater         = "bnl" // bnl:<event id>: not now
	cbEventTell             = "etl" // etl:<event id>: «Сообщить педагогам?»
	cbLinkOrg               = "lo"  // lo:<org id>
	cbLinkOrgPage           = "lp"  // lp:<page>
	cbEventList             = "el"  // el:<page>:<kind index|x>[:p] (p: the past events)
	cbEventFilter           = "ef"  // ef:<kind index|x>[:p]
	cbEventCard             = "ec"  // ec:<event id>[:<page>:<kind index|x>[:<p|m>]] (the list to go back to: upcoming, p past, m /myevents)
	cbMyEvents              = "mye" // mye:<page>: /myevents
	cbEventOpen             = "eo"  // eo:<event id>: the card as a new message (a notice's button; the notice stays)
	cbSignup                = "ss"  // ss:<event id>
	cbTeamSize              = "sz"  // sz:<event id>:<team size>
	cbTeamNameSkip          = "sn"  // sn:<event id>
	cbTeamConfirm           = "sf"  // sf:<event id>: send the team's application as read back
	cbSignupCancel          = "sc"  // sc:<event id>:<c|w> (the sign-up's state the button was drawn for): asks
	cbSignupCancelYes       = "scy" // scy:<event id>:<c|w>
	cbDismiss               = "dx"  // dx: "No" to a question
	cbEventRegulations      = "er"  // er:<event id>
	cbEventParticipants     = "ep"  // ep:<event id>:<page>
	cbEventApplications     = "ap"  // ap:<event id>:<page>: «📋 Заявки»
	cbEventWorks            = "wk"  // wk:<event id>: the works into the chat
	cbEventWorksZip         = "wz"  // wz:<event id>: the works as a ZIP
	cbEventExport           = "xe"  // xe:<event id>[:c]: the participants as XLSX (c: as CSV)
	cbDaySheet              = "ds"  // ds:<event id>:<s|p>: the sign-in sheet (s) or the results protocol (p), as PDF and XLSX
	cbExportPeriod          = "xp"  // xp:<y|yp|q|qp|m|mp|d>: /export's period (d: two dates typed)
	cbEventEdit             = "ee"  // ee:<event id>
	cbEventPublish          = "eu"  // eu:<event id>
	cbEventAnnounce         = "ea"  // ea:<event id>
	cbEventShare            = "eh"  // eh:<event id>
	cbEventCancel           = "ex"  // ex:<event id>: asks (to cancel, or to delete a draft)
	cbEventCancelYes        = "exy" // exy:<event id>
	cbAttendance            = "et"  // et:<event id>:<page>
	cbAttendanceToggle      = "ett" // ett:<event id>:<user id>:<page>
	cbResults               = "ew"  // ew:<event id>:<page>
	cbResultPick            = "ewp" // ewp:<event id>:<user id>:<page>
	cbResultSet             = "ews" // ews:<event id>:<user id>:<result index>:<page>
	cbEventSkip             = "nsk" // nsk:<step name>: skip an optional step (or keep the reminders)
	cbEventNoReminders      = "nrn" // nrn: the event gets no reminders
	cbEventKindPick         = "nk"  // nk:<kind index>
	cbEventOrgToggle        = "no"  // no:<org id>:<page>
	cbEventOrgPage          = "np"  // np:<page>[:x] (x: show all, dropping the filter)
	cbEventOrgsDone         = "nd"  // nd
	cbEventUnit             = "nu"  // nu:<i|t>
	cbEventFields           = "nfl" // nfl: which field to edit
	cbEventField            = "nf"  // nf:<step index>
	cbEventBackToPreview    = "nb"  // nb
	cbEventPublishNew       = "npb" // npb
	cbEventSaveDraft        = "ndr" // ndr
	cbEventSave             = "nsv" // nsv: save an edited event
	cbEventDrop             = "nx"  // nx
	cbEventForm             = "naf" // naf:<action>[:<arg>]: a button of the event wizard's «Заявка» screens (newevent_form.go, formActions)
	cbInviteRevoke          = "ir"  // ir:<code>
	cbWizardContinue        = "wc"  // wc:<update id of the held request>: back to the wizard in progress
	cbWizardLeave           = "wl"  // wl:<update id of the held request>: leave it, run the held request
	cbParkedResume          = "dr"  // dr:<parked seq>: continue a parked event draft
	cbWizardCancel          = "wx"  // wx:<flow>: leave the wizard in progress, as /cancel does
	cbWizardBack            = "wb"  // wb:<flow>:<step>: back from that step to the one before
	cbWizardResume          = "wr"  // wr:<flow>: show the wizard in progress at its step again
	cbPersonOrgMissing      = "pn"  // pn[:n]: my organisation is not in the list: asks its name (n: below a notice, as a new message)
	cbPersonOrgBack         = "pb"  // pb[:n]: back to the organisation list (n: below a notice, as a new message)
	cbOrgRequestAdd         = "qa"  // qa:<request id>: asks the kind of the organisation to add
	cbOrgRequestKind        = "qk"  // qk:<request id>:<kind index>: adds it with that kind
	cbOrgRequestMatch       = "qm"  // qm:<request id>:<page>: asks which listed organisation it is
	cbOrgRequestOrg         = "qo"  // qo:<request id>:<org id>: it is this one
	cbOrgRequestRefuse      = "qx"  // qx:<request id>: asks
	cbOrgRequestRefuseYes   = "qxy" // qxy:<request id>
	cbOrgRequestBack        = "qb"  // qb:<request id>: back to the request
	cbMenu                  = "mn"  // mn:<command name>: runs a command of the user's menu
	cbConsent               = "cs"  // cs:<y|n>:<consent version>: the answer to the request for consent
	cbForgetYes             = "fy"  // fy: erase my data (/forget's confirmation)
	cbHandOver              = "eho" // eho:<event id>: whom to hand the event over to
	cbHandOverPick          = "ehp" // ehp:<event id>:<user id>: asks
	cbHandOverYes           = "ehy" // ehy:<event id>:<user id>: hands it over
	// The application wizard (apply.go) and the works (works.go).
	cbApplyConsent   = "apc" // apc:<event id>: the school holds the parents' consent
	cbApplyPending   = "apl" // apl:<event id>: go on with the pupils read, leaving the lines not read
	cbApplySize      = "apz" // apz:<event id>:<team size>
	cbApplyAddPupils = "apa" // apa:<event id>: the text typed at the name step is more pupils: add them
	cbApplyIsName    = "apn" // apn:<event id>: it is the team's name
	cbApplyOption    = "apo" // apo:<event id>:<question id>:<option index> (yes/no: 0 yes, 1 no)
	cbApplySkip      = "apk" // apk:<event id>:<step>: skip an optional step (no name, no phone, no answer, works later)
	cbApplyKeep      = "apv" // apv:<event id>:<step>: keep the answer the step holds
	cbApplySend      = "apf" // apf:<event id>: send the application as read back (or save the section changed)
	cbApplyEdit      = "ape" // ape:<event id>: the teacher's application with a button per section
	cbApplySection   = "aps" // aps:<event id>:<p|t|q>: change the pupils, the phone or the answers
	cbWorks          = "awk" // awk:<event id>: the application's works, to add and remove
	cbWorkRemove     = "awr" // awr:<event id>:<file unique id>
	cbWorksDone      = "awd" // awd:<event id>: no more works now
	// The annual plan import (plan.go) and copying an event (event_copy.go).
	cbPlanCreate    = "pli" // pli: create the drafts read from the plan file
	cbPlanDrop      = "plx" // plx: create nothing
	cbEventCopy     = "ecp" // ecp:<event id>: «🔁 Повторить»: asks when
	cbEventCopyYear = "ecy" // ecy:<event id>: the copy a year (or years) ahead

	// The coverage report (report.go). A period is y<year> (the school
	// year from 1 September), q<year>-<1..4>, m<year>-<MM> or
	// d<YYYYMMDD>-<YYYYMMDD> (both days included).
	cbReportMenu   = "rpm" // rpm:<q|m|p>: the quarters, the months, the main choices
	cbReportPeriod = "rpp" // rpp:<period>
	cbReportCut    = "rpc" // rpc:<a|k|o>:<period>: by agency, kind of event, organisation
	cbReportDates  = "rpd" // rpd: type two dates

	// Calendars (calendar.go).
	cbEventCalendar = "ecl" // ecl:<event id>: the event as an .ics file
	cbCalNewLink    = "cfn" // cfn: asks whether to replace the calendar feed's link
	cbCalNewLinkYes = "cfy" // cfy: replaces it
	// Documents (certificates.go, certificates_zip.go). A mask is the
	// chosen kinds as bits, in storage.CertificateKinds order (0–15).
	cbCerts      = "cd"  // cd:<event id>[:<mask>]: «🏅 Документы» (no mask: every kind)
	cbCertsIssue = "cdi" // cdi:<event id>:<mask>: issue the chosen kinds
	cbCertsZip   = "cdz" // cdz:<event id>: every valid document as a ZIP
	cbCertsMine  = "cdm" // cdm:<event id>: a teacher's own documents of the event, again

	// The audit trail (audit.go). <filter>: a (all), e<event id>, u<user id>, o<org id>.
	cbAuditPage  = "au" // au:<filter>:<page>
	cbAuditEntry = "ai" // ai:<entry key, 32 hex>:<filter>:<page>: one entry, with its filters
	cbAuditXLSX  = "ax" // ax:<filter>: the filter's entries as XLSX
)

// maxCallbackData is Telegram's limit on callback_data, in bytes.
const maxCallbackData = 64

// cb builds callback data from a prefix and args, each after a colon. An
// arg is a string, an int or an int64 (any other type leaves it empty); the
// length is not checked against maxCallbackData.
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

// decodeCallback splits data at its colons into the prefix and the args
// (args may be empty strings). Data that is empty, longer than Telegram
// allows, or holds a space or any byte outside printable ASCII decodes to
// an empty prefix and nil args; no handler has the empty prefix.
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

// argParticipant parses args[i] as a participant's user id: a Telegram
// id (positive) or the anonymous id of a registration kept after /forget
// (negative).
func argParticipant(args []string, i int) (int64, bool) {
	if i >= len(args) {
		return 0, false
	}
	v, err := strconv.ParseInt(args[i], 10, 64)
	if err != nil || v == 0 {
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
