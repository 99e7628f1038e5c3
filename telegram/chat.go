package telegram

// IsGroup reports whether chat is a group, supergroup or channel: Telegram
// gives those negative ids and users' private chats positive ones. It is
// the one place the bot decides it.
func IsGroup(chat int64) bool { return chat < 0 }
