package bot

import (
	"strings"
	"unicode"

	"vmeste/storage"
)

// normalisePhone reads a phone number as a teacher types it and stores
// it as +7XXXXXXXXXX: "+7 928 123-45-67", "8 (928) 123-45-67",
// "89281234567", "9281234567". A number of another country typed with its
// "+" is kept as "+" and its 10–15 digits. Letters, or a wrong count of
// digits, are not a phone (ok false).
func normalisePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	var digits strings.Builder
	for _, c := range strings.TrimPrefix(s, "+") {
		switch {
		case c >= '0' && c <= '9':
			digits.WriteRune(c)
		case unicode.IsSpace(c), c == '-', c == '(', c == ')', c == '.', c == '‑', c == '–':
		default:
			return "", false
		}
	}
	d := digits.String()
	switch {
	case len(d) == 11 && (d[0] == '7' || (d[0] == '8' && !plus)):
		return "+7" + d[1:], true
	case len(d) == 10 && d[0] == '9' && !plus:
		return "+7" + d, true
	case plus && d[0:min(1, len(d))] != "7" && len(d) >= 10 && len(d) <= 15 && len(d)+1 <= storage.MaxPhoneLen:
		return "+" + d, true
	}
	return "", false
}

// contactPhone reads the phone of a shared contact: Telegram sends it
// with or without the "+", always in the international form.
func contactPhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "+") {
		s = "+" + s
	}
	return normalisePhone(s)
}
