package bot

import (
	"github.com/go-telegram/bot/models"

	"vmeste/locales"
	"vmeste/storage"
)

// role orders what a user may do: each role may do all that the ones below
// it may.
type role int

const (
	roleNone        role = iota // anyone, registered or not
	roleTeacher                 // a registered user
	roleCoordinator             // a coordinator (or admin)
	roleAdmin                   // named in the configuration
)

// Request is one update on its way through the middleware to a handler.
type Request struct {
	Update *models.Update
	From   *models.User
	// ChatID is the chat to answer in.
	ChatID   int64
	ChatType models.ChatType
	// User is the stored user (created on first contact).
	User  storage.User
	Admin bool
	P     locales.Printer
	// Handler names what handled the update, for the log line.
	Handler string

	answered bool
	// refused: the user's role or standing did not allow the action
	// (counted in the metrics).
	refused bool
	// apologised: the user has been told that the action failed (once).
	apologised bool
}

// Role is the user's effective role.
func (r *Request) Role() role {
	switch {
	case r.Admin:
		return roleAdmin
	case r.User.Role == storage.RoleCoordinator && r.User.Registered:
		return roleCoordinator
	case r.User.Registered:
		return roleTeacher
	}
	return roleNone
}

// Private reports whether the update came from a private chat.
func (r *Request) Private() bool { return r.ChatType == models.ChatTypePrivate }

// Message is the update's message, or nil.
func (r *Request) Message() *models.Message { return r.Update.Message }

// Callback is the update's callback query, or nil.
func (r *Request) Callback() *models.CallbackQuery { return r.Update.CallbackQuery }

// callbackMessageID is the id of the message whose button was pressed, or 0.
func (r *Request) callbackMessageID() int {
	cq := r.Update.CallbackQuery
	if cq == nil {
		return 0
	}
	switch {
	case cq.Message.Message != nil:
		return cq.Message.Message.ID
	case cq.Message.InaccessibleMessage != nil:
		return cq.Message.InaccessibleMessage.MessageID
	}
	return 0
}

// kind names the update's kind for the log line.
func (r *Request) kind() string { return updateKind(r.Update) }

// updateKind names what an update carries, for logs.
func updateKind(u *models.Update) string {
	switch {
	case u.Message != nil && u.Message.Document != nil:
		return "document"
	case u.Message != nil && len(u.Message.Photo) > 0:
		return "photo"
	case u.Message != nil && u.Message.Video != nil:
		return "video"
	case u.Message != nil && u.Message.Contact != nil:
		return "contact"
	case u.Message != nil:
		return "message"
	case u.CallbackQuery != nil:
		return "callback"
	case u.MyChatMember != nil:
		return "my_chat_member"
	case u.EditedMessage != nil:
		return "edited_message"
	}
	return "other"
}
