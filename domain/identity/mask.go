package identity

import (
	"strings"
	"unicode/utf8"
)

// MaskPhone keeps the first three and last four digits of a phone number (138****5678), the
// usual display of 12345 systems; shorter numbers keep only their last two characters.
func MaskPhone(s string) string {
	r := []rune(s)
	switch {
	case len(r) == 0:
		return ""
	case len(r) >= 11:
		return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
	case len(r) > 2:
		return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
	}
	return strings.Repeat("*", len(r))
}

// MaskName keeps the first character of a name (张*, 欧**; J*** S****): enough for an operator
// to address a caller, not enough to identify one.
func MaskName(s string) string {
	if s == "" {
		return ""
	}
	words := strings.Fields(s)
	if len(words) > 1 {
		for i, w := range words {
			words[i] = maskWord(w)
		}
		return strings.Join(words, " ")
	}
	return maskWord(s)
}

func maskWord(w string) string {
	first, size := utf8.DecodeRuneInString(w)
	n := utf8.RuneCountInString(w[size:])
	if n == 0 {
		return "*"
	}
	return string(first) + strings.Repeat("*", n)
}
