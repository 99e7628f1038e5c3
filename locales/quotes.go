package locales

import "strings"

// Quote puts s in «ёлочки», as a title is quoted in Russian text: a title
// already wrapped in them whole is returned as it is, and quotes inside it
// become „лапки“, so that no text shows «…«…»…».
func Quote(s string) string {
	return unnestQuotes("«" + s + "»")
}

// unnestQuotes rewrites the guillemets of a rendered message the way
// Russian typography nests quotes: a pair inside another becomes „…“, and a
// pair that doubles its outer pair exactly («««X»» from «{{.Title}}» with a
// title that is «X» already) is dropped. Text with unbalanced quotes is
// left as it is: the quotes are someone's typing, not ours to guess at.
func unnestQuotes(s string) string {
	if !strings.Contains(s, "««") && !nested(s) {
		return s
	}
	rs := []rune(s)
	// match[i] is the index of the quote that pairs with rs[i].
	match := make(map[int]int)
	var stack []int
	for i, r := range rs {
		switch r {
		case '«':
			stack = append(stack, i)
		case '»':
			if len(stack) == 0 {
				return s
			}
			open := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			match[open], match[i] = i, open
		}
	}
	if len(stack) != 0 {
		return s
	}
	drop := map[int]bool{}
	for open, end := range match {
		// «« … »» where both pairs enclose the same text: drop the inner.
		if rs[open] == '«' && open > 0 && rs[open-1] == '«' && end+1 < len(rs) && rs[end+1] == '»' && match[open-1] == end+1 {
			drop[open], drop[end] = true, true
		}
	}
	var sb strings.Builder
	depth := 0
	for i, r := range rs {
		if drop[i] {
			continue
		}
		switch r {
		case '«':
			depth++
			if depth > 1 {
				r = '„'
			}
		case '»':
			if depth > 1 {
				r = '“'
			}
			depth--
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// nested reports whether an opening guillemet comes before the previous one
// is closed.
func nested(s string) bool {
	depth := 0
	for _, r := range s {
		switch r {
		case '«':
			depth++
			if depth > 1 {
				return true
			}
		case '»':
			depth--
		}
	}
	return false
}
