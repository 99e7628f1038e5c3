package bot

import (
	"html"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// entitiesHTML renders a message's text and its entities (offsets in UTF-16
// code units, as Telegram counts them) as Telegram HTML, so that a
// coordinator's formatting survives when the bot re-sends the text with
// something added (the broadcast's signature). Entities Telegram finds by
// itself (links, mentions, hashtags) are left as text; entities that
// overlap without nesting are closed and reopened around each other.
func entitiesHTML(text string, entities []models.MessageEntity) string {
	units := utf16.Encode([]rune(text))
	ents := make([]models.MessageEntity, 0, len(entities))
	for _, e := range entities {
		if _, _, ok := entityTags(e); ok && e.Length > 0 && e.Offset >= 0 && e.Offset+e.Length <= len(units) {
			ents = append(ents, e)
		}
	}
	// Outer entities first: by start, then the longer.
	sort.SliceStable(ents, func(i, j int) bool {
		if ents[i].Offset != ents[j].Offset {
			return ents[i].Offset < ents[j].Offset
		}
		return ents[i].Length > ents[j].Length
	})
	var sb strings.Builder
	var open []models.MessageEntity
	next := 0
	for pos := 0; pos <= len(units); pos++ {
		// Close what ends here; anything opened inside a closing entity
		// but not ending here is closed with it and reopened after it.
		for {
			i := slices.IndexFunc(open, func(e models.MessageEntity) bool { return e.Offset+e.Length == pos })
			if i < 0 {
				break
			}
			for j := len(open) - 1; j >= i; j-- {
				_, end, _ := entityTags(open[j])
				sb.WriteString(end)
			}
			reopen := slices.Clone(open[i+1:])
			open = open[:i]
			for _, e := range reopen {
				if e.Offset+e.Length == pos {
					continue
				}
				start, _, _ := entityTags(e)
				sb.WriteString(start)
				open = append(open, e)
			}
		}
		for next < len(ents) && ents[next].Offset == pos {
			start, _, _ := entityTags(ents[next])
			sb.WriteString(start)
			open = append(open, ents[next])
			next++
		}
		if pos == len(units) {
			break
		}
		// One character: a surrogate pair is two units.
		n := 1
		if utf16.IsSurrogate(rune(units[pos])) && pos+1 < len(units) {
			n = 2
		}
		sb.WriteString(html.EscapeString(string(utf16.Decode(units[pos : pos+n]))))
		pos += n - 1
	}
	return sb.String()
}

// entityTags is the opening and closing HTML of an entity; ok is false for
// the entities Telegram finds in plain text on its own.
func entityTags(e models.MessageEntity) (start, end string, ok bool) {
	switch e.Type {
	case models.MessageEntityTypeBold:
		return "<b>", "</b>", true
	case models.MessageEntityTypeItalic:
		return "<i>", "</i>", true
	case models.MessageEntityTypeUnderline:
		return "<u>", "</u>", true
	case models.MessageEntityTypeStrikethrough:
		return "<s>", "</s>", true
	case models.MessageEntityTypeSpoiler:
		return "<tg-spoiler>", "</tg-spoiler>", true
	case models.MessageEntityTypeCode:
		return "<code>", "</code>", true
	case models.MessageEntityTypePre:
		if e.Language != "" {
			return `<pre><code class="language-` + html.EscapeString(e.Language) + `">`, "</code></pre>", true
		}
		return "<pre>", "</pre>", true
	case models.MessageEntityTypeTextLink:
		return `<a href="` + html.EscapeString(e.URL) + `">`, "</a>", true
	case models.MessageEntityTypeTextMention:
		if e.User != nil {
			return `<a href="tg://user?id=` + strconv.FormatInt(e.User.ID, 10) + `">`, "</a>", true
		}
	case models.MessageEntityTypeBlockquote:
		return "<blockquote>", "</blockquote>", true
	case models.MessageEntityTypeExpandableBlockquote:
		return "<blockquote expandable>", "</blockquote>", true
	case models.MessageEntityTypeCustomEmoji:
		return `<tg-emoji emoji-id="` + html.EscapeString(e.CustomEmojiID) + `">`, "</tg-emoji>", true
	}
	return "", "", false
}
