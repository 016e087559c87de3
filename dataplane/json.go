package dataplane

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonNode is a parsed JSON value that keeps what the ingest API needs
// and encoding/json drops: the order of an object's keys, a number's text,
// and where the value ends (upstream's messages say `at line L column C`).
type jsonNode struct {
	kind  byte // 'o' object, 'a' array, 's' string, 'n' number, 't'/'f' booleans, 'z' null
	str   string
	keys  []string
	vals  []*jsonNode
	start int // offset of the value's first byte
	end   int // offset just past the value
}

// jsonError is a syntax error at an offset, in serde_json's words.
type jsonError struct {
	msg string
	off int
}

type jsonParser struct {
	b     []byte
	i     int
	depth int
}

const jsonMaxDepth = 128 // serde_json's recursion limit

// parseJSON parses one JSON document (surrounding whitespace allowed).
func parseJSON(b []byte) (*jsonNode, *jsonError) {
	p := &jsonParser{b: b}
	p.ws()
	if p.i >= len(b) {
		return nil, &jsonError{"EOF while parsing a value", p.i}
	}
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i < len(b) {
		return nil, &jsonError{"trailing characters", p.i + 1}
	}
	return n, nil
}

func (p *jsonParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (*jsonNode, *jsonError) {
	if p.i >= len(p.b) {
		return nil, &jsonError{"EOF while parsing a value", p.i}
	}
	start := p.i
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.string()
		if err != nil {
			return nil, err
		}
		return &jsonNode{kind: 's', str: s, start: start, end: p.i}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", 't')
	case c == 'f':
		return p.literal("false", 'f')
	case c == 'n':
		return p.literal("null", 'z')
	}
	return nil, &jsonError{"expected value", p.i + 1}
}

func (p *jsonParser) literal(word string, kind byte) (*jsonNode, *jsonError) {
	start := p.i
	for k := 0; k < len(word); k++ {
		if p.i >= len(p.b) {
			return nil, &jsonError{"EOF while parsing a value", p.i}
		}
		if p.b[p.i] != word[k] {
			return nil, &jsonError{"expected ident", p.i + 1}
		}
		p.i++
	}
	return &jsonNode{kind: kind, start: start, end: p.i}, nil
}

func (p *jsonParser) number() (*jsonNode, *jsonError) {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i >= len(p.b) {
		return nil, &jsonError{"EOF while parsing a value", p.i}
	}
	if p.b[p.i] == '0' {
		p.i++
		if p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			return nil, &jsonError{"invalid number", p.i + 1}
		}
	} else if digits() == 0 {
		return nil, &jsonError{"invalid number", p.i + 1}
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if digits() == 0 {
			if p.i >= len(p.b) {
				return nil, &jsonError{"EOF while parsing a value", p.i}
			}
			return nil, &jsonError{"invalid number", p.i + 1}
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			if p.i >= len(p.b) {
				return nil, &jsonError{"EOF while parsing a value", p.i}
			}
			return nil, &jsonError{"invalid number", p.i + 1}
		}
	}
	return &jsonNode{kind: 'n', str: string(p.b[start:p.i]), start: start, end: p.i}, nil
}

func (p *jsonParser) string() (string, *jsonError) {
	p.i++ // the opening quote
	start := p.i
	var out []byte
	for {
		if p.i >= len(p.b) {
			return "", &jsonError{"EOF while parsing a string", p.i}
		}
		c := p.b[p.i]
		switch {
		case c == '"':
			s := string(p.b[start:p.i])
			if out != nil {
				s = string(append(out, p.b[start:p.i]...))
			}
			p.i++
			if !utf8.ValidString(s) {
				return "", &jsonError{"invalid unicode code point", p.i}
			}
			return s, nil
		case c < 0x20:
			return "", &jsonError{"control character (\\u0000-\\u001F) found while parsing a string", p.i + 1}
		case c == '\\':
			out = append(out, p.b[start:p.i]...)
			p.i++
			if p.i >= len(p.b) {
				return "", &jsonError{"EOF while parsing a string", p.i}
			}
			e := p.b[p.i]
			p.i++
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
						p.i += 2
						r2, err := p.hex4()
						if err != nil {
							return "", err
						}
						r = utf16.DecodeRune(r, r2)
					} else {
						r = utf8.RuneError
					}
					if r == utf8.RuneError {
						return "", &jsonError{"lone leading surrogate in hex escape", p.i}
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", &jsonError{"invalid escape", p.i}
			}
			start = p.i
		default:
			p.i++
		}
	}
}

func (p *jsonParser) hex4() (rune, *jsonError) {
	if p.i+4 > len(p.b) {
		return 0, &jsonError{"EOF while parsing a string", len(p.b)}
	}
	n, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, &jsonError{"invalid escape", p.i + 1}
	}
	p.i += 4
	return rune(n), nil
}

func (p *jsonParser) enter() *jsonError {
	p.depth++
	if p.depth > jsonMaxDepth {
		return &jsonError{"recursion limit exceeded", p.i + 1}
	}
	return nil
}

func (p *jsonParser) object() (*jsonNode, *jsonError) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	n := &jsonNode{kind: 'o', start: p.i}
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		n.end = p.i
		return n, nil
	}
	for {
		p.ws()
		if p.i >= len(p.b) {
			return nil, &jsonError{"EOF while parsing an object", p.i}
		}
		if p.b[p.i] != '"' {
			if p.b[p.i] == '}' {
				return nil, &jsonError{"trailing comma", p.i + 1}
			}
			return nil, &jsonError{"key must be a string", p.i + 1}
		}
		k, err := p.string()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.b) {
			return nil, &jsonError{"EOF while parsing an object", p.i}
		}
		if p.b[p.i] != ':' {
			return nil, &jsonError{"expected `:`", p.i + 1}
		}
		p.i++
		p.ws()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, k)
		n.vals = append(n.vals, v)
		p.ws()
		if p.i >= len(p.b) {
			return nil, &jsonError{"EOF while parsing an object", p.i}
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			n.end = p.i
			return n, nil
		default:
			return nil, &jsonError{"expected `,` or `}`", p.i + 1}
		}
	}
}

func (p *jsonParser) array() (*jsonNode, *jsonError) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	n := &jsonNode{kind: 'a', start: p.i}
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		n.end = p.i
		return n, nil
	}
	for {
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			return nil, &jsonError{"trailing comma", p.i + 1}
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.vals = append(n.vals, v)
		p.ws()
		if p.i >= len(p.b) {
			return nil, &jsonError{"EOF while parsing a list", p.i}
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			n.end = p.i
			return n, nil
		default:
			return nil, &jsonError{"expected `,` or `]`", p.i + 1}
		}
	}
}

// lineCol is serde_json's position of an offset: 1-based line, and the
// bytes consumed on that line.
func lineCol(b []byte, off int) (int, int) {
	if off > len(b) {
		off = len(b)
	}
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if b[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, off - start
}

// at is serde_json's position suffix for an offset.
func at(b []byte, off int) string {
	l, c := lineCol(b, off)
	return fmt.Sprintf(" at line %d column %d", l, c)
}
