package bot

// What the message whose button was pressed tells about itself: the bot
// keeps no record of which message is a card and which a notice, the
// buttons it drew on them say it. Button data read here is the bot's own,
// but it came back through the client: it is only drawn again as a button
// (checked again when pressed), never acted on.

// pressedKeyboard is the inline keyboard of the pressed message (nil for
// a message or a press without one).
func pressedKeyboard(r *Request) [][]modelsButton {
	cq := r.Update.CallbackQuery
	if cq == nil || cq.Message.Message == nil || cq.Message.Message.ReplyMarkup == nil {
		return nil
	}
	return cq.Message.Message.ReplyMarkup.InlineKeyboard
}

// pressedOnNotice reports whether the button was pressed under a notice
// (a reminder, «Освободилось место», a change): a message with an
// «Открыть мероприятие» button (cbEventOpen), which cards never have. What
// such a button shows goes below the notice, never in its place.
func pressedOnNotice(r *Request) bool {
	for _, row := range pressedKeyboard(r) {
		for _, btn := range row {
			if prefix, _ := decodeCallback(btn.CallbackData); prefix == cbEventOpen {
				return true
			}
		}
	}
	return false
}

// pressedListBack is the callback data of the pressed card's «« К списку»
// (a list of events to go back to), or "" when it has none: a card drawn
// again in place keeps its way back to the list it was opened from.
func pressedListBack(r *Request) string {
	label := r.P.T("btn_back_to_list")
	for _, row := range pressedKeyboard(r) {
		for _, btn := range row {
			if prefix, _ := decodeCallback(btn.CallbackData); prefix == cbEventList && btn.Text == label {
				return btn.CallbackData
			}
		}
	}
	return ""
}
