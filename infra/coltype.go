package infra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ColumnType is the type of a column as upstream's infra map knows it
// (`ColumnType` in upstream's table.rs). Every implementation marshals to the
// exact JSON upstream writes and prints in the display form used by the
// `+ / ~ / -` logs.
type ColumnType interface {
	// String is the display form, e.g. `Array<String>` or `Nullable<Int64>`.
	String() string
	isColumnType()
}

// Scalar is a type that has no parameters: String, Boolean, Int8..UInt256,
// Float32, Float64, DateTime, Date, Date16, UUID, IPv4, IPv6, Json, Bytes and
// the geometry types. Its JSON is the plain string.
type Scalar string

// The scalar types upstream knows.
const (
	String   Scalar = "String"
	Boolean  Scalar = "Boolean"
	Int8     Scalar = "Int8"
	Int16    Scalar = "Int16"
	Int32    Scalar = "Int32"
	Int64    Scalar = "Int64"
	Int128   Scalar = "Int128"
	Int256   Scalar = "Int256"
	UInt8    Scalar = "UInt8"
	UInt16   Scalar = "UInt16"
	UInt32   Scalar = "UInt32"
	UInt64   Scalar = "UInt64"
	UInt128  Scalar = "UInt128"
	UInt256  Scalar = "UInt256"
	Float32  Scalar = "Float32"
	Float64  Scalar = "Float64"
	DateTime Scalar = "DateTime"
	Date     Scalar = "Date"
	Date16   Scalar = "Date16"
	UUID     Scalar = "UUID"
	IPv4     Scalar = "IPv4"
	IPv6     Scalar = "IPv6"
	JSON     Scalar = "Json"
	Bytes    Scalar = "Bytes"
	BigInt   Scalar = "BigInt"
)

var scalarNames = map[string]Scalar{}

func init() {
	for _, s := range []Scalar{String, Boolean, Int8, Int16, Int32, Int64, Int128, Int256,
		UInt8, UInt16, UInt32, UInt64, UInt128, UInt256, Float32, Float64, DateTime, Date, Date16,
		UUID, IPv4, IPv6, JSON, Bytes, BigInt,
		"Point", "Ring", "LineString", "MultiLineString", "Polygon", "MultiPolygon"} {
		scalarNames[string(s)] = s
	}
	// Upstream's deserializer also accepts these short forms.
	scalarNames["Int"] = Int64
	scalarNames["Float"] = Float64
}

func (s Scalar) String() string { return string(s) }
func (Scalar) isColumnType()    {}

// FixedString is `FixedString(N)`.
type FixedString struct{ Length int }

func (f FixedString) String() string { return fmt.Sprintf("FixedString(%d)", f.Length) }
func (FixedString) isColumnType()    {}

// Decimal is `Decimal(P, S)`.
type Decimal struct{ Precision, Scale int }

func (d Decimal) String() string { return fmt.Sprintf("Decimal(%d, %d)", d.Precision, d.Scale) }
func (Decimal) isColumnType()    {}

// DateTime64 is a DateTime with sub-second precision: JSON `DateTime(p)`,
// ClickHouse `DateTime64(p)`.
type DateTime64 struct{ Precision int }

func (d DateTime64) String() string { return fmt.Sprintf("DateTime(%d)", d.Precision) }
func (DateTime64) isColumnType()    {}

// EnumValue is an enum member's value: an integer or a string.
type EnumValue struct {
	Int *int64
	Str *string
}

// MarshalJSON writes `{"Int": n}` or `{"String": s}`.
func (v EnumValue) MarshalJSON() ([]byte, error) {
	if v.Str != nil {
		return json.Marshal(map[string]string{"String": *v.Str})
	}
	var n int64
	if v.Int != nil {
		n = *v.Int
	}
	return json.Marshal(map[string]int64{"Int": n})
}

// UnmarshalJSON reads `{"Int": n}` or `{"String": s}`.
func (v *EnumValue) UnmarshalJSON(b []byte) error {
	var m struct {
		Int *int64  `json:"Int"`
		Str *string `json:"String"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if m.Int == nil && m.Str == nil {
		return fmt.Errorf("enum value %s: want {\"Int\": n} or {\"String\": s}", b)
	}
	v.Int, v.Str = m.Int, m.Str
	return nil
}

// EnumMember is one member of an Enum.
type EnumMember struct {
	Name  string    `json:"name"`
	Value EnumValue `json:"value"`
}

// Enum is a named enumeration (`DataEnum` upstream).
type Enum struct {
	Name   string       `json:"name"`
	Values []EnumMember `json:"values"`
}

func (e Enum) String() string {
	parts := make([]string, len(e.Values))
	for i, m := range e.Values {
		if m.Value.Str != nil {
			parts[i] = fmt.Sprintf("%s='%s'", m.Name, *m.Value.Str)
		} else if m.Value.Int != nil {
			parts[i] = fmt.Sprintf("%s=%d", m.Name, *m.Value.Int)
		}
	}
	return fmt.Sprintf("Enum<%s>[%s]", e.Name, strings.Join(parts, ","))
}
func (Enum) isColumnType() {}

// Array is `Array(T)`; ElementNullable makes it `Array(Nullable(T))`.
type Array struct {
	Element         ColumnType
	ElementNullable bool
}

func (a Array) String() string { return fmt.Sprintf("Array<%s>", a.Element) }
func (Array) isColumnType()    {}

// Nullable is `Nullable(T)`. The parser expresses optionality through
// Column.Required instead; this variant appears in maps read back from
// ClickHouse and in nested positions.
type Nullable struct{ Inner ColumnType }

func (n Nullable) String() string { return fmt.Sprintf("Nullable<%s>", n.Inner) }
func (Nullable) isColumnType()    {}

// TupleField is one named element of a NamedTuple.
type TupleField struct {
	Name string
	Type ColumnType
}

// NamedTuple is `Tuple(a T, b U)`.
type NamedTuple struct{ Fields []TupleField }

func (t NamedTuple) String() string {
	parts := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		parts[i] = fmt.Sprintf("%s: %s", f.Name, f.Type)
	}
	return fmt.Sprintf("NamedTuple<%s>", strings.Join(parts, ", "))
}
func (NamedTuple) isColumnType() {}

// MapType is `Map(K, V)`.
type MapType struct{ Key, Value ColumnType }

func (m MapType) String() string { return fmt.Sprintf("Map<%s, %s>", m.Key, m.Value) }
func (MapType) isColumnType()    {}

// Nested is a nested structure (a nested model) with its own columns.
type Nested struct {
	Name    string
	Columns []Column
	JWT     bool
}

func (n Nested) String() string { return fmt.Sprintf("Nested<%s>", n.Name) }
func (Nested) isColumnType()    {}

// JSONOptions is a `JSON(...)` type with options; without any option the type
// is the Scalar JSON.
type JSONOptions struct {
	MaxDynamicPaths *int
	MaxDynamicTypes *int
	TypedPaths      []TupleField
	SkipPaths       []string
	SkipRegexps     []string
}

func (JSONOptions) String() string { return "Json" }
func (JSONOptions) isColumnType()  {}

// MarshalColumnType returns the upstream JSON of t.
func MarshalColumnType(t ColumnType) ([]byte, error) {
	v, err := columnTypeValue(t)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func columnTypeValue(t ColumnType) (any, error) {
	switch t := t.(type) {
	case nil:
		return nil, fmt.Errorf("missing column type")
	case Scalar:
		return string(t), nil
	case FixedString, Decimal, DateTime64:
		return t.(fmt.Stringer).String(), nil
	case Enum:
		if t.Values == nil {
			t.Values = []EnumMember{}
		}
		return t, nil
	case Array:
		e, err := columnTypeValue(t.Element)
		if err != nil {
			return nil, err
		}
		return map[string]any{"elementType": e, "elementNullable": t.ElementNullable}, nil
	case Nullable:
		e, err := columnTypeValue(t.Inner)
		if err != nil {
			return nil, err
		}
		return map[string]any{"nullable": e}, nil
	case NamedTuple:
		fields, err := tupleFieldsValue(t.Fields)
		if err != nil {
			return nil, err
		}
		return map[string]any{"fields": fields}, nil
	case MapType:
		k, err := columnTypeValue(t.Key)
		if err != nil {
			return nil, err
		}
		v, err := columnTypeValue(t.Value)
		if err != nil {
			return nil, err
		}
		return map[string]any{"keyType": k, "valueType": v}, nil
	case Nested:
		cols := t.Columns
		if cols == nil {
			cols = []Column{}
		}
		return map[string]any{"name": t.Name, "columns": cols, "jwt": t.JWT}, nil
	case JSONOptions:
		typed, err := tupleFieldsValue(t.TypedPaths)
		if err != nil {
			return nil, err
		}
		m := map[string]any{"typed_paths": typed, "skip_paths": orEmpty(t.SkipPaths), "skip_regexps": orEmpty(t.SkipRegexps)}
		if t.MaxDynamicPaths != nil {
			m["max_dynamic_paths"] = *t.MaxDynamicPaths
		}
		if t.MaxDynamicTypes != nil {
			m["max_dynamic_types"] = *t.MaxDynamicTypes
		}
		return m, nil
	}
	return nil, fmt.Errorf("unknown column type %T", t)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var (
	reFixedString = regexp.MustCompile(`^FixedString\((\d+)\)$`)
	reDecimal     = regexp.MustCompile(`^Decimal\((\d+),\s*(\d+)\)$`)
	reDateTimeP   = regexp.MustCompile(`^DateTime\((\d+)\)$`)
)

// UnmarshalColumnType reads upstream's column-type JSON, accepting the same
// spellings upstream's deserializer accepts (camelCase and snake_case keys,
// `Int` and `Float` short forms).
func UnmarshalColumnType(b []byte) (ColumnType, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, fmt.Errorf("empty column type")
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, err
		}
		return parseTypeString(s)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fmt.Errorf("column type %s: %w", b, err)
	}
	get := func(keys ...string) (json.RawMessage, bool) {
		for _, k := range keys {
			if v, ok := obj[k]; ok {
				return v, true
			}
		}
		return nil, false
	}
	if v, ok := get("nullable"); ok {
		inner, err := UnmarshalColumnType(v)
		if err != nil {
			return nil, err
		}
		return Nullable{Inner: inner}, nil
	}
	if v, ok := get("fields"); ok {
		fields, err := unmarshalTupleFields(v)
		if err != nil {
			return nil, fmt.Errorf("named tuple fields: %w", err)
		}
		return NamedTuple{Fields: fields}, nil
	}
	if v, ok := get("elementType", "element_type"); ok {
		el, err := UnmarshalColumnType(v)
		if err != nil {
			return nil, err
		}
		var nullable bool
		if nv, ok := get("elementNullable", "element_nullable"); ok {
			if err := json.Unmarshal(nv, &nullable); err != nil {
				return nil, err
			}
		}
		return Array{Element: el, ElementNullable: nullable}, nil
	}
	if v, ok := get("keyType", "key_type"); ok {
		k, err := UnmarshalColumnType(v)
		if err != nil {
			return nil, err
		}
		vv, ok := get("valueType", "value_type")
		if !ok {
			return nil, fmt.Errorf("map type without valueType")
		}
		val, err := UnmarshalColumnType(vv)
		if err != nil {
			return nil, err
		}
		return MapType{Key: k, Value: val}, nil
	}
	if _, ok := get("typed_paths", "typedPaths", "skip_paths", "skipPaths", "skip_regexps", "skipRegexps",
		"max_dynamic_paths", "maxDynamicPaths", "max_dynamic_types", "maxDynamicTypes"); ok {
		return unmarshalJSONOptions(get)
	}
	if _, ok := obj["values"]; ok {
		var e Enum
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("enum: %w", err)
		}
		return e, nil
	}
	if v, ok := obj["columns"]; ok {
		n := Nested{}
		if nv, ok := obj["name"]; ok {
			if err := json.Unmarshal(nv, &n.Name); err != nil {
				return nil, err
			}
		}
		if err := json.Unmarshal(v, &n.Columns); err != nil {
			return nil, fmt.Errorf("nested columns: %w", err)
		}
		if jv, ok := obj["jwt"]; ok {
			if err := json.Unmarshal(jv, &n.JWT); err != nil {
				return nil, err
			}
		}
		return n, nil
	}
	return nil, fmt.Errorf("unknown column type %s", b)
}

func unmarshalJSONOptions(get func(...string) (json.RawMessage, bool)) (ColumnType, error) {
	o := JSONOptions{}
	if v, ok := get("max_dynamic_paths", "maxDynamicPaths"); ok && string(v) != "null" {
		n := 0
		if err := json.Unmarshal(v, &n); err != nil {
			return nil, err
		}
		o.MaxDynamicPaths = &n
	}
	if v, ok := get("max_dynamic_types", "maxDynamicTypes"); ok && string(v) != "null" {
		n := 0
		if err := json.Unmarshal(v, &n); err != nil {
			return nil, err
		}
		o.MaxDynamicTypes = &n
	}
	if v, ok := get("typed_paths", "typedPaths"); ok {
		fields, err := unmarshalTupleFields(v)
		if err != nil {
			return nil, fmt.Errorf("typed paths: %w", err)
		}
		o.TypedPaths = fields
	}
	if v, ok := get("skip_paths", "skipPaths"); ok {
		if err := json.Unmarshal(v, &o.SkipPaths); err != nil {
			return nil, err
		}
	}
	if v, ok := get("skip_regexps", "skipRegexps"); ok {
		if err := json.Unmarshal(v, &o.SkipRegexps); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func parseTypeString(s string) (ColumnType, error) {
	if sc, ok := scalarNames[s]; ok {
		return sc, nil
	}
	if m := reFixedString.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return FixedString{Length: n}, nil
	}
	if m := reDecimal.FindStringSubmatch(s); m != nil {
		p, _ := strconv.Atoi(m[1])
		sc, _ := strconv.Atoi(m[2])
		return Decimal{Precision: p, Scale: sc}, nil
	}
	if s == "Decimal" {
		return Decimal{Precision: 10, Scale: 0}, nil
	}
	if m := reDateTimeP.FindStringSubmatch(s); m != nil {
		p, _ := strconv.Atoi(m[1])
		return DateTime64{Precision: p}, nil
	}
	return nil, fmt.Errorf("unknown column type %q", s)
}

// TypeKey is a canonical string for t used to compare types: two types with
// the same key are the same type. Enum members compare as a set.
func TypeKey(t ColumnType) string {
	t = withoutNestedNames(t)
	switch x := t.(type) {
	case Enum:
		members := append([]EnumMember(nil), x.Values...)
		sort.Slice(members, func(i, j int) bool { return members[i].Name < members[j].Name })
		x.Values = members
		t = x
	case JSONOptions: // typed paths, skip paths and regexps compare as sets
		x.TypedPaths = append([]TupleField(nil), x.TypedPaths...)
		sort.Slice(x.TypedPaths, func(i, j int) bool { return x.TypedPaths[i].Name < x.TypedPaths[j].Name })
		x.SkipPaths = append([]string(nil), x.SkipPaths...)
		sort.Strings(x.SkipPaths)
		x.SkipRegexps = append([]string(nil), x.SkipRegexps...)
		sort.Strings(x.SkipRegexps)
		t = x
	}
	b, err := MarshalColumnType(t)
	if err != nil {
		return fmt.Sprintf("%#v", t)
	}
	return string(b)
}

// TypesEqual reports whether two types are the same type as far as the
// database is concerned, following upstream's column_types_are_equivalent:
// containers compare element by element, JSON typed paths as a set, Nested
// types by their columns (not their class name), and enums by
// EnumsEquivalent. Scalars compare directly, keeping the common case cheap
// on the reload path.
func TypesEqual(a, b ColumnType) bool {
	switch x := a.(type) {
	case Scalar:
		y, ok := b.(Scalar)
		return ok && x == y
	case Enum:
		y, ok := b.(Enum)
		return ok && EnumsEquivalent(x, y)
	case Array:
		y, ok := b.(Array)
		return ok && x.ElementNullable == y.ElementNullable && TypesEqual(x.Element, y.Element)
	case Nullable:
		y, ok := b.(Nullable)
		return ok && TypesEqual(x.Inner, y.Inner)
	case MapType:
		y, ok := b.(MapType)
		return ok && TypesEqual(x.Key, y.Key) && TypesEqual(x.Value, y.Value)
	case NamedTuple:
		y, ok := b.(NamedTuple)
		if !ok || len(x.Fields) != len(y.Fields) {
			return false
		}
		for i, f := range x.Fields {
			if f.Name != y.Fields[i].Name || !TypesEqual(f.Type, y.Fields[i].Type) {
				return false
			}
		}
		return true
	case Nested:
		y, ok := b.(Nested)
		if !ok || x.JWT != y.JWT || len(x.Columns) != len(y.Columns) {
			return false
		}
		for i, c := range x.Columns {
			if !nestedColumnsEqual(c, y.Columns[i]) {
				return false
			}
		}
		return true
	case JSONOptions:
		y, ok := b.(JSONOptions)
		if !ok || len(x.TypedPaths) != len(y.TypedPaths) {
			return false
		}
		// Everything but the typed paths compares through the key.
		xs, ys := x, y
		xs.TypedPaths, ys.TypedPaths = nil, nil
		if TypeKey(xs) != TypeKey(ys) {
			return false
		}
		for _, p := range x.TypedPaths {
			found := false
			for _, q := range y.TypedPaths {
				if p.Name == q.Name && TypesEqual(p.Type, q.Type) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return TypeKey(a) == TypeKey(b)
}

// nestedColumnsEqual compares two columns of a Nested type: every attribute
// by value, the types by TypesEqual.
func nestedColumnsEqual(a, b Column) bool {
	if !TypesEqual(a.DataType, b.DataType) {
		return false
	}
	a.DataType, b.DataType = Scalar(""), Scalar("")
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// EnumsEquivalent reports whether two enums store the same thing, after
// upstream's enums_are_equivalent. A string enum (`A = "a"`) is written as
// `Enum('a')` and, without its metadata comment, reads back as the
// integer enum `'a' = 1` with no name: a member whose value is a string
// matches a member with an integer value whose name is that string. Two
// string enums must also share their name; integer members match by name
// and value. Member order does not matter.
func EnumsEquivalent(a, b Enum) bool {
	return enumCovers(a, b) || enumCovers(b, a)
}

// enumCovers reports whether every member of target has its counterpart in
// actual (upstream's one-way check).
func enumCovers(actual, target Enum) bool {
	if len(actual.Values) != len(target.Values) {
		return false
	}
	if enumHasStrings(actual) && enumHasStrings(target) && actual.Name != target.Name {
		return false
	}
	for _, t := range target.Values {
		var m *EnumMember
		for i := range actual.Values {
			c := &actual.Values[i]
			if t.Value.Str != nil && ((c.Value.Str != nil && c.Name == t.Name) || (c.Value.Int != nil && c.Name == *t.Value.Str)) ||
				t.Value.Int != nil && c.Name == t.Name {
				m = c
				break
			}
		}
		switch {
		case m == nil:
			return false
		case t.Value.Str != nil && m.Value.Str != nil && *m.Value.Str != *t.Value.Str:
			return false
		case t.Value.Int != nil && (m.Value.Int == nil || *m.Value.Int != *t.Value.Int):
			return false
		}
	}
	return true
}

func enumHasStrings(e Enum) bool {
	for _, m := range e.Values {
		if m.Value.Str != nil {
			return true
		}
	}
	return false
}

// tupleFieldsValue is the JSON value of `[[name, type], ...]`.
func tupleFieldsValue(fields []TupleField) ([][2]any, error) {
	out := make([][2]any, len(fields))
	for i, f := range fields {
		e, err := columnTypeValue(f.Type)
		if err != nil {
			return nil, err
		}
		out[i] = [2]any{f.Name, e}
	}
	return out, nil
}

// unmarshalTupleFields reads `[[name, type], ...]`.
func unmarshalTupleFields(v json.RawMessage) ([]TupleField, error) {
	var raw [][2]json.RawMessage
	if err := json.Unmarshal(v, &raw); err != nil {
		return nil, err
	}
	out := make([]TupleField, 0, len(raw))
	for _, f := range raw {
		var name string
		if err := json.Unmarshal(f[0], &name); err != nil {
			return nil, err
		}
		ft, err := UnmarshalColumnType(f[1])
		if err != nil {
			return nil, err
		}
		out = append(out, TupleField{Name: name, Type: ft})
	}
	return out, nil
}

// withoutNestedNames blanks the names of Nested types (a model's class
// name, which ClickHouse does not store): upstream ignores them in diffs.
func withoutNestedNames(t ColumnType) ColumnType {
	switch x := t.(type) {
	case Nested:
		cols := make([]Column, len(x.Columns))
		for i, c := range x.Columns {
			c.DataType = withoutNestedNames(c.DataType)
			cols[i] = c
		}
		return Nested{Columns: cols, JWT: x.JWT}
	case Array:
		x.Element = withoutNestedNames(x.Element)
		return x
	case Nullable:
		x.Inner = withoutNestedNames(x.Inner)
		return x
	}
	return t
}
