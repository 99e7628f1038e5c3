package telegramtest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text limits, in UTF-16 code units after entity parsing, as Telegram counts.
const (
	MaxTextLength    = 4096
	MaxCaptionLength = 1024
)

// entity is a Bot API MessageEntity; offsets and lengths are in UTF-16 units.
type entity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url,omitempty"`
	Language      string `json:"language,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

// ParseHTML validates s as Telegram's HTML parse mode and returns the text a
// user sees (tags stripped, entities decoded). The error text is what the
// emulator puts after "Bad Request: can't parse entities: ".
//
// Accepted: b strong i em u ins s strike del span class="tg-spoiler"
// tg-spoiler a href code (class optional) pre blockquote (expandable allowed)
// tg-emoji emoji-id; the entities &lt; &gt; &amp; &quot; &#NN; &#xNN;.
// Tags must be properly nested and closed. A '<' that does not start a
// supported tag, or an '&' that does not start a known entity, is an error
// (stricter than Telegram for '&': escape text with html.EscapeString).
func ParseHTML(s string) (string, error) {
	plain, _, err := parseHTML(s)
	return plain, err
}

type openTag struct {
	name  string
	start int
	ent   entity
}

func parseHTML(s string) (string, []entity, error) {
	if !utf8.ValidString(s) {
		return "", nil, fmt.Errorf("text must be encoded in UTF-8")
	}
	var b strings.Builder
	b.Grow(len(s))
	var stack []openTag
	var ents []entity
	pos := 0 // current length of b in UTF-16 units
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '&':
			r, n, ok := decodeEntity(s[i:])
			if !ok {
				return "", nil, fmt.Errorf("unsupported HTML entity or bare \"&\" at byte offset %d (escape it as &amp;)", i)
			}
			b.WriteRune(r)
			pos += utf16Len(r)
			i += n
		case c == '<' && i+1 < len(s) && s[i+1] == '/':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return "", nil, fmt.Errorf("Unclosed end tag at byte offset %d", i)
			}
			name := strings.ToLower(strings.TrimSpace(s[i+2 : i+j]))
			if len(stack) == 0 {
				return "", nil, fmt.Errorf("Unexpected end tag at byte offset %d", i)
			}
			top := stack[len(stack)-1]
			if name != top.name {
				return "", nil, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top.name, name)
			}
			stack = stack[:len(stack)-1]
			if top.ent.Type != "" && pos > top.start {
				e := top.ent
				e.Offset, e.Length = top.start, pos-top.start
				ents = append(ents, e)
			}
			i += j + 1
		case c == '<':
			t, n, err := parseStartTag(s, i, stack)
			if err != nil {
				return "", nil, err
			}
			t.start = pos
			stack = append(stack, t)
			i += n
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+n])
			pos += utf16Len(r)
			i += n
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	sort.SliceStable(ents, func(a, b int) bool {
		if ents[a].Offset != ents[b].Offset {
			return ents[a].Offset < ents[b].Offset
		}
		return ents[a].Length > ents[b].Length
	})
	return b.String(), ents, nil
}

var tagEntity = map[string]string{
	"b": "bold", "strong": "bold",
	"i": "italic", "em": "italic",
	"u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
	"tg-spoiler": "spoiler", "span": "spoiler",
	"a": "text_link", "code": "code", "pre": "pre",
	"blockquote": "blockquote", "tg-emoji": "custom_emoji",
}

// parseStartTag parses the tag starting at s[at] == '<'; n is its byte length.
func parseStartTag(s string, at int, stack []openTag) (openTag, int, error) {
	j := at + 1
	for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
		j++
	}
	name := strings.ToLower(s[at+1 : j])
	typ, known := tagEntity[name]
	if !known {
		return openTag{}, 0, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, at)
	}
	attrs := map[string]string{}
	for {
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) {
			return openTag{}, 0, fmt.Errorf("Unclosed start tag at byte offset %d", at)
		}
		if s[j] == '>' {
			j++
			break
		}
		k := j
		for k < len(s) && !isSpace(s[k]) && s[k] != '=' && s[k] != '>' {
			k++
		}
		attr := strings.ToLower(s[j:k])
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		val := ""
		if k < len(s) && s[k] == '=' {
			k++
			for k < len(s) && isSpace(s[k]) {
				k++
			}
			if k >= len(s) {
				return openTag{}, 0, fmt.Errorf("Unclosed start tag at byte offset %d", at)
			}
			var raw string
			if q := s[k]; q == '"' || q == '\'' {
				end := strings.IndexByte(s[k+1:], q)
				if end < 0 {
					return openTag{}, 0, fmt.Errorf("Unclosed start tag at byte offset %d", at)
				}
				raw, k = s[k+1:k+1+end], k+end+2
			} else {
				e := k
				for e < len(s) && !isSpace(s[e]) && s[e] != '>' {
					e++
				}
				raw, k = s[k:e], e
			}
			var err error
			if val, err = decodeAttr(raw, at); err != nil {
				return openTag{}, 0, err
			}
		}
		attrs[attr] = val
		j = k
	}
	t := openTag{name: name, ent: entity{Type: typ}}
	switch name {
	case "span":
		if attrs["class"] != "tg-spoiler" {
			return openTag{}, 0, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", at)
		}
	case "a":
		if href := attrs["href"]; href != "" {
			t.ent.URL = href
		} else {
			t.ent.Type = ""
		}
	case "blockquote":
		if _, ok := attrs["expandable"]; ok {
			t.ent.Type = "expandable_blockquote"
		}
	case "tg-emoji":
		id := attrs["emoji-id"]
		if id == "" {
			return openTag{}, 0, fmt.Errorf("Tag \"tg-emoji\" must have attribute \"emoji-id\" at byte offset %d", at)
		}
		t.ent.CustomEmojiID = id
	case "code":
		// <pre><code class="language-x"> sets the pre block's language.
		if lang, ok := strings.CutPrefix(attrs["class"], "language-"); ok && len(stack) > 0 && stack[len(stack)-1].name == "pre" {
			stack[len(stack)-1].ent.Language = lang
			t.ent.Type = ""
		}
	}
	return t, j - at, nil
}

func decodeAttr(raw string, at int) (string, error) {
	if strings.IndexByte(raw, '&') < 0 {
		return raw, nil
	}
	var b strings.Builder
	for i := 0; i < len(raw); {
		if raw[i] != '&' {
			b.WriteByte(raw[i])
			i++
			continue
		}
		r, n, ok := decodeEntity(raw[i:])
		if !ok {
			return "", fmt.Errorf("unsupported HTML entity or bare \"&\" in the attribute of the tag at byte offset %d (escape it as &amp;)", at)
		}
		b.WriteRune(r)
		i += n
	}
	return b.String(), nil
}

// decodeEntity decodes the HTML entity at the start of s (s[0] == '&').
func decodeEntity(s string) (rune, int, bool) {
	semi := strings.IndexByte(s, ';')
	if semi < 2 || semi > 12 {
		return 0, 0, false
	}
	name := s[1:semi]
	switch name {
	case "lt":
		return '<', semi + 1, true
	case "gt":
		return '>', semi + 1, true
	case "amp":
		return '&', semi + 1, true
	case "quot":
		return '"', semi + 1, true
	}
	if name[0] != '#' || len(name) < 2 {
		return 0, 0, false
	}
	var v uint64
	var err error
	if name[1] == 'x' || name[1] == 'X' {
		if len(name) < 3 {
			return 0, 0, false
		}
		v, err = strconv.ParseUint(name[2:], 16, 32)
	} else {
		v, err = strconv.ParseUint(name[1:], 10, 32)
	}
	if err != nil || v == 0 || v > utf8.MaxRune || (v >= 0xD800 && v <= 0xDFFF) {
		return 0, 0, false
	}
	return rune(v), semi + 1, true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// UTF16Len is the length of s in UTF-16 code units, the unit of Telegram's
// text limits and entity offsets.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Len(r)
	}
	return n
}

// content is parsed message text or caption.
type content struct {
	raw   string
	mode  string // "", "HTML", "MarkdownV2", "Markdown"
	plain string
	ents  []entity
}

// parseContent parses text (caption=false) or a caption in parse mode mode
// and checks Telegram's limits.
func parseContent(raw, mode string, caption bool) (content, reply) {
	c := content{raw: raw}
	switch strings.ToLower(mode) {
	case "":
	case "html":
		c.mode = "HTML"
	case "markdownv2":
		c.mode = "MarkdownV2"
	case "markdown":
		c.mode = "Markdown"
	default:
		return c, badRequest("unsupported parse_mode")
	}
	if c.mode == "HTML" {
		plain, ents, err := parseHTML(raw)
		if err != nil {
			return c, badRequest("can't parse entities: " + err.Error())
		}
		c.plain, c.ents = plain, ents
	} else {
		if !utf8.ValidString(raw) {
			return c, badRequest("text must be encoded in UTF-8")
		}
		c.plain = raw
	}
	trimmed := strings.TrimSpace(c.plain)
	n := UTF16Len(trimmed)
	switch {
	case caption && n > MaxCaptionLength:
		return c, badRequest("message caption is too long")
	case !caption && n == 0:
		return c, badRequest("message text is empty")
	case !caption && n > MaxTextLength:
		return c, badRequest("message is too long")
	}
	return c, reply{}
}

// sameContent reports whether two parsed texts look identical to a user.
func sameContent(a, b content) bool {
	if a.plain != b.plain || len(a.ents) != len(b.ents) {
		return false
	}
	for i := range a.ents {
		if a.ents[i] != b.ents[i] {
			return false
		}
	}
	return true
}

// commandEntities returns the bot_command entity Telegram adds to a user's
// message that starts with '/'.
func commandEntities(text string) []entity {
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return nil
	}
	cmd := text
	if i := strings.IndexAny(text, " \n\t"); i >= 0 {
		cmd = text[:i]
	}
	if len(cmd) < 2 {
		return nil
	}
	return []entity{{Type: "bot_command", Offset: 0, Length: UTF16Len(cmd)}}
}
