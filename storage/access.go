package storage

import "slices"

// Who may do what to an event: one table, read by both faces of the bot
// (the chat, package bot, and the Mini App, package webapp), so that a
// rule is decided in one place. README.md, "Who may do what", renders the
// same table.

// Action is something a user does to an event.
type Action int

// Actions on an event.
const (
	ActSee          Action = iota // open the card, its regulations; share its link
	ActEdit                       // change any field
	ActParticipants               // see who signed up, with their personal data
	ActPublish                    // publish a draft
	ActCancel                     // cancel the event, or delete a draft
	ActAnnounce                   // broadcast to its participants
	ActMark                       // mark attendance and results
)

// Standing is who a user is to one event; StandingOf decides it.
type Standing int

// Standings, from the most rights to none.
const (
	StandAdmin       Standing = iota // named in the configuration
	StandOwner                       // a coordinator of the owning organisation, or the author of a published event
	StandCoorganiser                 // a coordinator of a co-organising organisation (one of Organisers)
	StandAuthor                      // the author of a draft
	StandOther                       // anyone else: teachers, coordinators of other organisations
	StandNone                        // anyone else, for a draft: a draft is seen by its author and admins only
)

// AccessRules is the table: for each action, which standings may take it.
// StandNone has no column: it may do nothing.
var AccessRules = map[Action][StandNone]bool{
	//               admin  owner  co-org author other
	ActSee:          {true, true, true, true, true},
	ActEdit:         {true, true, true, true, false},
	ActParticipants: {true, true, true, true, false},
	ActPublish:      {true, true, false, true, false},
	ActCancel:       {true, true, false, true, false},
	ActAnnounce:     {true, true, false, true, false},
	ActMark:         {true, true, false, true, false},
}

// IsCoordinator reports whether u, as stored, holds the coordinator role
// (admin says whether u is named in the configuration, which includes
// it). A coordinator whose role was revoked, or who has not finished
// registering, is not one.
func IsCoordinator(u User, admin bool) bool {
	return admin || (u.Role == RoleCoordinator && u.Registered)
}

// StandingOf is u's standing to e (admin: u is named in the
// configuration). Only admins and coordinators (the role, as now stored)
// have more than StandOther: a coordinator whose role was revoked keeps
// nothing. The author of a published event counts as its owner even after
// moving to another organisation.
func StandingOf(u User, admin bool, e Event) Standing {
	if admin {
		return StandAdmin
	}
	coordinator := IsCoordinator(u, false)
	author := coordinator && e.CreatedBy != 0 && e.CreatedBy == u.ID
	if e.Status == EventDraft {
		if author {
			return StandAuthor
		}
		return StandNone
	}
	switch {
	case author, coordinator && u.OrgID != 0 && u.OrgID == e.OwnerOrg:
		return StandOwner
	case coordinator && u.OrgID != 0 && slices.Contains(e.Organisers, u.OrgID):
		return StandCoorganiser
	}
	return StandOther
}

// May reports whether u (admin: named in the configuration) may take act
// on e, by AccessRules.
func May(u User, admin bool, act Action, e Event) bool {
	s := StandingOf(u, admin, e)
	return s < StandNone && AccessRules[act][s]
}
