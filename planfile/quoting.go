package planfile

import (
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Scalar styles as upstream writes them. serde_yaml 0.9.34 (src/ser.rs,
// Serializer::serialize_str) asks libyaml for a literal block scalar when a
// string contains "\n"; otherwise for single quotes when the string, read
// back as a plain scalar, would not be a string (de.rs,
// visit_untagged_scalar: empty, null, bool, int, float, or digits with a
// leading zero); otherwise for no style in particular. libyaml's emitter
// (unsafe-libyaml src/emitter.rs, yaml_emitter_analyze_scalar and
// yaml_emitter_select_scalar_style) then falls back from plain to single
// quotes to double quotes as the characters require, and from a block
// scalar to double quotes.
//
// go-yaml's emitter is a port of the same libyaml code and makes the same
// fallbacks, with two differences handled here: it lets a block scalar hold
// a tab (libyaml counts a tab as a special character, so the string goes in
// double quotes), and it counts characters beyond U+FFFF as non-printable
// (libyaml prints them as they are), which encodeScalars works around with
// placeholders.

// serdeStyle is the style serde_yaml requests for a string.
func serdeStyle(s string) yaml.Style {
	switch {
	case strings.Contains(s, "\n"):
		if strings.Contains(s, "\t") {
			return yaml.DoubleQuotedStyle
		}
		return yaml.LiteralStyle
	case serdeNonString(s):
		return yaml.SingleQuotedStyle
	}
	return 0 // plain, unless the emitter finds it cannot be
}

// serdeNonString reports whether serde_yaml would read s, written plain, as
// something other than a string (or as a digit string it refuses to treat
// as a number, which it quotes all the same).
func serdeNonString(s string) bool {
	switch s {
	case "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE":
		return true
	}
	return digitsButNotNumber(s) || serdeInt(s) || serdeFloat(s)
}

// digitsButNotNumber: a leading zero followed by digits (after one optional
// sign), a string in YAML 1.2.
func digitsButNotNumber(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	return len(s) > 1 && s[0] == '0' && allDigits(s[1:], 10)
}

func allDigits(s string, base int) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'z':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			d = int(c-'A') + 10
		default:
			return false
		}
		if d >= base {
			return false
		}
	}
	return true
}

// fits reports whether digits (no sign) in base parse as a number of at
// most bits bits (orEqual: or exactly 2^bits, the magnitude of i128's minimum).
func fits(digits string, base int, bits int, orEqual bool) bool {
	if !allDigits(digits, base) {
		return false
	}
	n, ok := new(big.Int).SetString(digits, base)
	if !ok {
		return false
	}
	if n.BitLen() <= bits {
		return true
	}
	return orEqual && n.BitLen() == bits+1 && n.TrailingZeroBits() == uint(bits)
}

var radixPrefixes = []struct {
	prefix string
	base   int
}{{"0x", 16}, {"0o", 8}, {"0b", 2}}

// serdeInt: what serde_yaml's visit_int accepts, as u64/u128
// (parse_unsigned_int) or i64/i128 (parse_negative_int).
func serdeInt(s string) bool {
	return serdeUnsigned(s) || serdeNegative(s)
}

func serdeUnsigned(s string) bool {
	u := strings.TrimPrefix(s, "+")
	for _, r := range radixPrefixes {
		if rest, ok := strings.CutPrefix(u, r.prefix); ok {
			if strings.HasPrefix(rest, "+") || strings.HasPrefix(rest, "-") {
				return false
			}
			if fits(rest, r.base, 128, false) {
				return true
			}
		}
	}
	if strings.HasPrefix(u, "+") || strings.HasPrefix(u, "-") || digitsButNotNumber(s) {
		return false
	}
	return fits(u, 10, 128, false)
}

func serdeNegative(s string) bool {
	for _, r := range radixPrefixes {
		if rest, ok := strings.CutPrefix(s, "-"+r.prefix); ok && fits(rest, r.base, 127, true) {
			return true
		}
	}
	if digitsButNotNumber(s) {
		return false
	}
	switch {
	case strings.HasPrefix(s, "-"):
		return fits(s[1:], 10, 127, true)
	case strings.HasPrefix(s, "+"):
		return fits(s[1:], 10, 127, false)
	}
	return fits(s, 10, 127, false)
}

// serdeFloat: what serde_yaml's parse_f64 accepts: YAML's .inf and .nan
// spellings, or a finite number in Rust's f64 syntax.
func serdeFloat(s string) bool {
	u := s
	if strings.HasPrefix(s, "+") {
		u = s[1:]
		if strings.HasPrefix(u, "+") || strings.HasPrefix(u, "-") {
			return false
		}
	}
	switch {
	case u == ".inf" || u == ".Inf" || u == ".INF",
		s == "-.inf" || s == "-.Inf" || s == "-.INF",
		s == ".nan" || s == ".NaN" || s == ".NAN":
		return true
	}
	if !rustDecimal(u) {
		return false // inf, infinity and nan parse in Rust but are not finite
	}
	_, err := strconv.ParseFloat(u, 64)
	return err == nil // out of range: ±Inf with an error, not finite
}

// rustDecimal: [+-]? (D+ | D+ '.' D* | D* '.' D+) ([eE] [+-]? D+)?
func rustDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	i, digits := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == len(s)
}

// styleStrings sets every string scalar in the tree to serde_yaml's style,
// replacing characters beyond U+FFFF with placeholders (see restore).
func styleStrings(n *yaml.Node, ph *placeholders) {
	for _, c := range n.Content {
		styleStrings(c, ph)
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return
	}
	n.Style = serdeStyle(n.Value)
	// no tag: go-yaml would otherwise double-quote a plain string that its
	// own (YAML 1.1) resolver reads as another type
	n.Tag = ""
	n.Value = ph.hide(n.Value)
}

// placeholders stands in for characters beyond U+FFFF, which libyaml
// prints as they are and go-yaml's emitter escapes: each becomes a private
// use character in U+E000..U+F8FF that the document does not contain
// (printable for both emitters, and neither a space, break nor indicator,
// so the choice of style is unchanged), and restore puts them back.
type placeholders struct {
	used map[rune]bool
	to   map[rune]rune
	from map[rune]rune
	next rune
}

func newPlaceholders(n *yaml.Node) *placeholders {
	ph := &placeholders{used: map[rune]bool{}, to: map[rune]rune{}, from: map[rune]rune{}, next: 0xE000}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		for _, r := range n.Value {
			if r >= 0xE000 && r <= 0xF8FF {
				ph.used[r] = true
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return ph
}

func (ph *placeholders) hide(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r > 0xFFFF }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			p, ok := ph.to[r]
			if !ok {
				for ph.used[ph.next] {
					ph.next++
				}
				if ph.next > 0xF8FF {
					b.WriteRune(r) // out of placeholders: go-yaml escapes it
					continue
				}
				p = ph.next
				ph.used[p] = true
				ph.to[r], ph.from[p] = p, r
			}
			r = p
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (ph *placeholders) restore(out []byte) []byte {
	if len(ph.from) == 0 {
		return out
	}
	var b []byte
	for len(out) > 0 {
		r, w := utf8.DecodeRune(out)
		if o, ok := ph.from[r]; ok {
			b = utf8.AppendRune(b, o)
		} else {
			b = append(b, out[:w]...)
		}
		out = out[w:]
	}
	return b
}
