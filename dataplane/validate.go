package dataplane

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/moose-dev/moose-dev/infra"
)

// Model validates ingest records against a data model's columns as
// upstream's ingest API does (its validate_passthrough), and writes each
// record as it goes to the stream: the model's fields in the order sent,
// values normalised (an integer sent as a string becomes a number, a
// date-time sent as epoch seconds becomes RFC 3339), computed columns
// (MATERIALIZED, ALIAS) and fields the model does not name dropped unless
// it allows extra fields.
type Model struct {
	cols       []infra.Column
	allowExtra bool
}

// NewModel is the validator of columns; allowExtra passes fields the
// model does not name through (upstream's allow_extra_fields).
func NewModel(cols []infra.Column, allowExtra bool) *Model {
	return &Model{cols: cols, allowExtra: allowExtra}
}

// ValidationError is why a request is refused, in upstream's words
// (serde's, with the position in the body), and which record it is.
type ValidationError struct {
	Msg    string // e.g. `invalid type: string "x", expected an integer value at qty at line 1 column 12`
	Record int    // the record's index in an array body; -1 for a single object
}

func (e *ValidationError) Error() string { return e.Msg }

// Records validates a request body: one object or an array of objects.
// It returns each record as written to the stream, or the first error.
func (m *Model) Records(body []byte) ([][]byte, *ValidationError) {
	doc, jerr := parseJSON(body)
	if jerr != nil {
		return nil, &ValidationError{Msg: jerr.msg + at(body, jerr.off), Record: -1}
	}
	v := &validator{body: body}
	switch doc.kind {
	case 'o':
		out, err := v.record(m, doc)
		if err != nil {
			return nil, &ValidationError{Msg: err.Error(), Record: -1}
		}
		return [][]byte{out}, nil
	case 'a':
		out := make([][]byte, 0, len(doc.vals))
		for i, r := range doc.vals {
			rec, err := v.record(m, r)
			if err != nil {
				return nil, &ValidationError{Msg: err.Error(), Record: i}
			}
			out = append(out, rec)
		}
		return out, nil
	}
	return nil, &ValidationError{Msg: v.invalidType(doc, "an array").Error(), Record: -1}
}

// Objects are the objects of a body that parses (the object itself, or
// an array's objects), for the dead letter queue.
func Objects(body []byte) [][]byte {
	doc, err := parseJSON(body)
	if err != nil {
		return nil
	}
	compact := func(n *jsonNode) []byte {
		var b bytes.Buffer
		if json.Compact(&b, body[n.start:n.end]) != nil {
			return nil
		}
		return b.Bytes()
	}
	switch doc.kind {
	case 'o':
		return [][]byte{compact(doc)}
	case 'a':
		var out [][]byte
		for _, v := range doc.vals {
			if v.kind == 'o' {
				out = append(out, compact(v))
			}
		}
		return out
	}
	return nil
}

type validator struct {
	body []byte
	out  bytes.Buffer
}

// posError is an error at the end of a value, as serde_json places them.
type posError struct{ msg string }

func (e *posError) Error() string { return e.msg }

func (v *validator) errAt(n *jsonNode, format string, args ...any) error {
	return &posError{fmt.Sprintf(format, args...) + at(v.body, n.end)}
}

func (v *validator) record(m *Model, n *jsonNode) ([]byte, error) {
	if n.kind != 'o' {
		return nil, v.invalidType(n, "an object")
	}
	v.out.Reset()
	if err := v.object(n, m.cols, m.allowExtra, ""); err != nil {
		return nil, err
	}
	return bytes.Clone(v.out.Bytes()), nil
}

func (v *validator) object(n *jsonNode, cols []infra.Column, allowExtra bool, prefix string) error {
	seen := make([]bool, len(cols))
	v.out.WriteByte('{')
	first := true
	key := func(k string) {
		if !first {
			v.out.WriteByte(',')
		}
		first = false
		writeJSONString(&v.out, k)
		v.out.WriteByte(':')
	}
	for i, k := range n.keys {
		ci := columnIndex(cols, k)
		if ci < 0 {
			if allowExtra {
				key(k)
				if err := json.Compact(&v.out, v.body[n.vals[i].start:n.vals[i].end]); err != nil {
					return v.errAt(n.vals[i], "%v", err)
				}
			}
			continue
		}
		c := cols[ci]
		seen[ci] = true
		if c.Materialized != nil || c.Alias != nil {
			continue
		}
		key(k)
		if err := v.value(n.vals[i], c.DataType, c.Required, joinPath(prefix, k)); err != nil {
			return err
		}
	}
	var missing []string
	for i, c := range cols {
		if !seen[i] && c.Required && c.Default == nil && c.Materialized == nil && c.Alias == nil {
			missing = append(missing, joinPath(prefix, c.Name))
		}
	}
	if len(missing) > 0 {
		return v.errAt(n, "Missing fields: %s", strings.Join(missing, ", "))
	}
	v.out.WriteByte('}')
	return nil
}

func columnIndex(cols []infra.Column, name string) int {
	for i := range cols {
		if cols[i].Name == name {
			return i
		}
	}
	return -1
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

var (
	integerRE = regexp.MustCompile(`^-?(?:0|[1-9]\d*)$`)
	dateRE    = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)
	decimalRE = regexp.MustCompile(`^-?\d+(\.\d+)?$`)
	ipv4RE    = regexp.MustCompile(`^((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$`)
	uuidRE    = regexp.MustCompile(`^(?:urn:uuid:)?\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$`)
)

// intRanges are the bounds of the sized integers.
var intRanges = map[infra.Scalar][2]*big.Int{}

func init() {
	for bits, names := range map[uint][2]infra.Scalar{8: {infra.Int8, infra.UInt8}, 16: {infra.Int16, infra.UInt16},
		32: {infra.Int32, infra.UInt32}, 64: {infra.Int64, infra.UInt64}, 128: {infra.Int128, infra.UInt128}, 256: {infra.Int256, infra.UInt256}} {
		one := big.NewInt(1)
		half := new(big.Int).Lsh(one, bits-1)
		full := new(big.Int).Lsh(one, bits)
		intRanges[names[0]] = [2]*big.Int{new(big.Int).Neg(half), new(big.Int).Sub(half, one)}
		intRanges[names[1]] = [2]*big.Int{big.NewInt(0), new(big.Int).Sub(full, one)}
	}
}

func isInt(t infra.ColumnType) (infra.Scalar, bool) {
	s, ok := t.(infra.Scalar)
	if !ok {
		return "", false
	}
	_, ok = intRanges[s]
	return s, ok
}

func isFloat(t infra.ColumnType) bool { return t == infra.Float32 || t == infra.Float64 }

func inRange(text string, s infra.Scalar) bool {
	n, ok := new(big.Int).SetString(text, 10)
	r := intRanges[s]
	return ok && n.Cmp(r[0]) >= 0 && n.Cmp(r[1]) <= 0
}

// number is how upstream's serde_json (built with arbitrary_precision)
// hands a JSON number to the validator: an unsigned ('u') or negative
// ('i') integer when it fits 64 bits, else (a float, or a bigger integer)
// as its text inside a map ('m').
func number(text string) byte {
	if !strings.ContainsAny(text, ".eE") {
		if _, err := strconv.ParseUint(text, 10, 64); err == nil {
			return 'u'
		}
		if _, err := strconv.ParseInt(text, 10, 64); err == nil {
			return 'i'
		}
	}
	return 'm'
}

func (v *validator) value(n *jsonNode, t infra.ColumnType, required bool, path string) error {
	if nt, ok := t.(infra.Nullable); ok {
		t = nt.Inner
		if n.kind == 'z' {
			v.out.WriteString("null")
			return nil
		}
	}
	switch n.kind {
	case 'z':
		if required {
			return v.errAt(n, "Required value at %s, but is none", path)
		}
		v.out.WriteString("null")
		return nil
	case 't', 'f':
		if t == infra.Boolean {
			v.out.WriteString(map[byte]string{'t': "true", 'f': "false"}[n.kind])
			return nil
		}
		return v.invalidTypeAt(n, t, path)
	case 'n':
		return v.number(n, t, path)
	case 's':
		return v.str(n, t, path)
	case 'a':
		return v.seq(n, t, path)
	case 'o':
		return v.mapValue(n, t, path)
	}
	return nil
}

func (v *validator) number(n *jsonNode, t infra.ColumnType, path string) error {
	kind := number(n.str)
	_, isDecimal := t.(infra.Decimal)
	it, isInteger := isInt(t)
	if kind == 'm' {
		switch {
		case isFloat(t) || isDecimal || t == infra.BigInt:
			v.out.WriteString(n.str)
			return nil
		case isInteger:
			if !integerRE.MatchString(n.str) || !inRange(n.str, it) {
				return v.errAt(n, "Integer out of range for %s at %s: %s", it, path, n.str)
			}
			v.out.WriteString(n.str)
			return nil
		}
		return v.invalidTypeAt(n, t, path)
	}
	switch {
	case isInteger:
		if inRange(n.str, it) {
			v.out.WriteString(n.str)
			return nil
		}
		if strings.HasPrefix(it.String(), "U") && kind == 'i' {
			return v.errAt(n, "Negative value for %s at %s", it, path)
		}
		return v.errAt(n, "Integer out of range for %s at %s: %s", it, path, n.str)
	case isFloat(t) || isDecimal:
		v.out.WriteString(n.str)
		return nil
	}
	if e, ok := t.(infra.Enum); ok {
		return v.enumNumber(n, e, kind)
	}
	return v.invalidTypeAt(n, t, path)
}

func (v *validator) enumNumber(n *jsonNode, e infra.Enum, kind byte) error {
	for i, m := range e.Values {
		if m.Value.Int != nil {
			if kind == 'u' && *m.Value.Int < 0 {
				continue
			}
			if strconv.FormatInt(int64(int16(*m.Value.Int)), 10) == n.str {
				v.out.WriteString(n.str)
				return nil
			}
		} else if strconv.Itoa(i) == n.str {
			v.out.WriteString(n.str)
			return nil
		}
	}
	return v.errAt(n, "Invalid enum value: %s", n.str)
}

func (v *validator) str(n *jsonNode, t infra.ColumnType, path string) error {
	s := n.str
	if it, ok := isInt(t); ok {
		if !integerRE.MatchString(s) || !inRange(s, it) {
			return v.invalidTypeAt(n, t, path)
		}
		v.out.WriteString(s)
		return nil
	}
	if isFloat(t) {
		f, err := strconv.ParseFloat(strings.TrimPrefix(s, "+"), 64)
		if err != nil && !isRustFloatWord(s) {
			return v.invalidTypeAt(n, t, path)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			v.out.WriteString("null") // serde_json writes non-finite floats as null
			return nil
		}
		v.out.WriteString(rustFloat(f))
		return nil
	}
	switch t := t.(type) {
	case infra.FixedString:
		if len(s) > t.Length {
			return v.errAt(n, "FixedString(%d) value exceeds maximum length: got %d bytes, max %d bytes at %s", t.Length, len(s), t.Length, path)
		}
	case infra.DateTime64:
		if !isRFC3339(s) {
			return v.errAt(n, "Invalid date format at %s", path)
		}
	case infra.Decimal:
		if !decimalRE.MatchString(s) {
			return v.errAt(n, "Invalid decimal format at %s", path)
		}
	case infra.Enum:
		for _, m := range t.Values {
			if (m.Value.Int != nil && m.Name == s) || (m.Value.Str != nil && *m.Value.Str == s) {
				writeJSONString(&v.out, s)
				return nil
			}
		}
		return v.errAt(n, "Invalid enum value at %s: %s", path, s)
	case infra.Scalar:
		switch t {
		case infra.String:
		case infra.DateTime:
			if !isRFC3339(s) {
				return v.errAt(n, "Invalid date format at %s", path)
			}
		case infra.IPv4:
			if !ipv4RE.MatchString(s) {
				return v.errAt(n, "Invalid IPv4 format at %s", path)
			}
		case infra.IPv6:
			if a, err := netip.ParseAddr(s); err != nil || !a.Is6() || a.Zone() != "" {
				return v.errAt(n, "Invalid IPv6 format at %s", path)
			}
		case infra.Date, infra.Date16:
			if !dateRE.MatchString(s) {
				return v.errAt(n, "Invalid date format at %s", path)
			}
		case infra.UUID:
			if !uuidRE.MatchString(s) || strings.HasPrefix(s, "{") != strings.HasSuffix(s, "}") {
				return v.invalidTypeAt(n, t, path)
			}
		default:
			return v.invalidTypeAt(n, t, path)
		}
	default:
		return v.invalidTypeAt(n, t, path)
	}
	writeJSONString(&v.out, s)
	return nil
}

// isRFC3339 is chrono's parse_from_rfc3339: a date, `T` (or `t` or a
// space), a time with optional fraction, and `Z` or an offset.
func isRFC3339(s string) bool {
	if len(s) < 20 {
		return false
	}
	b := []byte(s)
	if b[10] == 't' || b[10] == ' ' {
		b[10] = 'T'
	}
	if last := len(b) - 1; b[last] == 'z' {
		b[last] = 'Z'
	}
	_, err := time.Parse(time.RFC3339Nano, string(b))
	return err == nil
}

func isRustFloatWord(s string) bool {
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "inf", "infinity", "nan":
		return true
	}
	return false
}

// rustFloat formats a float as Rust (and serde_json, through ryu) does:
// the shortest text that reads back, with a `.0` on whole numbers.
func rustFloat(f float64) string {
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-5 || abs >= 1e16) {
		s := strconv.FormatFloat(f, 'e', -1, 64) // 1e+16 -> 1e16, as ryu
		mant, exp, _ := strings.Cut(s, "e")
		exp = strings.TrimPrefix(exp, "+")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		return mant + "e" + exp
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func (v *validator) seq(n *jsonNode, t infra.ColumnType, path string) error {
	elems := func(elem infra.ColumnType, required bool) error {
		v.out.WriteByte('[')
		for i, e := range n.vals {
			if i > 0 {
				v.out.WriteByte(',')
			}
			if err := v.value(e, elem, required, joinPath(path, strconv.Itoa(i))); err != nil {
				return err
			}
		}
		v.out.WriteByte(']')
		return nil
	}
	switch t := t.(type) {
	case infra.Array:
		return elems(t.Element, t.ElementNullable) // sic: upstream refuses null elements only when they are nullable
	case infra.Scalar:
		switch t {
		case "Point":
			if len(n.vals) < 2 {
				return v.errAt(n, "Invalid tuple length at %s: expected 2 elements", path)
			}
			if len(n.vals) > 2 {
				return v.errAt(n, "Invalid tuple length at %s: unexpected extra element", path)
			}
			return elems(infra.Float64, true)
		case "Ring", "LineString":
			return elems(infra.Scalar("Point"), true)
		case "MultiLineString", "Polygon":
			return elems(infra.Scalar("LineString"), true)
		case "MultiPolygon":
			return elems(infra.Scalar("Polygon"), true)
		}
	}
	return v.invalidTypeAt(n, t, path)
}

func (v *validator) mapValue(n *jsonNode, t infra.ColumnType, path string) error {
	switch t := t.(type) {
	case infra.Nested:
		return v.object(n, t.Columns, false, path)
	case infra.NamedTuple:
		cols := make([]infra.Column, len(t.Fields))
		for i, f := range t.Fields {
			c := infra.Column{Name: f.Name, DataType: f.Type, Required: true}
			if nt, ok := f.Type.(infra.Nullable); ok {
				c.DataType, c.Required = nt.Inner, false
			}
			cols[i] = c
		}
		return v.object(n, cols, false, path)
	case infra.MapType:
		v.out.WriteByte('{')
		for i, k := range n.keys {
			if err := v.mapKey(n.vals[i], k, t.Key, path); err != nil {
				return err
			}
			if i > 0 {
				v.out.WriteByte(',')
			}
			writeJSONString(&v.out, k)
			v.out.WriteByte(':')
			if err := v.value(n.vals[i], t.Value, true, joinPath(path, k)); err != nil {
				return err
			}
		}
		v.out.WriteByte('}')
		return nil
	case infra.JSONOptions:
		return json.Compact(&v.out, v.body[n.start:n.end])
	}
	if t == infra.JSON {
		return json.Compact(&v.out, v.body[n.start:n.end])
	}
	return v.invalidTypeAt(n, t, path)
}

// mapKey checks a Map's key against its type; errors sit at the value
// read after the key, as upstream's are raised there.
func (v *validator) mapKey(val *jsonNode, k string, t infra.ColumnType, path string) error {
	if t == infra.String {
		return nil
	}
	if it, ok := isInt(t); ok {
		if !integerRE.MatchString(k) {
			return v.errAt(val, "Invalid integer key '%s' for Map at %s", k, path)
		}
		if strings.HasPrefix(it.String(), "U") && strings.HasPrefix(k, "-") {
			return v.errAt(val, "Invalid unsigned integer key")
		}
		if !inRange(k, it) {
			return v.errAt(val, "out of range %s", it)
		}
		return nil
	}
	if isFloat(t) {
		if _, err := strconv.ParseFloat(k, 64); err != nil && !isRustFloatWord(k) {
			return v.errAt(val, "Invalid float key '%s' for Map at %s", k, path)
		}
		return nil
	}
	switch t {
	case infra.IPv4:
		if !ipv4RE.MatchString(k) {
			return v.errAt(val, "Invalid IPv4 key '%s' for Map at %s", k, path)
		}
		return nil
	case infra.IPv6:
		if a, err := netip.ParseAddr(k); err != nil || !a.Is6() {
			return v.errAt(val, "Invalid IPv6 key '%s' for Map at %s", k, path)
		}
		return nil
	case infra.UUID:
		if !uuidRE.MatchString(k) {
			return v.errAt(val, "Invalid UUID key '%s' for Map at %s", k, path)
		}
		return nil
	}
	return v.errAt(val, "Unsupported key type %s for Map at %s", t, path)
}

// invalidType is serde's "invalid type: <what was sent>, expected <what>".
func (v *validator) invalidType(n *jsonNode, expected string) error {
	return v.errAt(n, "invalid type: %s, expected %s", unexpected(n), expected)
}

func (v *validator) invalidTypeAt(n *jsonNode, t infra.ColumnType, path string) error {
	return v.invalidType(n, expecting(t)+" at "+path)
}

// unexpected is serde's description of a JSON value.
func unexpected(n *jsonNode) string {
	switch n.kind {
	case 't':
		return "boolean `true`"
	case 'f':
		return "boolean `false`"
	case 'z':
		return "null"
	case 's':
		return "string " + rustDebugString(n.str)
	case 'a':
		return "sequence"
	case 'o':
		return "map"
	}
	if number(n.str) == 'm' {
		return "map" // a float, or an integer past 64 bits (arbitrary_precision)
	}
	return "integer `" + n.str + "`"
}

// expecting is upstream's description of a column type.
func expecting(t infra.ColumnType) string {
	switch t := t.(type) {
	case infra.FixedString:
		return "a string value"
	case infra.Decimal:
		return "a value matching the column type"
	case infra.DateTime64:
		return "a datetime value"
	case infra.Enum:
		return "an enum value"
	case infra.Array:
		return "an array value"
	case infra.Nested:
		return "a nested object"
	case infra.Nullable:
		return "a nullable value of type " + t.Inner.String()
	case infra.NamedTuple:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = f.Name + ": " + f.Type.String()
		}
		return "an object with fields: " + strings.Join(parts, ", ")
	case infra.MapType:
		return fmt.Sprintf("a map with key type %s and value type %s", t.Key, t.Value)
	case infra.JSONOptions:
		return "a value matching the column type"
	case infra.Scalar:
		if _, ok := isInt(t); ok {
			return "an integer value"
		}
		switch t {
		case infra.Boolean:
			return "a boolean value"
		case infra.Float32, infra.Float64:
			return "a floating-point value"
		case infra.String:
			return "a string value"
		case infra.DateTime:
			return "a datetime value"
		case infra.UUID:
			return "a UUID"
		}
	}
	return "a value matching the column type"
}

// rustDebugString is a string as Rust's {:?} writes it.
func rustDebugString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case 0:
			b.WriteString(`\0`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u{%x}`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// writeJSONString writes s as a JSON string (as serde_json escapes).
func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c < 0x20:
			fmt.Fprintf(b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
