package locales

import (
	"strings"
	"unicode/utf16"
)

// MaxMessage is Telegram's limit on a message's text, in UTF-16 code units
// after entity parsing; we count the markup too, which is stricter.
const MaxMessage = 4096

// FitLines joins lines with newlines. When the text would pass
// Telegram's limit, it keeps the last tail lines (a question or a
// summary), fills from the top what fits, and says how many lines were
// left out in between ("… и ещё 12 строк").
func (p Printer) FitLines(lines []string, tail int) string {
	total := 0
	for _, l := range lines {
		total += textLen(l) + 1
	}
	if total <= MaxMessage || tail >= len(lines) {
		return strings.Join(lines, "\n")
	}
	end := lines[len(lines)-tail:]
	budget := MaxMessage - 100 // room for the "… and N more" line
	for _, l := range end {
		budget -= textLen(l) + 1
	}
	var out []string
	body := lines[:len(lines)-tail]
	for i, l := range body {
		if budget-(textLen(l)+1) < 0 {
			out = append(out, p.N("lines_more", len(body)-i))
			break
		}
		budget -= textLen(l) + 1
		out = append(out, l)
	}
	return strings.Join(append(out, end...), "\n")
}

func textLen(s string) int { return len(utf16.Encode([]rune(s))) }
