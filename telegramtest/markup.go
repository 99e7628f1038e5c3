package telegramtest

import (
	"encoding/json"
	"net/url"
	"strings"
)

// MaxCallbackData is Telegram's limit on callback_data, in bytes.
const MaxCallbackData = 64

// markup is a parsed reply_markup.
type markup struct {
	present    bool
	inline     [][]Button
	inlineJSON []byte // canonical JSON of the inline_keyboard array
	reply      [][]string
	remove     bool
	force      bool
}

var (
	errMarkupJSON   = badRequest("can't parse reply keyboard markup JSON object")
	errButtonData   = badRequest("BUTTON_DATA_INVALID")
	errButtonURL    = badRequest("BUTTON_URL_INVALID")
	errMarkupTooBig = badRequest("reply markup is too long")
	errWebAppURL    = badRequest("BUTTON_URL_INVALID: a Web App URL must be https")
)

// inline button fields that give a button its action.
var buttonActions = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
	"copy_text", "callback_game", "pay",
}

// parseMarkup validates reply_markup (JSON text) the way Telegram does.
// Inline buttons need a non-empty text and exactly one action;
// callback_data must be 1–64 bytes. Violations are BUTTON_DATA_INVALID.
func parseMarkup(raw string) (markup, reply) {
	var m markup
	if strings.TrimSpace(raw) == "" {
		return m, reply{}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return m, errMarkupJSON
	}
	m.present = true
	switch {
	case obj["inline_keyboard"] != nil:
		var rows [][]map[string]json.RawMessage
		if err := json.Unmarshal(obj["inline_keyboard"], &rows); err != nil {
			return m, errMarkupJSON
		}
		total := 0
		m.inline = make([][]Button, 0, len(rows))
		for _, row := range rows {
			out := make([]Button, 0, len(row))
			for _, fields := range row {
				total++
				b, r := parseInlineButton(fields)
				if r.failed() {
					return m, r
				}
				out = append(out, b)
			}
			m.inline = append(m.inline, out)
		}
		if total > 100 {
			return m, errMarkupTooBig
		}
		if total == 0 { // an empty inline keyboard is no keyboard
			m.inline = nil
			break
		}
		canon, err := json.Marshal(rows)
		if err != nil {
			return m, errMarkupJSON
		}
		m.inlineJSON = canon
	case obj["keyboard"] != nil:
		var rows [][]json.RawMessage
		if err := json.Unmarshal(obj["keyboard"], &rows); err != nil {
			return m, errMarkupJSON
		}
		for _, row := range rows {
			out := make([]string, 0, len(row))
			for _, b := range row {
				var text string
				if json.Unmarshal(b, &text) != nil {
					var kb struct {
						Text string `json:"text"`
					}
					if json.Unmarshal(b, &kb) != nil {
						return m, errMarkupJSON
					}
					text = kb.Text
				}
				if text == "" {
					return m, badRequest("keyboard button text is empty")
				}
				out = append(out, text)
			}
			m.reply = append(m.reply, out)
		}
	case string(obj["remove_keyboard"]) == "true":
		m.remove = true
	case string(obj["force_reply"]) == "true":
		m.force = true
	default:
		return m, errMarkupJSON
	}
	return m, reply{}
}

func parseInlineButton(fields map[string]json.RawMessage) (Button, reply) {
	var b Button
	if json.Unmarshal(fields["text"], &b.Text) != nil || strings.TrimSpace(b.Text) == "" {
		return b, errButtonData
	}
	actions := 0
	for _, k := range buttonActions {
		v, ok := fields[k]
		if !ok || string(v) == "null" {
			continue
		}
		switch k {
		case "pay":
			if string(v) != "true" {
				continue
			}
		case "copy_text":
			// go-telegram/bot always sends copy_text, empty when unused.
			var ct struct {
				Text string `json:"text"`
			}
			if json.Unmarshal(v, &ct) != nil || ct.Text == "" {
				continue
			}
		case "callback_data":
			if json.Unmarshal(v, &b.CallbackData) != nil || b.CallbackData == "" || len(b.CallbackData) > MaxCallbackData {
				return b, errButtonData
			}
		case "url":
			if json.Unmarshal(v, &b.URL) != nil || !validButtonURL(b.URL) {
				return b, errButtonURL
			}
		case "web_app":
			var wa struct {
				URL string `json:"url"`
			}
			if json.Unmarshal(v, &wa) != nil || !validWebAppURL(wa.URL) {
				return b, errWebAppURL
			}
			b.WebApp = wa.URL
		}
		actions++
	}
	if actions != 1 {
		return b, errButtonData
	}
	return b, reply{}
}

func validButtonURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "tg":
		return true
	}
	return false
}

// validWebAppURL: Telegram opens a Mini App only over HTTPS.
func validWebAppURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && strings.EqualFold(u.Scheme, "https") && u.Host != ""
}
