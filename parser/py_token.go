package parser

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is a token kind.
type Kind int

// Token kinds, as Python's tokenize module has them.
const (
	EOF Kind = iota
	NAME
	NUMBER
	STRING
	OP
	NEWLINE
	INDENT
	DEDENT
)

func (k Kind) String() string {
	return [...]string{"end of file", "name", "number", "string", "operator", "newline", "indent", "dedent"}[k]
}

// Pos is a 1-based line and column (columns count characters).
type Pos struct{ Line, Col int }

// Token is one lexical token.
type Token struct {
	Kind Kind
	Text string // source text (for STRING: the whole literal, prefix and quotes included)
	Pos  Pos
}

func (t Token) describe() string {
	switch t.Kind {
	case EOF, NEWLINE, INDENT, DEDENT:
		return t.Kind.String()
	}
	return fmt.Sprintf("%q", t.Text)
}

// Error is a problem in a source file at a position. Its message reads
// `app/models.py:12:5: message`.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// three-, two- and one-character operators, longest first.
var ops3 = []string{"**=", "//=", ">>=", "<<=", "...", "!="}
var ops2 = []string{"**", "//", ">>", "<<", "<=", ">=", "==", "!=", "->", ":=",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="}

var matching = map[byte]byte{')': '(', ']': '[', '}': '{'}

const ops1 = "+-*/%@&|^~<>()[]{},:;.=!"

type lexer struct {
	file   string
	src    string
	i      int // byte offset
	line   int
	lineAt int     // byte offset where the current line starts
	depth  int     // bracket depth: newlines inside brackets are ignored
	colAt  int     // byte offset colN was counted up to
	colN   int     // characters from lineAt to colAt
	opens  []Token // open brackets, for 'was never closed'
	indent []int
	atBOL  bool
	toks   []Token
}

// Tokenize splits Python source into tokens, with INDENT/DEDENT and logical
// NEWLINE tokens as Python's tokenizer produces them.
func Tokenize(file, src string) ([]Token, error) {
	lx := &lexer{file: file, src: src, line: 1, indent: []int{0}, atBOL: true, toks: make([]Token, 0, len(src)/3+16)}
	if err := lx.run(); err != nil {
		return nil, err
	}
	return lx.toks, nil
}

// pos is the current position. Columns count characters, counted
// incrementally along the line so that long lines stay linear.
func (lx *lexer) pos() Pos {
	if lx.colAt < lx.lineAt || lx.colAt > lx.i {
		lx.colAt, lx.colN = lx.lineAt, 0
	}
	seg := lx.src[lx.colAt:lx.i]
	n := len(seg)
	for j := 0; j < len(seg); j++ {
		if seg[j] >= utf8.RuneSelf {
			n = utf8.RuneCountInString(seg)
			break
		}
	}
	lx.colN += n
	lx.colAt = lx.i
	return Pos{lx.line, lx.colN + 1}
}

func (lx *lexer) errf(p Pos, format string, args ...any) error {
	return &Error{File: lx.file, Pos: p, Msg: fmt.Sprintf(format, args...)}
}

func (lx *lexer) emit(k Kind, text string, p Pos) {
	lx.toks = append(lx.toks, Token{Kind: k, Text: text, Pos: p})
}

func (lx *lexer) newline() {
	lx.line++
	lx.lineAt = lx.i
}

func (lx *lexer) run() error {
	for {
		if lx.atBOL && lx.depth == 0 {
			if done, err := lx.indentation(); err != nil || done {
				return err
			}
		}
		if lx.i >= len(lx.src) {
			return lx.finish()
		}
		c := lx.src[lx.i]
		switch {
		case c == ' ' || c == '\t' || c == '\f':
			lx.i++
		case c == '#':
			for lx.i < len(lx.src) && lx.src[lx.i] != '\n' && lx.src[lx.i] != '\r' {
				lx.i++
			}
		case c == '\r' || c == '\n':
			p := lx.pos()
			lx.i++
			if c == '\r' && lx.i < len(lx.src) && lx.src[lx.i] == '\n' {
				lx.i++
			}
			if lx.depth == 0 {
				lx.emit(NEWLINE, "\n", p)
				lx.atBOL = true
			}
			lx.newline()
		case c == '\\':
			p := lx.pos()
			lx.i++
			if lx.i < len(lx.src) && lx.src[lx.i] == '\r' {
				lx.i++
			}
			if lx.i >= len(lx.src) || lx.src[lx.i] != '\n' {
				if lx.i >= len(lx.src) {
					return lx.errf(p, "unexpected end of file after line continuation")
				}
				return lx.errf(p, "unexpected character after line continuation character")
			}
			lx.i++
			lx.newline()
		case c >= '0' && c <= '9' || c == '.' && lx.i+1 < len(lx.src) && isDigit(lx.src[lx.i+1]):
			lx.number()
		case isIdentStart(c) || c >= utf8.RuneSelf:
			if err := lx.nameOrString(); err != nil {
				return err
			}
		case c == '"' || c == '\'':
			if err := lx.str(lx.i, lx.pos(), ""); err != nil {
				return err
			}
		default:
			if err := lx.op(); err != nil {
				return err
			}
		}
	}
}

// indentation measures the indentation of a new logical line and emits
// INDENT/DEDENT tokens. Blank and comment-only lines are skipped.
func (lx *lexer) indentation() (bool, error) {
	for {
		col := 0
		for lx.i < len(lx.src) {
			switch lx.src[lx.i] {
			case ' ':
				col++
			case '\t':
				col = (col/8 + 1) * 8
			case '\f':
				col = 0
			default:
				goto measured
			}
			lx.i++
		}
	measured:
		if lx.i >= len(lx.src) {
			return true, lx.finish()
		}
		c := lx.src[lx.i]
		if c == '#' || c == '\n' || c == '\r' {
			// blank or comment line: skip to the end of it
			for lx.i < len(lx.src) && lx.src[lx.i] != '\n' && lx.src[lx.i] != '\r' {
				lx.i++
			}
			if lx.i < len(lx.src) {
				if lx.src[lx.i] == '\r' {
					lx.i++
				}
				if lx.i < len(lx.src) && lx.src[lx.i] == '\n' {
					lx.i++
				}
				lx.newline()
			}
			continue
		}
		p := lx.pos()
		top := lx.indent[len(lx.indent)-1]
		if col > top {
			lx.indent = append(lx.indent, col)
			lx.emit(INDENT, "", p)
		} else {
			for col < lx.indent[len(lx.indent)-1] {
				lx.indent = lx.indent[:len(lx.indent)-1]
				lx.emit(DEDENT, "", p)
			}
			if col != lx.indent[len(lx.indent)-1] {
				return false, lx.errf(p, "unindent does not match any outer indentation level")
			}
		}
		lx.atBOL = false
		return false, nil
	}
}

func (lx *lexer) finish() error {
	p := lx.pos()
	if lx.depth > 0 {
		o := lx.opens[len(lx.opens)-1]
		return lx.errf(o.Pos, "'%s' was never closed", o.Text)
	}
	if n := len(lx.toks); n > 0 && lx.toks[n-1].Kind != NEWLINE && lx.toks[n-1].Kind != DEDENT && lx.toks[n-1].Kind != INDENT {
		lx.emit(NEWLINE, "", p)
	}
	for len(lx.indent) > 1 {
		lx.indent = lx.indent[:len(lx.indent)-1]
		lx.emit(DEDENT, "", p)
	}
	lx.emit(EOF, "", p)
	return nil
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func (lx *lexer) number() {
	p := lx.pos()
	start := lx.i
	for lx.i < len(lx.src) {
		c := lx.src[lx.i]
		if isDigit(c) || isIdentStart(c) || c == '.' {
			lx.i++
			continue
		}
		// exponent sign: 1e-5, 1E+5
		if (c == '-' || c == '+') && lx.i > start && (lx.src[lx.i-1] == 'e' || lx.src[lx.i-1] == 'E') &&
			!strings.HasPrefix(strings.ToLower(lx.src[start:lx.i]), "0x") {
			lx.i++
			continue
		}
		break
	}
	lx.emit(NUMBER, lx.src[start:lx.i], p)
}

func (lx *lexer) nameOrString() error {
	p := lx.pos()
	start := lx.i
	for lx.i < len(lx.src) {
		r, size := utf8.DecodeRuneInString(lx.src[lx.i:])
		if r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || r >= utf8.RuneSelf && (unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)) {
			lx.i += size
			continue
		}
		break
	}
	if lx.i == start {
		r, _ := utf8.DecodeRuneInString(lx.src[lx.i:])
		return lx.errf(p, "invalid character %q", r)
	}
	word := lx.src[start:lx.i]
	if lx.i < len(lx.src) && (lx.src[lx.i] == '"' || lx.src[lx.i] == '\'') && isStringPrefix(word) {
		return lx.str(start, p, strings.ToLower(word))
	}
	lx.emit(NAME, word, p)
	return nil
}

func isStringPrefix(w string) bool {
	switch strings.ToLower(w) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf", "t", "tr", "rt":
		return true
	}
	return false
}

// str scans a string literal whose quote starts at lx.i; start is where its
// prefix starts.
func (lx *lexer) str(start int, p Pos, prefix string) error {
	raw := strings.Contains(prefix, "r")
	fstr := strings.Contains(prefix, "f") || strings.Contains(prefix, "t")
	if err := lx.scanString(p, raw, fstr); err != nil {
		return err
	}
	lx.emit(STRING, lx.src[start:lx.i], p)
	return nil
}

// scanString advances over one quoted literal starting at lx.i (the opening
// quote). In f-strings, replacement fields may hold nested strings, with
// any quotes (Python 3.12).
func (lx *lexer) scanString(p Pos, raw, fstr bool) error {
	q := lx.src[lx.i]
	triple := strings.HasPrefix(lx.src[lx.i:], strings.Repeat(string(q), 3))
	if triple {
		lx.i += 3
	} else {
		lx.i++
	}
	for {
		if lx.i >= len(lx.src) {
			if triple {
				return lx.errf(p, "unterminated triple-quoted string literal")
			}
			return lx.errf(p, "unterminated string literal")
		}
		c := lx.src[lx.i]
		switch {
		case c == '\\':
			lx.i++
			if lx.i < len(lx.src) {
				if lx.src[lx.i] == '\n' {
					lx.i++
					lx.newline()
				} else {
					lx.i++
				}
			}
			_ = raw // a raw string still cannot end in an odd backslash before the quote
		case c == '\n' || c == '\r':
			if !triple {
				return lx.errf(p, "unterminated string literal")
			}
			lx.i++
			if c == '\r' && lx.i < len(lx.src) && lx.src[lx.i] == '\n' {
				lx.i++
			}
			lx.newline()
		case c == q:
			if !triple {
				lx.i++
				return nil
			}
			if strings.HasPrefix(lx.src[lx.i:], strings.Repeat(string(q), 3)) {
				lx.i += 3
				return nil
			}
			lx.i++
		case fstr && c == '{':
			if lx.i+1 < len(lx.src) && lx.src[lx.i+1] == '{' {
				lx.i += 2
				continue
			}
			if err := lx.scanReplacementField(p); err != nil {
				return err
			}
		default:
			lx.i++
		}
	}
}

// scanReplacementField skips an f-string `{...}` field, nested brackets and
// strings included.
func (lx *lexer) scanReplacementField(p Pos) error {
	depth := 0
	for lx.i < len(lx.src) {
		c := lx.src[lx.i]
		switch c {
		case '{', '[', '(':
			depth++
			lx.i++
		case '}', ']', ')':
			depth--
			lx.i++
			if depth == 0 {
				return nil
			}
		case '"', '\'':
			// a nested string, possibly with its own prefix handled as a name
			if err := lx.scanString(lx.pos(), false, true); err != nil {
				return err
			}
		case '\n':
			lx.i++
			lx.newline()
		default:
			lx.i++
		}
	}
	return lx.errf(p, "unterminated f-string: '{' was never closed")
}

func (lx *lexer) op() error {
	p := lx.pos()
	rest := lx.src[lx.i:]
	if len(rest) > 1 && strings.IndexByte("*/<>=!-:+%&|^@.", rest[0]) >= 0 {
		for _, set := range [][]string{ops3, ops2} {
			for _, o := range set {
				if o[0] == rest[0] && strings.HasPrefix(rest, o) {
					lx.i += len(o)
					lx.emit(OP, o, p)
					return nil
				}
			}
		}
	}
	c := lx.src[lx.i]
	if strings.IndexByte(ops1, c) < 0 {
		r, _ := utf8.DecodeRuneInString(rest)
		return lx.errf(p, "invalid character %q", r)
	}
	switch c {
	case '(', '[', '{':
		lx.depth++
		lx.opens = append(lx.opens, Token{Kind: OP, Text: string(c), Pos: p})
	case ')', ']', '}':
		if lx.depth == 0 {
			return lx.errf(p, "unmatched '%c'", c)
		}
		if o := lx.opens[len(lx.opens)-1].Text; o != string(matching[c]) {
			return lx.errf(p, "closing parenthesis '%c' does not match opening parenthesis '%s'", c, o)
		}
		lx.depth--
		lx.opens = lx.opens[:len(lx.opens)-1]
	}
	lx.i++
	lx.emit(OP, string(c), p)
	return nil
}
