package parser

import (
	"fmt"
	"strconv"
	"strings"
)

// columnRef is `table.cols.x` or `Model.x`: it formats as the quoted column
// name, as upstream's Column.__format__ does.
type columnRef struct{ name string }

// colsVal is `table.cols`.
type colsVal struct{ names map[string]bool }

// evalFString evaluates an f-string whose fields are all known before the
// program runs (constants, strings, tables, columns); otherwise it is a
// value known only at run time.
func (ev *evaluator) evalFString(m *module, s *Str) (value, error) {
	unknown := unknownVal{pos: s.P, why: "an f-string with values known only at run time"}
	var b strings.Builder
	body := s.Value
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '{' && i+1 < len(body) && body[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(body) && body[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			end := fieldEnd(body, i)
			if end < 0 {
				return unknown, nil
			}
			text, ok, err := ev.formatField(m, body[i+1:end])
			if err != nil {
				return nil, err
			}
			if !ok {
				return unknown, nil
			}
			b.WriteString(text)
			i = end
		default:
			b.WriteByte(c)
		}
	}
	if s.IsBytes {
		return unknown, nil
	}
	out, err := unescape(b.String())
	if err != nil || s.Raw {
		out = b.String()
	}
	return strVal(out), nil
}

// scanTopLevel walks s from start, skipping quoted strings, and calls visit
// with each other byte and the bracket depth after it; visit returns true
// to stop, and scanTopLevel then returns that index (else -1).
func scanTopLevel(s string, start int, visit func(j int, c byte, depth int) bool) int {
	depth := 0
	var quote byte
	for j := start; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			continue
		case c == '\'' || c == '"':
			quote = c
			continue
		case c == '{' || c == '[' || c == '(':
			depth++
		case c == '}' || c == ']' || c == ')':
			depth--
		}
		if visit(j, c, depth) {
			return j
		}
	}
	return -1
}

// fieldEnd finds the `}` closing the field opened at i, across nested
// brackets and strings.
func fieldEnd(s string, i int) int {
	return scanTopLevel(s, i, func(_ int, c byte, depth int) bool {
		return depth == 0 && (c == '}' || c == ']' || c == ')')
	})
}

// formatField evaluates one `{expr[!conv][:spec]}` field.
func (ev *evaluator) formatField(m *module, field string) (string, bool, error) {
	expr, conv, spec := splitField(field)
	if strings.HasSuffix(strings.TrimSpace(expr), "=") {
		return "", false, nil // self-documenting `{x=}`
	}
	mod, err := Parse(m.file, "_ = "+expr+"\n")
	if err != nil || len(mod.Body) != 1 {
		return "", false, nil
	}
	as, ok := mod.Body[0].(*Assign)
	if !ok {
		return "", false, nil
	}
	v, err := ev.eval(m, as.Value)
	if err != nil {
		return "", false, err
	}
	var text string
	switch x := v.(type) {
	case strVal:
		text = string(x)
		if conv == "r" {
			text = "'" + text + "'"
		}
	case intVal:
		text = strconv.FormatInt(int64(x), 10)
	case floatVal:
		text = strconv.FormatFloat(float64(x), 'g', -1, 64)
	case boolVal:
		text = map[bool]string{true: "True", false: "False"}[bool(x)]
	case columnRef:
		text = "`" + x.name + "`"
	case tableVal:
		text = "`" + x.t.Name + "`"
	case mvVal:
		text = "`" + x.target.Name + "`"
	case viewVal:
		text = "`" + x.v.Name + "`"
	default:
		return "", false, nil
	}
	if spec != "" && spec != "col" && spec != "c" && spec != "column" {
		if n, err := strconv.Atoi(strings.TrimLeft(spec, "<>^")); err == nil && len(text) < n {
			text += strings.Repeat(" ", n-len(text))
		} else if err != nil {
			return "", false, nil
		}
	}
	return text, true, nil
}

// splitField separates `expr!conv:spec` at the top level.
func splitField(f string) (expr, conv, spec string) {
	at := scanTopLevel(f, 0, func(j int, c byte, depth int) bool {
		return depth == 0 && (c == ':' || c == '!' && j+1 < len(f) && f[j+1] != '=')
	})
	switch {
	case at < 0:
		return f, "", ""
	case f[at] == ':':
		return f[:at], "", f[at+1:]
	}
	conv, spec, _ = strings.Cut(f[at+1:], ":")
	return f[:at], conv, spec
}

func (c columnRef) String() string { return fmt.Sprintf("column %s", c.name) }
