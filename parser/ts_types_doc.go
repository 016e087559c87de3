package parser

import (
	"strings"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// TSDoc comments as the checker's JSDoc parser reads them for
// getDocumentationComment: the text before the first tag (an `@` at a
// line's start or after whitespace, outside backticks), each line's leading
// whitespace and first `*` removed, indentation beyond the comment's margin
// kept, lines joined with their line break as written, blank lines after
// the first line kept,
// trailing whitespace dropped; inline `{@link ...}` tags kept as written.

// ttDocOf is a property's documentation from its preceding comment (doc is
// the whole `/** ... */` text, or ""): nil when there is none. pos is the
// property's position (the comment is taken to start in its column) and
// prevLine the line of the token before the comment: a comment on the same
// line as that token is the token's trailing comment, not documentation,
// for the checker.
func ttDocOf(doc string, pos tsyntax.Pos, prevLine int) []string {
	if !strings.HasPrefix(doc, "/**") || !strings.HasSuffix(doc, "*/") || len(doc) < 5 || doc == "/**/" {
		return nil
	}
	if prevLine > 0 && pos.Line == prevLine && !strings.Contains(doc, "\n") {
		return nil
	}
	text := ttJSDocText(doc[3:len(doc)-2], pos.Col-1+4)
	if text == "" {
		return nil
	}
	return []string{text}
}

// ttJSDocText is parseJSDocCommentWorker's comment text; indent is the
// column just after `/** ` on the first line.
func ttJSDocText(body string, indent int) string {
	const (
		beginningOfLine = iota
		sawAsterisk
		savingComments
	)
	var comments []string
	state := sawAsterisk
	margin := -1
	push := func(s string) {
		if margin < 0 {
			margin = indent
		}
		comments = append(comments, s)
		indent += len(s)
	}
	i := 0
	// leading whitespace of the first line is skipped, not counted
	for i < len(body) && (body[i] == ' ' || body[i] == '\t') {
		i++
	}
	if i < len(body) && (body[i] == '\n' || body[i] == '\r') {
		if body[i] == '\r' && i+1 < len(body) && body[i+1] == '\n' {
			i++
		}
		i++
		state = beginningOfLine
		indent = 0
	}
	inBackticks := false
	for i < len(body) {
		ch := body[i]
		switch {
		case ch == '\n' || ch == '\r':
			// the line break as written: a CRLF source keeps "\r\n" in the comment
			nl := body[i : i+1]
			if ch == '\r' && i+1 < len(body) && body[i+1] == '\n' {
				nl = "\r\n"
				i++
			}
			i++
			comments = append(comments, nl)
			state = beginningOfLine
			indent = 0
		case ch == '@' && state != savingComments:
			// a tag: it and everything after it is not the comment
			return ttJSDocFinish(comments)
		case ch == '*' && state != savingComments:
			i++
			if state == sawAsterisk {
				state = savingComments
				push("*")
			} else {
				state = sawAsterisk
				indent++
			}
		case (ch == ' ' || ch == '\t') && state != savingComments:
			j := i
			for j < len(body) && (body[j] == ' ' || body[j] == '\t') {
				j++
			}
			ws := body[i:j]
			if margin >= 0 && indent+len(ws) > margin {
				comments = append(comments, ws[max(0, margin-indent):])
			}
			indent += len(ws)
			i = j
		case ch == '{' && !inBackticks:
			state = savingComments
			if end, text := ttJSDocLink(body[i:]); end > 0 {
				push(text)
				i += end
			} else {
				push("{")
				i++
			}
		default:
			// a run of comment text: to the end of the line, a `{`, or an `@`
			// after whitespace (which starts a tag), outside backticks
			state = savingComments
			j := i
			for j < len(body) && body[j] != '\n' && body[j] != '\r' {
				c := body[j]
				if c == '`' {
					inBackticks = !inBackticks
				} else if !inBackticks {
					if c == '{' && j > i {
						break
					}
					if c == '@' && j > 0 && (body[j-1] == ' ' || body[j-1] == '\t') &&
						!(j+1 < len(body) && (body[j+1] == ' ' || body[j+1] == '\t' || body[j+1] == '\n' || body[j+1] == '\r')) {
						if j == i {
							return ttJSDocFinish(comments)
						}
						push(body[i:j])
						return ttJSDocFinish(comments)
					}
				}
				j++
			}
			if j == i {
				j++
			}
			push(body[i:j])
			i = j
		}
	}
	return ttJSDocFinish(comments)
}

// ttJSDocLink is the length of an inline `{@link ...}` (`{@linkcode`,
// `{@linkplain`) tag at the start of s, or 0.
// It returns the length consumed and the link's text: a link that goes on
// over a line break loses the break and the next line's indentation (not
// its `*`), as the checker's link parser reads it.
func ttJSDocLink(s string) (int, string) {
	for _, p := range []string{"{@link ", "{@linkcode ", "{@linkplain ", "{@link\t", "{@link\n", "{@link}"} {
		if !strings.HasPrefix(s, p) {
			continue
		}
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '}':
				b.WriteByte('}')
				return i + 1, b.String()
			case '\r', '\n':
				for i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '\t' || s[i+1] == '\r' || s[i+1] == '\n') {
					i++
				}
			default:
				b.WriteByte(s[i])
			}
		}
		return 0, ""
	}
	return 0, ""
}

// ttJSDocFinish joins the comment's parts: blank lines after the first
// line are kept (the checker keeps them), trailing whitespace is dropped.
func ttJSDocFinish(comments []string) string {
	s := strings.Join(comments, "")
	return strings.TrimRight(s, " \t\r\n")
}
