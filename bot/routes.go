package bot

import "time"

// registerRoutes is the whole command surface of the bot: every command,
// every button and every wizard, with the role each needs. A teacher who
// sends a coordinator's command or forges a coordinator's button data is
// refused here, before any handler runs. Which events a coordinator's
// buttons may act on (their organisation's, a co-organised one's, their
// own drafts) is the table beside this one, storage.AccessRules (storage/access.go), which access.go reads.
func (b *Bot) registerRoutes() {
	b.commands = map[string]command{
		"start":        {role: roleNone, fn: b.cmdStart},
		"help":         {role: roleNone, fn: b.cmdHelp},
		"cancel":       {role: roleNone, fn: b.cmdCancel},
		"settings":     {role: roleNone, fn: b.cmdSettings},
		"profile":      {role: roleTeacher, fn: b.cmdProfile},
		"orgs":         {role: roleAdmin, fn: b.cmdOrgs},
		"invite":       {role: roleAdmin, fn: b.cmdInvite},
		"coordinators": {role: roleAdmin, fn: b.cmdCoordinators},
		"broadcast":    {role: roleCoordinator, fn: b.cmdBroadcast},
		"broadcasts":   {role: roleCoordinator, fn: b.cmdBroadcasts},
		"link":         {role: roleCoordinator, fn: b.cmdLink, inGroup: true},
		"events":       {role: roleNone, fn: b.cmdEvents},
		"my":           {role: roleTeacher, fn: b.cmdMy},
		"newevent":     {role: roleCoordinator, fn: b.cmdNewEvent},
		"drafts":       {role: roleCoordinator, fn: b.cmdDrafts},
		"myevents":     {role: roleCoordinator, fn: b.cmdMyEvents},
		"plan":         {role: roleCoordinator, fn: b.cmdPlan},
		"report":       {role: roleCoordinator, fn: b.cmdReport},
		// The person's rights (privacy.go): open to anyone the bot keeps
		// anything about.
		"mydata": {role: roleNone, fn: b.cmdMyData},
		"forget": {role: roleNone, fn: b.cmdForget},
		// Files out (export.go, export_period.go).
		"export": {role: roleCoordinator, fn: b.cmdExport},
		// Calendars (calendar.go).
		"calendar": {role: roleTeacher, fn: b.cmdCalendar},
		// The audit trail (audit.go): who changed what; personal data.
		"audit": {role: roleAdmin, fn: b.cmdAudit},
	}

	b.callbacks = map[string]callback{
		// Onboarding and /profile: language, organisation, position.
		cbPersonLang:     {roleNone, b.cbPersonLang},
		cbPersonOrg:      {roleNone, b.cbPersonOrg},
		cbPersonOrgPage:  {roleNone, b.cbPersonOrgPage},
		cbPersonPosition: {roleNone, b.cbPersonPosition},
		cbProfileEdit:    {roleTeacher, b.cbProfileEdit},
		// /settings.
		cbSettingsLang: {roleNone, b.cbSettingsLang},
		// /orgs.
		cbOrgList:          {roleAdmin, b.cbOrgList},
		cbOrgOpen:          {roleAdmin, b.cbOrgOpen},
		cbOrgAdd:           {roleAdmin, b.cbOrgAdd},
		cbOrgEdit:          {roleAdmin, b.cbOrgEdit},
		cbOrgKind:          {roleAdmin, b.cbOrgKind},
		cbOrgRemove:        {roleAdmin, b.cbOrgRemove},
		cbOrgRemoveConfirm: {roleAdmin, b.cbOrgRemoveConfirm},
		cbOrgImport:        {roleAdmin, b.cbOrgImport},
		cbOrgImportSave:    {roleAdmin, b.cbOrgImportSave},
		cbOrgImportDrop:    {roleAdmin, b.cbOrgImportDrop},
		cbOrgSkip:          {roleAdmin, b.cbOrgSkip},
		// /coordinators.
		cbCoordRevoke:        {roleAdmin, b.cbCoordRevoke},
		cbCoordRevokeConfirm: {roleAdmin, b.cbCoordRevokeConfirm},
		cbCoordBack:          {roleAdmin, b.cbCoordBack},
		cbInviteRevoke:       {roleAdmin, b.cbInviteRevoke},
		// /settings: announcements on or off.
		cbSettingsAnnouncements: {roleTeacher, b.cbSettingsAnnouncements},
		cbSettingsDigest:        {roleTeacher, b.cbSettingsDigest},
		// /broadcast and /broadcasts.
		cbBroadcastAudience: {roleCoordinator, b.cbBroadcastAudience},
		cbBroadcastKind:     {roleCoordinator, b.cbBroadcastKind},
		cbBroadcastOrg:      {roleCoordinator, b.cbBroadcastOrg},
		cbBroadcastOrgPage:  {roleCoordinator, b.cbBroadcastOrgPage},
		cbBroadcastDone:     {roleCoordinator, b.cbBroadcastDone},
		cbBroadcastSend:     {roleCoordinator, b.cbBroadcastSend},
		cbBroadcastDrop:     {roleCoordinator, b.cbBroadcastDrop},
		cbBroadcastStop:     {roleCoordinator, b.cbBroadcastStop},
		cbBroadcastBack:     {roleCoordinator, b.cbBroadcastBack},
		cbBroadcastEvents:   {roleCoordinator, b.cbBroadcastEvents},
		cbBroadcastAttach:   {roleCoordinator, b.cbBroadcastAttach},
		cbBroadcastDetach:   {roleCoordinator, b.cbBroadcastDetach},
		// Telling teachers about a published event.
		cbAnnounceAudience: {roleCoordinator, b.cbAnnounceAudience},
		cbAnnounceLater:    {roleCoordinator, b.cbAnnounceLater},
		cbEventTell:        {roleCoordinator, b.cbEventTell},
		// /events, the card, sign-up, /my. The list and the card are
		// public: a newcomer, or someone who refused consent, may look.
		cbEventList:        {roleNone, b.cbEventList},
		cbEventFilter:      {roleNone, b.cbEventFilter},
		cbEventCard:        {roleNone, b.cbEventCard},
		cbSignup:           {roleTeacher, b.cbSignup},
		cbTeamSize:         {roleTeacher, b.cbTeamSize},
		cbTeamNameSkip:     {roleTeacher, b.cbTeamNameSkip},
		cbSignupCancel:     {roleTeacher, b.cbSignupCancel},
		cbSignupCancelYes:  {roleTeacher, b.cbSignupCancelYes},
		cbDismiss:          {roleNone, b.cbDismiss},
		cbEventRegulations: {roleNone, b.cbEventRegulations},
		// /myevents: a coordinator's events, past included.
		cbMyEvents: {roleCoordinator, b.cbMyEvents},
		// The card, for coordinators.
		cbEventParticipants: {roleCoordinator, b.cbEventParticipants},
		cbEventApplications: {roleCoordinator, b.cbEventApplications},
		cbEventWorks:        {roleCoordinator, b.cbEventWorks},
		cbEventWorksZip:     {roleCoordinator, b.cbEventWorksZip},
		cbEventExport:       {roleCoordinator, b.cbEventExport},
		cbDaySheet:          {roleCoordinator, b.cbDaySheet},
		cbExportPeriod:      {roleCoordinator, b.cbExportPeriod},
		cbEventEdit:         {roleCoordinator, b.cbEventEdit},
		cbEventPublish:      {roleCoordinator, b.cbEventPublish},
		cbEventAnnounce:     {roleCoordinator, b.cbEventAnnounce},
		cbEventShare:        {roleCoordinator, b.cbEventShare},
		cbEventCancel:       {roleCoordinator, b.cbEventCancel},
		cbEventCancelYes:    {roleCoordinator, b.cbEventCancelYes},
		cbAttendance:        {roleCoordinator, b.cbAttendance},
		cbAttendanceToggle:  {roleCoordinator, b.cbAttendanceToggle},
		cbResults:           {roleCoordinator, b.cbResults},
		cbResultPick:        {roleCoordinator, b.cbResultPick},
		cbResultSet:         {roleCoordinator, b.cbResultSet},
		// /newevent and editing an event.
		cbEventSkip:          {roleCoordinator, b.cbEventSkip},
		cbEventNoReminders:   {roleCoordinator, b.cbEventNoReminders},
		cbEventKindPick:      {roleCoordinator, b.cbEventKindPick},
		cbEventOrgToggle:     {roleCoordinator, b.cbEventOrgToggle},
		cbEventOrgPage:       {roleCoordinator, b.cbEventOrgPage},
		cbEventOrgsDone:      {roleCoordinator, b.cbEventOrgsDone},
		cbEventUnit:          {roleCoordinator, b.cbEventUnit},
		cbEventFields:        {roleCoordinator, b.cbEventFields},
		cbEventField:         {roleCoordinator, b.cbEventField},
		cbEventBackToPreview: {roleCoordinator, b.cbEventBackToPreview},
		cbEventPublishNew:    {roleCoordinator, b.cbEventPublishNew},
		cbEventSaveDraft:     {roleCoordinator, b.cbEventSaveDraft},
		cbEventSave:          {roleCoordinator, b.cbEventSave},
		cbEventDrop:          {roleCoordinator, b.cbEventDrop},
		cbEventForm:          {roleCoordinator, b.cbEventForm},
		// /link in a group.
		cbLinkOrg:     {roleCoordinator, b.cbLinkOrg},
		cbLinkOrgPage: {roleCoordinator, b.cbLinkOrgPage},
		// One wizard at a time: the question when another would begin.
		cbWizardContinue: {roleNone, b.cbWizardContinue},
		cbWizardLeave:    {roleNone, b.cbWizardLeave},
		cbParkedResume:   {roleCoordinator, b.cbParkedResume},
		// Every prompt's way out (wizard_nav.go); the flow's own role is
		// checked against the wizard in progress.
		cbWizardCancel: {roleNone, b.cbWizardCancel},
		cbWizardBack:   {roleNone, b.cbWizardBack},
		cbWizardResume: {roleNone, b.cbWizardResume},
		cbTeamConfirm:  {roleTeacher, b.cbTeamConfirm},
		cbEventOpen:    {roleNone, b.cbEventOpen},
		// A missing organisation: the person asks, an admin decides
		// (orgrequest.go).
		cbPersonOrgMissing:    {roleNone, b.cbPersonOrgMissing},
		cbPersonOrgBack:       {roleNone, b.cbPersonOrgBack},
		cbOrgRequestAdd:       {roleAdmin, b.cbOrgRequestAdd},
		cbOrgRequestKind:      {roleAdmin, b.cbOrgRequestKind},
		cbOrgRequestMatch:     {roleAdmin, b.cbOrgRequestMatch},
		cbOrgRequestOrg:       {roleAdmin, b.cbOrgRequestOrg},
		cbOrgRequestRefuse:    {roleAdmin, b.cbOrgRequestRefuse},
		cbOrgRequestRefuseYes: {roleAdmin, b.cbOrgRequestRefuseYes},
		cbOrgRequestBack:      {roleAdmin, b.cbOrgRequestBack},
		// The application (apply.go) and its works (works.go).
		cbApplyConsent:   {roleTeacher, b.cbApplyConsent},
		cbApplyPending:   {roleTeacher, b.cbApplyPending},
		cbApplySize:      {roleTeacher, b.cbApplySize},
		cbApplyAddPupils: {roleTeacher, b.cbApplyAddPupils},
		cbApplyIsName:    {roleTeacher, b.cbApplyIsName},
		cbApplyOption:    {roleTeacher, b.cbApplyOption},
		cbApplySkip:      {roleTeacher, b.cbApplySkip},
		cbApplyKeep:      {roleTeacher, b.cbApplyKeep},
		cbApplySend:      {roleTeacher, b.cbApplySend},
		cbApplyEdit:      {roleTeacher, b.cbApplyEdit},
		cbApplySection:   {roleTeacher, b.cbApplySection},
		cbWorks:          {roleTeacher, b.cbWorks},
		cbWorkRemove:     {roleTeacher, b.cbWorkRemove},
		cbWorksDone:      {roleTeacher, b.cbWorksDone},
		// The menu under /help and under a message the bot did not
		// understand: each button runs its command (whose role is checked).
		cbMenu: {roleNone, b.cbMenu},
		// Consent, /forget's confirmation (consent.go, privacy.go), and
		// handing an event over to a colleague (handover.go): the author
		// and admins, checked there.
		cbConsent:      {roleNone, b.cbConsent},
		cbForgetYes:    {roleNone, b.cbForgetYes},
		cbHandOver:     {roleCoordinator, b.cbHandOver},
		cbHandOverPick: {roleCoordinator, b.cbHandOverPick},
		cbHandOverYes:  {roleCoordinator, b.cbHandOverYes},
		// The annual plan import (plan.go) and copying an event
		// (event_copy.go: may edit the source, checked there).
		cbPlanCreate:    {roleCoordinator, b.cbPlanCreate},
		cbPlanDrop:      {roleCoordinator, b.cbPlanDrop},
		cbEventCopy:     {roleCoordinator, b.cbEventCopy},
		cbEventCopyYear: {roleCoordinator, b.cbEventCopyYear},
		// The coverage report (report.go): coordinators see their
		// organisation's events, admins the district.
		cbReportMenu:   {roleCoordinator, b.cbReportMenu},
		cbReportPeriod: {roleCoordinator, b.cbReportPeriod},
		cbReportCut:    {roleCoordinator, b.cbReportCut},
		cbReportDates:  {roleCoordinator, b.cbReportDates},
		// Calendars (calendar.go): an event's file for whoever may see its
		// card; the feed's link is the user's own.
		cbEventCalendar: {roleNone, b.cbEventCalendar},
		cbCalNewLink:    {roleTeacher, b.cbCalNewLink},
		cbCalNewLinkYes: {roleTeacher, b.cbCalNewLinkYes},
		// Documents after an event (certificates.go): those who mark its
		// results issue them (actMark, checked there); a teacher gets
		// hers again.
		cbCerts:      {roleCoordinator, b.cbCerts},
		cbCertsIssue: {roleCoordinator, b.cbCertsIssue},
		cbCertsZip:   {roleCoordinator, b.cbCertsZip},
		cbCertsMine:  {roleTeacher, b.cbCertsMine},
		// The audit trail (audit.go): admins only.
		cbAuditPage:  {roleAdmin, b.cbAuditPage},
		cbAuditEntry: {roleAdmin, b.cbAuditEntry},
		cbAuditXLSX:  {roleAdmin, b.cbAuditXLSX},
	}

	// What works without consent to the processing of personal data
	// (consent.go): public event information, the way to give consent,
	// leaving a wizard, and the person's rights. Everything else waits
	// until a registered user agrees to the current text.
	b.consentFree = map[string]bool{
		wizardKey("start"): true, wizardKey("help"): true, wizardKey("cancel"): true, wizardKey("events"): true,
		wizardKey("mydata"): true, wizardKey("forget"): true,
		cbEventList: true, cbEventFilter: true, cbEventCard: true, cbEventOpen: true, cbEventRegulations: true, cbEventCalendar: true,
		cbConsent: true, cbForgetYes: true, cbDismiss: true, cbMenu: true, cbWizardCancel: true,
	}

	// The commands and buttons that begin a wizard, with when they do (nil:
	// always). Begun while another wizard is in progress, they are held and
	// the user is asked: continue that one, or leave it (wizard.go).
	b.wizardStarts = map[string]startsWizard{
		wizardKey("newevent"):  nil,
		wizardKey("broadcast"): nil,
		wizardKey("plan"):      nil,
		cbEventCopy:            nil,
		cbProfileEdit:          nil,
		cbOrgAdd:               nil,
		cbOrgEdit:              orgEditStarts,
		cbOrgImport:            nil,
		cbEventEdit:            nil,
		cbEventAnnounce:        nil,
		cbAnnounceAudience:     nil,
		cbSignup:               b.signupStarts,
		cbParkedResume:         nil,
		cbApplySection:         nil,
		cbWorks:                nil,
		cbExportPeriod:         exportStarts,
		cbReportDates:          nil,
	}

	b.flows = map[string]flow{
		flowOnboarding: {role: roleNone, onText: b.personText, resume: b.resumePerson, back: b.backPerson},
		flowProfile:    {role: roleTeacher, ttl: shortWizard, onText: b.personText, resume: b.resumePerson},
		flowOrgAdd:     {role: roleAdmin, ttl: shortWizard, onText: b.orgAddText, resume: b.resumeOrgAdd, back: b.backOrgAdd},
		flowOrgEdit:    {role: roleAdmin, ttl: shortWizard, onText: b.orgEditText, resume: b.resumeOrgEdit},
		flowPlan:       {role: roleCoordinator, ttl: longWizard, onMessage: b.planMessage, resume: b.resumePlan},
		flowEventCopy:  {role: roleCoordinator, ttl: shortWizard, onText: b.eventCopyText, resume: b.resumeEventCopy},
		flowOrgImport:  {role: roleAdmin, ttl: longWizard, onText: b.orgImportText, onDocument: b.orgImportDocument, resume: b.resumeOrgImport},
		flowBroadcast:  {role: roleCoordinator, ttl: longWizard, onMessage: b.broadcastMessage, resume: b.resumeBroadcast},
		flowEvent: {role: roleCoordinator, ttl: weekWizard, onMessage: b.eventMessage, resume: b.resumeEvent,
			back: b.backEvent, describe: b.describeEvent, leave: b.leaveEvent},
		flowSignup: {role: roleTeacher, ttl: shortWizard, onText: b.signupText, resume: b.resumeSignup, back: b.backSignup},
		// A teacher may take her time over an application: she collects
		// the pupils' list and the works.
		flowApply: {role: roleTeacher, ttl: longWizard, onMessage: b.applyMessage, resume: b.resumeApply, back: b.backApply,
			describe: describeApply},
		flowWorks: {role: roleTeacher, ttl: shortWizard, onMessage: b.worksMessage, resume: b.resumeWorks, describe: describeWorks,
			replaceable: true},
		flowExport: {role: roleCoordinator, ttl: shortWizard, onText: b.exportText, resume: b.resumeExport},
		flowReport: {role: roleCoordinator, ttl: shortWizard, onText: b.reportDatesText, resume: b.resumeReport, replaceable: true},
	}
}

// How long an untouched wizard lasts: a one-field edit is forgotten after
// an hour, so that a later "Добрый день" does not become someone's name; a
// broadcast or an import waiting for its file or confirmation, after a day.
const (
	shortWizard = time.Hour
	longWizard  = 24 * time.Hour
	// An event being prepared may wait for a week: a coordinator collects
	// the details from partners.
	weekWizard = 7 * 24 * time.Hour
)

// menus lists, per role, the commands shown in Telegram's menu and in
// /help, in order. A role sees its own and those of the roles below it.
var menus = map[role][]string{
	roleNone:        {"start", "events", "settings", "help"},
	roleTeacher:     {"events", "my", "calendar", "profile", "settings", "help", "cancel", "mydata", "forget"},
	roleCoordinator: {"newevent", "myevents", "drafts", "plan", "broadcast", "broadcasts", "export", "report"},
	roleAdmin:       {"orgs", "invite", "coordinators", "audit"},
}

// menuFor returns the commands a role sees.
func menuFor(rl role) []string {
	if rl == roleNone {
		return menus[roleNone]
	}
	var out []string
	for r := roleTeacher; r <= rl; r++ {
		out = append(out, menus[r]...)
	}
	return out
}
