package tsyntax

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tkind is a token kind. Identifiers and keywords are all tName: which words
// are keywords depends on where they stand, and the parser decides.
type tkind uint8

const (
	tEOF tkind = iota
	tError
	tName           // identifier or keyword; val is the (cooked) name
	tPrivate        // #name; val includes the '#'
	tString         // val is the cooked value
	tNumber         // val is the text as written (bigints included)
	tTemplate       // `...` without substitutions; val cooked, raw raw
	tTemplateHead   // `...${
	tTemplateMiddle // }...${ (only from rescanTemplate)
	tTemplateTail   // }...` (only from rescanTemplate)
	tRegex          // val is the body, raw the flags (only from rescanSlash)

	tLBrace
	tRBrace
	tLParen
	tRParen
	tLBrack
	tRBrack
	tDot
	tEllipsis
	tSemi
	tComma
	tLt
	tGt // always a single '>': rescanGreater joins >=, >>, >>=, >>>, >>>=
	tLe
	tGe
	tEq2
	tNe
	tEq3
	tNe2
	tPlus
	tMinus
	tStar
	tStar2
	tSlash
	tPercent
	tInc
	tDec
	tShl
	tShr
	tUShr
	tAmp
	tPipe
	tCaret
	tBang
	tTilde
	tAnd2
	tOr2
	tQuestion
	tQDot
	tQQ
	tColon
	tAt
	tAssign
	tArrow
	tPlusEq
	tMinusEq
	tStarEq
	tStar2Eq
	tSlashEq
	tPercentEq
	tShlEq
	tShrEq
	tUShrEq
	tAmpEq
	tPipeEq
	tCaretEq
	tAnd2Eq
	tOr2Eq
	tQQEq
	tkindCount
)

var tkindText = [tkindCount]string{
	tEOF: "end of file", tError: "error", tName: "identifier", tPrivate: "private name",
	tString: "string literal", tNumber: "number", tTemplate: "template literal",
	tTemplateHead: "template literal", tTemplateMiddle: "template literal",
	tTemplateTail: "template literal", tRegex: "regular expression",
	tLBrace: "{", tRBrace: "}", tLParen: "(", tRParen: ")", tLBrack: "[", tRBrack: "]",
	tDot: ".", tEllipsis: "...", tSemi: ";", tComma: ",", tLt: "<", tGt: ">", tLe: "<=",
	tGe: ">=", tEq2: "==", tNe: "!=", tEq3: "===", tNe2: "!==", tPlus: "+", tMinus: "-",
	tStar: "*", tStar2: "**", tSlash: "/", tPercent: "%", tInc: "++", tDec: "--",
	tShl: "<<", tShr: ">>", tUShr: ">>>", tAmp: "&", tPipe: "|", tCaret: "^", tBang: "!",
	tTilde: "~", tAnd2: "&&", tOr2: "||", tQuestion: "?", tQDot: "?.", tQQ: "??",
	tColon: ":", tAt: "@", tAssign: "=", tArrow: "=>", tPlusEq: "+=", tMinusEq: "-=",
	tStarEq: "*=", tStar2Eq: "**=", tSlashEq: "/=", tPercentEq: "%=", tShlEq: "<<=",
	tShrEq: ">>=", tUShrEq: ">>>=", tAmpEq: "&=", tPipeEq: "|=", tCaretEq: "^=",
	tAnd2Eq: "&&=", tOr2Eq: "||=", tQQEq: "??=",
}

func (k tkind) String() string { return tkindText[k] }

// scanner is an on-demand tokenizer. Its whole state is this struct, so the
// parser saves and restores it by copying (lookahead, speculative parsing).
// Context-dependent tokens are re-scanned at the parser's request: a '/' as
// a regular expression, a '}' as the continuation of a template, a '>' as
// part of a shift or comparison operator.
type scanner struct {
	src       string
	off       int // read position
	line      int
	lineStart int

	tok        tkind
	start      int // offset of the token
	tline      int
	tcol       int
	nl         bool   // a line terminator between the previous token and this one
	esc        bool   // tName written with \u escapes (so never a keyword)
	bad        bool   // template part with an invalid escape (no cooked value)
	val        string // see tkind
	raw        string // templates: raw text (CR/CRLF as LF); regex: flags
	docS, docE int    // the last /** */ comment before this token (docS < 0: none)
	err        *Error
}

func (s *scanner) init(src []byte) {
	s.src = string(src)
	s.line = 1
	s.docS = -1
	if strings.HasPrefix(s.src, "\uFEFF") {
		s.off = 3
		s.lineStart = 3 // columns count from after the byte order mark
	}
	if strings.HasPrefix(s.src[s.off:], "#!") {
		for s.off < len(s.src) && !s.isLT(s.off) {
			s.off++
		}
	}
}

func (s *scanner) pos() Pos { return Pos{Line: s.tline, Col: s.tcol, Off: s.start} }

// isLT reports whether a line terminator starts at i.
func (s *scanner) isLT(i int) bool {
	c := s.src[i]
	if c == '\n' || c == '\r' {
		return true
	}
	return c == 0xE2 && i+2 < len(s.src) && s.src[i+1] == 0x80 && (s.src[i+2] == 0xA8 || s.src[i+2] == 0xA9)
}

// countLines updates the line state for the consumed range [from, to).
func (s *scanner) countLines(from, to int) {
	for i := from; i < to; i++ {
		switch c := s.src[i]; c {
		case '\n':
			s.line++
			s.lineStart = i + 1
		case '\r':
			if i+1 < to && s.src[i+1] == '\n' {
				i++
			}
			s.line++
			s.lineStart = i + 1
		case 0xE2:
			if s.isLT(i) {
				s.line++
				s.lineStart = i + 3
				i += 2
			}
		}
	}
}

func (s *scanner) fail(off, line, col int, msg string) {
	s.err = &Error{Pos: Pos{Line: line, Col: col, Off: off}, Msg: msg}
	s.tok = tError
	s.off = len(s.src)
}

func (s *scanner) failHere(msg string) { s.fail(s.start, s.tline, s.tcol, msg) }

// skipTrivia skips white space and comments; false on an unterminated comment.
func (s *scanner) skipTrivia() bool {
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch c {
		case ' ', '\t', '\v', '\f':
			s.off++
		case '\n':
			s.off++
			s.line++
			s.lineStart = s.off
			s.nl = true
		case '\r':
			s.off++
			if s.off < len(s.src) && s.src[s.off] == '\n' {
				s.off++
			}
			s.line++
			s.lineStart = s.off
			s.nl = true
		case '/':
			if s.off+1 >= len(s.src) {
				return true
			}
			switch s.src[s.off+1] {
			case '/':
				i := s.off + 2
				for i < len(s.src) {
					b := s.src[i]
					if b == '\n' || b == '\r' || (b == 0xE2 && s.isLT(i)) {
						break
					}
					i++
				}
				s.off = i
			case '*':
				j := strings.Index(s.src[s.off+2:], "*/")
				if j < 0 {
					s.start = s.off
					s.tline, s.tcol = s.line, s.off-s.lineStart+1
					s.failHere("unterminated comment")
					return false
				}
				end := s.off + 2 + j + 2
				if j > 0 && s.src[s.off+2] == '*' {
					s.docS, s.docE = s.off, end
				}
				l := s.line
				s.countLines(s.off, end)
				if s.line != l {
					s.nl = true
				}
				s.off = end
			default:
				return true
			}
		default:
			if c < 0x80 {
				return true
			}
			r, n := utf8.DecodeRuneInString(s.src[s.off:])
			switch {
			case r == 0x2028 || r == 0x2029:
				s.off += n
				s.line++
				s.lineStart = s.off
				s.nl = true
			case r == 0xA0 || r == 0xFEFF || unicode.Is(unicode.Zs, r):
				s.off += n
			default:
				return true
			}
		}
	}
	return true
}

var asciiIdent [128]uint8 // 1: start and part, 2: part only

func init() {
	for c := 'a'; c <= 'z'; c++ {
		asciiIdent[c] = 1
	}
	for c := 'A'; c <= 'Z'; c++ {
		asciiIdent[c] = 1
	}
	asciiIdent['_'], asciiIdent['$'] = 1, 1
	for c := '0'; c <= '9'; c++ {
		asciiIdent[c] = 2
	}
}

func isIDStart(r rune) bool {
	if r < 0x80 {
		return asciiIdent[r] == 1
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_ID_Start, r)
}

func isIDPart(r rune) bool {
	if r < 0x80 {
		return asciiIdent[r] != 0
	}
	return isIDStart(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc) ||
		r == 0x200C || r == 0x200D || unicode.Is(unicode.Other_ID_Continue, r)
}

// next scans the next token.
func (s *scanner) next() {
	s.nl = false
	s.esc = false
	s.docS = -1
	if !s.skipTrivia() {
		return
	}
	s.start = s.off
	s.tline = s.line
	s.tcol = s.off - s.lineStart + 1
	if s.off >= len(s.src) {
		s.tok = tEOF
		return
	}
	c := s.src[s.off]
	if c < 0x80 && asciiIdent[c] == 1 {
		i := s.off + 1
		for i < len(s.src) && s.src[i] < 0x80 && asciiIdent[s.src[i]] != 0 {
			i++
		}
		if i < len(s.src) && (s.src[i] == '\\' || s.src[i] >= 0x80) {
			s.scanNameSlow(s.off)
			return
		}
		s.tok = tName
		s.val = s.src[s.off:i]
		s.off = i
		return
	}
	s.scanOther(c)
}

func (s *scanner) op(k tkind, n int) {
	s.tok = k
	s.off += n
}

// peekc returns the byte at s.off+i, or 0 past the end.
func (s *scanner) peekc(i int) byte {
	if s.off+i < len(s.src) {
		return s.src[s.off+i]
	}
	return 0
}

func (s *scanner) scanOther(c byte) {
	switch c {
	case '{':
		s.op(tLBrace, 1)
	case '}':
		s.op(tRBrace, 1)
	case '(':
		s.op(tLParen, 1)
	case ')':
		s.op(tRParen, 1)
	case '[':
		s.op(tLBrack, 1)
	case ']':
		s.op(tRBrack, 1)
	case ';':
		s.op(tSemi, 1)
	case ',':
		s.op(tComma, 1)
	case ':':
		s.op(tColon, 1)
	case '~':
		s.op(tTilde, 1)
	case '@':
		s.op(tAt, 1)
	case '.':
		if d := s.peekc(1); d >= '0' && d <= '9' {
			s.scanNumber()
		} else if d == '.' && s.peekc(2) == '.' {
			s.op(tEllipsis, 3)
		} else {
			s.op(tDot, 1)
		}
	case '"', '\'':
		s.scanString(c)
	case '`':
		s.scanTemplate(s.off+1, true)
	case '#':
		if s.off+1 < len(s.src) {
			r, _ := utf8.DecodeRuneInString(s.src[s.off+1:])
			if isIDStart(r) || r == '\\' {
				s.scanNameSlow(s.off + 1)
				if s.tok == tName {
					s.tok = tPrivate
					if s.esc {
						s.val = "#" + s.val
					} else {
						s.val = s.src[s.start:s.off]
					}
				}
				return
			}
		}
		s.failHere("invalid character '#'")
	case '<':
		switch s.peekc(1) {
		case '<':
			if s.peekc(2) == '=' {
				s.op(tShlEq, 3)
			} else {
				s.op(tShl, 2)
			}
		case '=':
			s.op(tLe, 2)
		default:
			s.op(tLt, 1)
		}
	case '>':
		s.op(tGt, 1)
	case '=':
		switch s.peekc(1) {
		case '=':
			if s.peekc(2) == '=' {
				s.op(tEq3, 3)
			} else {
				s.op(tEq2, 2)
			}
		case '>':
			s.op(tArrow, 2)
		default:
			s.op(tAssign, 1)
		}
	case '!':
		if s.peekc(1) == '=' {
			if s.peekc(2) == '=' {
				s.op(tNe2, 3)
			} else {
				s.op(tNe, 2)
			}
		} else {
			s.op(tBang, 1)
		}
	case '+':
		switch s.peekc(1) {
		case '+':
			s.op(tInc, 2)
		case '=':
			s.op(tPlusEq, 2)
		default:
			s.op(tPlus, 1)
		}
	case '-':
		switch s.peekc(1) {
		case '-':
			s.op(tDec, 2)
		case '=':
			s.op(tMinusEq, 2)
		default:
			s.op(tMinus, 1)
		}
	case '*':
		switch s.peekc(1) {
		case '*':
			if s.peekc(2) == '=' {
				s.op(tStar2Eq, 3)
			} else {
				s.op(tStar2, 2)
			}
		case '=':
			s.op(tStarEq, 2)
		default:
			s.op(tStar, 1)
		}
	case '/':
		if s.peekc(1) == '=' {
			s.op(tSlashEq, 2)
		} else {
			s.op(tSlash, 1)
		}
	case '%':
		if s.peekc(1) == '=' {
			s.op(tPercentEq, 2)
		} else {
			s.op(tPercent, 1)
		}
	case '&':
		switch s.peekc(1) {
		case '&':
			if s.peekc(2) == '=' {
				s.op(tAnd2Eq, 3)
			} else {
				s.op(tAnd2, 2)
			}
		case '=':
			s.op(tAmpEq, 2)
		default:
			s.op(tAmp, 1)
		}
	case '|':
		switch s.peekc(1) {
		case '|':
			if s.peekc(2) == '=' {
				s.op(tOr2Eq, 3)
			} else {
				s.op(tOr2, 2)
			}
		case '=':
			s.op(tPipeEq, 2)
		default:
			s.op(tPipe, 1)
		}
	case '^':
		if s.peekc(1) == '=' {
			s.op(tCaretEq, 2)
		} else {
			s.op(tCaret, 1)
		}
	case '?':
		switch s.peekc(1) {
		case '?':
			if s.peekc(2) == '=' {
				s.op(tQQEq, 3)
			} else {
				s.op(tQQ, 2)
			}
		case '.':
			if d := s.peekc(2); d >= '0' && d <= '9' {
				s.op(tQuestion, 1)
			} else {
				s.op(tQDot, 2)
			}
		default:
			s.op(tQuestion, 1)
		}
	case '\\':
		s.scanNameSlow(s.off)
	default:
		if c >= '0' && c <= '9' {
			s.scanNumber()
			return
		}
		if c >= 0x80 {
			r, _ := utf8.DecodeRuneInString(s.src[s.off:])
			if isIDStart(r) {
				s.scanNameSlow(s.off)
				return
			}
			if r == utf8.RuneError {
				s.failHere("invalid UTF-8 byte in source")
				return
			}
			s.failHere("invalid character '" + string(r) + "'")
			return
		}
		s.failHere("invalid character " + quoteByte(c))
	}
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	const hex = "0123456789abcdef"
	return "U+00" + string(hex[c>>4]) + string(hex[c&15])
}

// scanNameSlow scans a name starting at i with Unicode letters or \u escapes.
func (s *scanner) scanNameSlow(i int) {
	var b []byte
	first := true
	from := i
	for i < len(s.src) {
		c := s.src[i]
		if c == '\\' {
			if b == nil {
				b = append(make([]byte, 0, i-from+8), s.src[from:i]...)
			}
			r, n, ok := s.unicodeEscape(i)
			if !ok || !(first && isIDStart(r) || !first && isIDPart(r)) {
				s.fail(i, s.line, i-s.lineStart+1, "invalid escape sequence in identifier")
				return
			}
			b = utf8.AppendRune(b, r)
			i = n
			s.esc = true
			first = false
			continue
		}
		r, n := rune(c), 1
		if c >= 0x80 {
			r, n = utf8.DecodeRuneInString(s.src[i:])
		}
		if !(first && isIDStart(r) || !first && isIDPart(r)) {
			break
		}
		if b != nil {
			b = append(b, s.src[i:i+n]...)
		}
		i += n
		first = false
	}
	s.tok = tName
	if b != nil {
		s.val = string(b)
	} else {
		s.val = s.src[from:i]
	}
	s.off = i
}

// unicodeEscape decodes \uXXXX or \u{X...} at i (the backslash).
func (s *scanner) unicodeEscape(i int) (r rune, next int, ok bool) {
	if i+1 >= len(s.src) || s.src[i+1] != 'u' {
		return 0, i + 1, false
	}
	return s.hexEscape(i + 2)
}

// hexEscape decodes the part after \u at i: XXXX or {X...}.
func (s *scanner) hexEscape(i int) (rune, int, bool) {
	if i < len(s.src) && s.src[i] == '{' {
		j := i + 1
		var v rune
		for j < len(s.src) && s.src[j] != '}' {
			d := hexVal(s.src[j])
			if d < 0 {
				return 0, j, false
			}
			v = v*16 + rune(d)
			if v > 0x10FFFF {
				return 0, j, false
			}
			j++
		}
		if j >= len(s.src) || j == i+1 {
			return 0, j, false
		}
		return v, j + 1, true
	}
	if i+4 > len(s.src) {
		return 0, i, false
	}
	var v rune
	for k := i; k < i+4; k++ {
		d := hexVal(s.src[k])
		if d < 0 {
			return 0, k, false
		}
		v = v*16 + rune(d)
	}
	return v, i + 4, true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (s *scanner) scanNumber() {
	i := s.off
	src := s.src
	digits := func(ok func(byte) bool) bool {
		// digits with separators; false on a misplaced '_'
		prevDigit := false
		for i < len(src) {
			c := src[i]
			if c == '_' {
				if !prevDigit || i+1 >= len(src) || !ok(src[i+1]) {
					return false
				}
				prevDigit = false
			} else if ok(c) {
				prevDigit = true
			} else {
				break
			}
			i++
		}
		return true
	}
	dec := func(c byte) bool { return c >= '0' && c <= '9' }
	good := true
	bigOK := true
	if src[i] == '0' && i+1 < len(src) && strings.IndexByte("xXoObB", src[i+1]) >= 0 {
		var ok func(byte) bool
		switch src[i+1] | 0x20 {
		case 'x':
			ok = func(c byte) bool { return hexVal(c) >= 0 }
		case 'o':
			ok = func(c byte) bool { return c >= '0' && c <= '7' }
		default:
			ok = func(c byte) bool { return c == '0' || c == '1' }
		}
		i += 2
		if i >= len(src) || !ok(src[i]) {
			s.failHere("expected digits after the prefix of a numeric literal")
			return
		}
		good = digits(ok)
	} else {
		if src[i] != '.' {
			good = digits(dec)
		}
		if good && i < len(src) && src[i] == '.' {
			bigOK = false
			i++
			if i < len(src) && src[i] == '_' {
				good = false
			} else {
				good = digits(dec)
			}
		}
		if good && i < len(src) && (src[i] == 'e' || src[i] == 'E') {
			bigOK = false
			i++
			if i < len(src) && (src[i] == '+' || src[i] == '-') {
				i++
			}
			if i >= len(src) || !dec(src[i]) {
				s.fail(i, s.line, i-s.lineStart+1, "expected digits in the exponent of a numeric literal")
				return
			}
			good = digits(dec)
		}
	}
	if !good {
		s.fail(i, s.line, i-s.lineStart+1, "numeric separator '_' not allowed here")
		return
	}
	if bigOK && i < len(src) && src[i] == 'n' {
		i++
	}
	if i < len(src) {
		r, _ := utf8.DecodeRuneInString(src[i:])
		if isIDStart(r) || dec(src[i]) || r == '\\' {
			s.fail(i, s.line, i-s.lineStart+1, "an identifier or keyword cannot immediately follow a numeric literal")
			return
		}
	}
	s.tok = tNumber
	s.val = src[s.off:i]
	s.off = i
}

// escape decodes the escape sequence whose backslash is at i into b. In a
// template (tmpl), legacy octal escapes and \8 \9 are invalid. ok is false
// for an invalid escape; next is where scanning resumes.
func (s *scanner) escape(b []byte, i int, tmpl bool) (out []byte, next int, ok bool) {
	src := s.src
	if i+1 >= len(src) {
		return b, i + 1, false
	}
	c := src[i+1]
	switch c {
	case 'n':
		return append(b, '\n'), i + 2, true
	case 't':
		return append(b, '\t'), i + 2, true
	case 'r':
		return append(b, '\r'), i + 2, true
	case 'b':
		return append(b, '\b'), i + 2, true
	case 'f':
		return append(b, '\f'), i + 2, true
	case 'v':
		return append(b, '\v'), i + 2, true
	case '\r':
		if i+2 < len(src) && src[i+2] == '\n' {
			return b, i + 3, true
		}
		return b, i + 2, true
	case '\n':
		return b, i + 2, true
	case 'x':
		if i+3 < len(src) && hexVal(src[i+2]) >= 0 && hexVal(src[i+3]) >= 0 {
			return utf8.AppendRune(b, rune(hexVal(src[i+2])*16+hexVal(src[i+3]))), i + 4, true
		}
		return b, i + 2, false
	case 'u':
		r, n, ok := s.hexEscape(i + 2)
		if !ok {
			return b, i + 2, false
		}
		if r >= 0xD800 && r <= 0xDBFF && n+1 < len(src) && src[n] == '\\' && src[n+1] == 'u' {
			if r2, n2, ok2 := s.hexEscape(n + 2); ok2 && r2 >= 0xDC00 && r2 <= 0xDFFF {
				return utf8.AppendRune(b, (r-0xD800)<<10+(r2-0xDC00)+0x10000), n2, true
			}
		}
		return utf8.AppendRune(b, r), n, true // a lone surrogate becomes U+FFFD
	case '0', '1', '2', '3', '4', '5', '6', '7':
		if c == '0' && (i+2 >= len(src) || src[i+2] < '0' || src[i+2] > '9') {
			return append(b, 0), i + 2, true
		}
		if tmpl {
			return b, i + 2, false
		}
		v, j := 0, i+1
		max := 3
		if c >= '4' {
			max = 2
		}
		for k := 0; k < max && j < len(src) && src[j] >= '0' && src[j] <= '7'; k++ {
			v = v*8 + int(src[j]-'0')
			j++
		}
		return utf8.AppendRune(b, rune(v)), j, true
	case '8', '9':
		if tmpl {
			return b, i + 2, false
		}
		return append(b, c), i + 2, true
	}
	if c >= 0x80 {
		_, n := utf8.DecodeRuneInString(src[i+1:])
		if s.isLT(i + 1) { // \ + U+2028/2029: a line continuation
			return b, i + 1 + n, true
		}
		return append(b, src[i+1:i+1+n]...), i + 1 + n, true
	}
	return append(b, c), i + 2, true
}

func (s *scanner) scanString(q byte) {
	src := s.src
	i := s.off + 1
	for i < len(src) {
		c := src[i]
		if c == q {
			s.tok = tString
			s.val = src[s.off+1 : i]
			s.off = i + 1
			return
		}
		if c == '\\' || c == '\n' || c == '\r' || c == 0xE2 {
			break
		}
		i++
	}
	b := append(make([]byte, 0, i-s.off+16), src[s.off+1:i]...)
	for {
		if i >= len(src) || src[i] == '\n' || src[i] == '\r' {
			s.failHere("unterminated string literal")
			return
		}
		c := src[i]
		if c == q {
			break
		}
		if c != '\\' {
			if c == 0xE2 && s.isLT(i) {
				b = append(b, src[i:i+3]...)
				i += 3
				s.line++
				s.lineStart = i
				continue
			}
			b = append(b, c)
			i++
			continue
		}
		var ok bool
		from := i
		b, i, ok = s.escape(b, i, false)
		if !ok {
			s.fail(from, s.line, from-s.lineStart+1, "invalid escape sequence in string literal")
			return
		}
		s.countLines(from, i) // line continuations
	}
	s.tok = tString
	s.val = string(b)
	s.off = i + 1
}

// scanTemplate scans a template part starting at from (after ` or }).
func (s *scanner) scanTemplate(from int, head bool) {
	src := s.src
	i := from
	hasEsc, hasCR := false, false
	end := -1
	sub := false
	for i < len(src) {
		c := src[i]
		if c == '`' {
			end = i
			break
		}
		if c == '$' && i+1 < len(src) && src[i+1] == '{' {
			end = i
			sub = true
			break
		}
		if c == '\\' {
			hasEsc = true
			i++
			if i < len(src) && src[i] == '\r' {
				hasCR = true
			}
		} else if c == '\r' {
			hasCR = true
		}
		i++
	}
	if end < 0 {
		s.failHere("unterminated template literal")
		return
	}
	raw := src[from:end]
	if hasCR {
		raw = strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\r", "\n")
	}
	s.raw = raw
	s.bad = false
	s.val = raw
	if hasEsc {
		s.val, s.bad = s.cookTemplate(raw)
	}
	s.countLines(from, end)
	switch {
	case head && !sub:
		s.tok = tTemplate
	case head:
		s.tok = tTemplateHead
	case sub:
		s.tok = tTemplateMiddle
	default:
		s.tok = tTemplateTail
	}
	if sub {
		s.off = end + 2
	} else {
		s.off = end + 1
	}
}

// cookTemplate decodes the escapes of a raw template part; bad when one is invalid.
func (s *scanner) cookTemplate(raw string) (string, bool) {
	t := scanner{src: raw}
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		if raw[i] != '\\' {
			b = append(b, raw[i])
			i++
			continue
		}
		var ok bool
		b, i, ok = t.escape(b, i, true)
		if !ok {
			return "", true
		}
	}
	return string(b), false
}

// rescanSlash re-scans the current '/' or '/=' token as a regular expression.
func (s *scanner) rescanSlash() {
	src := s.src
	i := s.start + 1
	inClass := false
	for {
		if i >= len(src) || s.isLT(i) {
			s.failHere("unterminated regular expression literal")
			return
		}
		c := src[i]
		if c == '\\' {
			i++
			if i >= len(src) || s.isLT(i) {
				s.failHere("unterminated regular expression literal")
				return
			}
			_, n := utf8.DecodeRuneInString(src[i:])
			i += n
			continue
		}
		if c == '[' {
			inClass = true
		} else if c == ']' {
			inClass = false
		} else if c == '/' && !inClass {
			break
		}
		i++
	}
	body := src[s.start+1 : i]
	i++
	f := i
	for i < len(src) {
		r, n := utf8.DecodeRuneInString(src[i:])
		if !isIDPart(r) {
			break
		}
		i += n
	}
	s.tok = tRegex
	s.val = body
	s.raw = src[f:i]
	s.off = i
}

// rescanTemplate re-scans the current '}' as the continuation of a template.
func (s *scanner) rescanTemplate() {
	s.scanTemplate(s.start+1, false)
}

// rescanGreater joins the current '>' with the characters that follow it
// into >=, >>, >>=, >>>, >>>=.
func (s *scanner) rescanGreater() {
	if s.tok != tGt {
		return
	}
	switch s.peekc(0) {
	case '=':
		s.op(tGe, 1)
	case '>':
		switch s.peekc(1) {
		case '>':
			if s.peekc(2) == '=' {
				s.op(tUShrEq, 3)
			} else {
				s.op(tUShr, 2)
			}
		case '=':
			s.op(tShrEq, 2)
		default:
			s.op(tShr, 1)
		}
	}
}

// token is one token of tokenize's output.
type token struct {
	kind tkind
	pos  Pos
	end  int
	val  string
	nl   bool
}

// tokenize splits src into tokens without a parser, deciding between a
// regular expression and a division by the previous token, and following
// template substitutions by counting braces. The parser does not use it (it
// asks the scanner for context-dependent tokens itself); it serves tests
// and tools.
func tokenize(src []byte) ([]token, error) {
	var s scanner
	s.init(src)
	var out []token
	var braces []int
	prev := tEOF
	prevVal := ""
	for {
		s.next()
		switch s.tok {
		case tError:
			return out, s.err
		case tSlash, tSlashEq:
			if regexAllowedAfter(prev, prevVal) {
				s.rescanSlash()
				if s.tok == tError {
					return out, s.err
				}
			}
		case tGt:
			s.rescanGreater()
		case tLBrace:
			if len(braces) > 0 {
				braces[len(braces)-1]++
			}
		case tRBrace:
			if len(braces) > 0 {
				if braces[len(braces)-1] == 0 {
					s.rescanTemplate()
					if s.tok == tError {
						return out, s.err
					}
					if s.tok == tTemplateTail {
						braces = braces[:len(braces)-1]
					}
				} else {
					braces[len(braces)-1]--
				}
			}
		case tTemplateHead:
			braces = append(braces, 0)
		}
		out = append(out, token{kind: s.tok, pos: s.pos(), end: s.off, val: s.val, nl: s.nl})
		if s.tok == tEOF {
			return out, nil
		}
		prev, prevVal = s.tok, s.val
	}
}

func regexAllowedAfter(k tkind, val string) bool {
	switch k {
	case tNumber, tString, tTemplate, tTemplateTail, tRegex, tRParen, tRBrack, tRBrace, tPrivate, tInc, tDec:
		return false
	case tName:
		switch val {
		case "return", "typeof", "case", "do", "else", "in", "instanceof", "new", "delete", "void",
			"throw", "yield", "await", "of":
			return true
		}
		return false
	}
	return true
}
