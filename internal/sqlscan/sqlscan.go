// Package sqlscan walks ClickHouse SQL text the way its lexer sees quotes
// and parentheses: the one scanner for every package that reads clauses,
// lists or expressions out of SQL.
package sqlscan

import "strings"

// Walk calls at for each byte of s outside quoted strings ('...') and
// quoted identifiers (`...`, "..."), with the parenthesis depth at it (a
// parenthesis is reported at the depth outside it), until at returns false.
// A backslash escapes the next byte inside quotes; a doubled quote reads as
// closing and reopening, which skips it the same way.
func Walk(s string, at func(i, depth int) bool) {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		case c == '\'' || c == '`' || c == '"':
			quote = c
			continue
		case c == ')':
			depth--
		}
		if !at(i, depth) {
			return
		}
		if c == '(' {
			depth++
		}
	}
}

// Split splits s on sep outside quotes and parentheses, each part trimmed.
func Split(s string, sep byte) []string {
	var out []string
	from := 0
	Walk(s, func(i, depth int) bool {
		if depth == 0 && s[i] == sep {
			out = append(out, strings.TrimSpace(s[from:i]))
			from = i + 1
		}
		return true
	})
	return append(out, strings.TrimSpace(s[from:]))
}
