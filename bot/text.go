package bot

import (
	"html"
	"regexp"
	"unicode"
	"unicode/utf8"
)

// Telegram's limits on a message's text and a caption, in UTF-16 units
// after entities are parsed.
const (
	maxMessageText = 4096
	maxCaption     = 1024
)

// upperFirst capitalises the first letter of s: «школы» in a sentence,
// «Школы» on a button («ГИБДД» stays as it is).
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// plainText is what the user sees of our HTML: tags dropped, entities
// decoded (for counting against Telegram's limits).
func plainText(s string) string {
	return html.UnescapeString(htmlTag.ReplaceAllString(s, ""))
}
