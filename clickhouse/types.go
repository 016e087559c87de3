package clickhouse

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// ParsedType is a ClickHouse column type read back into infra terms.
type ParsedType struct {
	Type           infra.ColumnType
	Nullable       bool // the outer Nullable(...) was stripped
	LowCardinality bool // the LowCardinality(...) wrapper was stripped
	// Annotation is the aggregate-function annotation of a
	// SimpleAggregateFunction or AggregateFunction column.
	Annotation *infra.Annotation
}

// ParseType reads a ClickHouse type as system.columns prints it, the inverse
// of TypeSQL for every type moose-dev emits.
func ParseType(s string) (ParsedType, error) {
	s = strings.TrimSpace(s)
	var p ParsedType
	if inner, ok := unwrap(s, "Nullable"); ok {
		p.Nullable = true
		s = inner
	}
	if inner, ok := unwrap(s, "LowCardinality"); ok {
		p.LowCardinality = true
		s = inner
		if inner, ok := unwrap(s, "Nullable"); ok {
			p.Nullable = true
			s = inner
		}
	}
	if name, args, ok := call(s); ok && (name == "SimpleAggregateFunction" || name == "AggregateFunction") {
		return parseAggregate(name, args)
	}
	t, err := parseBare(s)
	if err != nil {
		return p, err
	}
	p.Type = t
	return p, nil
}

// parseAggregate reads SimpleAggregateFunction(f, T) as T with upstream's
// simpleAggregationFunction annotation, and AggregateFunction(f, T...) as
// its first argument type with an aggregationFunction annotation (the
// result type is not in the ClickHouse type; the state keeps it).
func parseAggregate(name string, args []string) (ParsedType, error) {
	var p ParsedType
	fn := strings.TrimSpace(args[0])
	var types []json.RawMessage
	var first infra.ColumnType = infra.UInt64
	for i, a := range args[1:] {
		at, err := ParseType(a)
		if err != nil {
			return p, err
		}
		raw, _ := infra.MarshalColumnType(wrapNullable(at))
		types = append(types, raw)
		if i == 0 {
			first = wrapNullable(at)
		}
	}
	p.Type = first
	var v []byte
	if name == "SimpleAggregateFunction" {
		if len(types) != 1 {
			return p, fmt.Errorf("bad SimpleAggregateFunction(%s)", strings.Join(args, ", "))
		}
		v, _ = json.Marshal(map[string]any{"functionName": fn, "argumentType": types[0]})
		p.Annotation = &infra.Annotation{Key: "simpleAggregationFunction", Value: v}
	} else {
		if types == nil {
			types = []json.RawMessage{}
		}
		v, _ = json.Marshal(map[string]any{"functionName": fn, "argumentTypes": types})
		p.Annotation = &infra.Annotation{Key: "aggregationFunction", Value: v}
	}
	return p, nil
}

func unwrap(s, name string) (string, bool) {
	if strings.HasPrefix(s, name+"(") && strings.HasSuffix(s, ")") {
		return s[len(name)+1 : len(s)-1], true
	}
	return "", false
}

var bareScalars = map[string]infra.ColumnType{
	"String": infra.String, "Bool": infra.Boolean, "Boolean": infra.Boolean,
	"Int8": infra.Int8, "Int16": infra.Int16, "Int32": infra.Int32, "Int64": infra.Int64, "Int128": infra.Int128, "Int256": infra.Int256,
	"UInt8": infra.UInt8, "UInt16": infra.UInt16, "UInt32": infra.UInt32, "UInt64": infra.UInt64, "UInt128": infra.UInt128, "UInt256": infra.UInt256,
	"Float32": infra.Float32, "Float64": infra.Float64, "Date32": infra.Date, "Date": infra.Date16,
	"UUID": infra.UUID, "IPv4": infra.IPv4, "IPv6": infra.IPv6, "JSON": infra.JSON, "DateTime": infra.DateTime,
	"Point": infra.Scalar("Point"), "Ring": infra.Scalar("Ring"), "LineString": infra.Scalar("LineString"),
	"MultiLineString": infra.Scalar("MultiLineString"), "Polygon": infra.Scalar("Polygon"), "MultiPolygon": infra.Scalar("MultiPolygon"),
}

func parseBare(s string) (infra.ColumnType, error) {
	if t, ok := bareScalars[s]; ok {
		return t, nil
	}
	name, args, ok := call(s)
	if !ok {
		return nil, fmt.Errorf("unsupported ClickHouse type %q", s)
	}
	switch name {
	case "DateTime":
		return infra.DateTime, nil // DateTime('UTC'): the timezone is ours
	case "DateTime64":
		p, err := strconv.Atoi(strings.TrimSpace(args[0]))
		if err != nil {
			return nil, fmt.Errorf("bad DateTime64 precision in %q", s)
		}
		return infra.DateTime64{Precision: p}, nil
	case "FixedString":
		n, err := strconv.Atoi(strings.TrimSpace(args[0]))
		if err != nil {
			return nil, fmt.Errorf("bad FixedString length in %q", s)
		}
		return infra.FixedString{Length: n}, nil
	case "Decimal":
		if len(args) != 2 {
			return nil, fmt.Errorf("bad Decimal %q", s)
		}
		p, err1 := strconv.Atoi(strings.TrimSpace(args[0]))
		sc, err2 := strconv.Atoi(strings.TrimSpace(args[1]))
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad Decimal %q", s)
		}
		return infra.Decimal{Precision: p, Scale: sc}, nil
	case "Array":
		p, err := ParseType(args[0])
		if err != nil {
			return nil, err
		}
		return infra.Array{Element: p.Type, ElementNullable: p.Nullable}, nil
	case "Map":
		if len(args) != 2 {
			return nil, fmt.Errorf("bad Map %q", s)
		}
		k, err := ParseType(args[0])
		if err != nil {
			return nil, err
		}
		v, err := ParseType(args[1])
		if err != nil {
			return nil, err
		}
		return infra.MapType{Key: wrapNullable(k), Value: wrapNullable(v)}, nil
	}
	switch name {
	case "Enum8", "Enum16", "Enum":
		e := infra.Enum{}
		for _, a := range args {
			// the value follows the last '=': a label may hold one
			eq := strings.LastIndexByte(a, '=')
			if eq < 0 {
				return nil, fmt.Errorf("bad enum member %q in %q", a, s)
			}
			n, err := strconv.ParseInt(strings.TrimSpace(a[eq+1:]), 10, 64)
			l, ok := unquoteString(strings.TrimSpace(a[:eq]))
			if err != nil || !ok {
				return nil, fmt.Errorf("bad enum member %q in %q", a, s)
			}
			e.Values = append(e.Values, infra.EnumMember{Name: l, Value: infra.EnumValue{Int: &n}})
		}
		return e, nil
	case "Tuple", "Nested":
		var cols []infra.Column
		for _, a := range args {
			fname, ftype, ok := fieldNameAndType(a)
			if !ok {
				return nil, fmt.Errorf("unnamed tuple element in %q", s)
			}
			p, err := ParseType(ftype)
			if err != nil {
				return nil, err
			}
			cols = append(cols, infra.Column{Name: fname, DataType: p.Type, Required: !p.Nullable})
		}
		if name == "Nested" {
			return infra.Nested{Columns: cols}, nil
		}
		t := infra.NamedTuple{}
		for _, c := range cols {
			ft := c.DataType
			if !c.Required {
				ft = infra.Nullable{Inner: ft}
			}
			t.Fields = append(t.Fields, infra.TupleField{Name: c.Name, Type: ft})
		}
		return t, nil
	case "JSON":
		o := infra.JSONOptions{}
		for _, a := range args {
			a = strings.TrimSpace(a)
			switch {
			case strings.HasPrefix(a, "max_dynamic_paths="), strings.HasPrefix(a, "max_dynamic_types="):
				k, v, _ := strings.Cut(a, "=")
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, fmt.Errorf("bad %s in %q", k, s)
				}
				if k == "max_dynamic_paths" {
					o.MaxDynamicPaths = &n
				} else {
					o.MaxDynamicTypes = &n
				}
			case strings.HasPrefix(a, "SKIP REGEXP "):
				re, ok := unquoteString(strings.TrimSpace(strings.TrimPrefix(a, "SKIP REGEXP ")))
				if !ok {
					return nil, fmt.Errorf("bad SKIP REGEXP %q in %q", a, s)
				}
				o.SkipRegexps = append(o.SkipRegexps, re)
			case strings.HasPrefix(a, "SKIP "):
				o.SkipPaths = append(o.SkipPaths, strings.TrimPrefix(a, "SKIP "))
			default:
				path, typ, ok := strings.Cut(a, " ")
				if !ok {
					return nil, fmt.Errorf("bad JSON type hint %q in %q", a, s)
				}
				p, err := ParseType(typ)
				if err != nil {
					return nil, err
				}
				o.TypedPaths = append(o.TypedPaths, infra.TupleField{Name: path, Type: wrapNullable(p)})
			}
		}
		return o, nil
	}
	if strings.HasPrefix(s, "Decimal") {
		// Decimal32(S), Decimal64(S), ...
		bits := map[string]int{"Decimal32": 9, "Decimal64": 18, "Decimal128": 38, "Decimal256": 76}
		if p, ok := bits[name]; ok {
			sc, err := strconv.Atoi(strings.TrimSpace(args[0]))
			if err == nil {
				return infra.Decimal{Precision: p, Scale: sc}, nil
			}
		}
	}
	return nil, fmt.Errorf("unsupported ClickHouse type %q", s)
}

func wrapNullable(p ParsedType) infra.ColumnType {
	if p.Nullable {
		return infra.Nullable{Inner: p.Type}
	}
	return p.Type
}

// unquoteString reads a whole single-quoted ClickHouse string literal, the
// inverse of QuoteString.
func unquoteString(lit string) (string, bool) {
	v, n, ok := readQuoted(lit)
	return v, ok && n == len(lit)
}

// readQuoted reads the quoted string ('...' or `...`) at the start of s as
// ClickHouse writes and reads them: backslash escapes (\', \\, \n, \t,
// \xHH, ...) and a doubled quote. It returns the value and the length of
// the quoted text.
func readQuoted(s string) (string, int, bool) {
	if len(s) < 2 || s[0] != '\'' && s[0] != '`' {
		return "", 0, false
	}
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q && i+1 < len(s) && s[i+1] == q:
			i++
		case c == q:
			return b.String(), i + 1, true
		case c == '\\':
			if i+1 == len(s) {
				return "", 0, false
			}
			i++
			switch e := s[i]; e {
			case 'n':
				c = '\n'
			case 't':
				c = '\t'
			case 'r':
				c = '\r'
			case '0':
				c = 0
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'a':
				c = '\a'
			case 'v':
				c = '\v'
			case 'x':
				if i+2 >= len(s) {
					return "", 0, false
				}
				n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
				if err != nil {
					return "", 0, false
				}
				c, i = byte(n), i+2
			default:
				c = e
			}
		}
		b.WriteByte(c)
	}
	return "", 0, false // unterminated
}

// fieldNameAndType splits a tuple element or nested column, `name Type`,
// where the name may be backquoted (as ClickHouse prints names that need it).
func fieldNameAndType(a string) (string, string, bool) {
	a = strings.TrimSpace(a)
	if name, n, ok := readQuoted(a); ok && a[0] == '`' {
		typ := strings.TrimSpace(a[n:])
		return name, typ, typ != "" && n < len(a) && (a[n] == ' ' || a[n] == '\t')
	}
	return strings.Cut(a, " ")
}

// call splits `Name(a, b(c, d))` into Name and its top-level arguments.
func call(s string) (string, []string, bool) {
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") {
		return "", nil, false
	}
	name, inner := s[:open], s[open+1:len(s)-1]
	var args []string
	depth, start := 0, 0
	for i := 0; i < len(inner); i++ {
		switch c := inner[i]; {
		case c == '\'' || c == '`':
			// a quoted string or name: skip it whole (an unterminated
			// one runs to the end)
			_, n, ok := readQuoted(inner[i:])
			if !ok {
				n = len(inner) - i
			}
			i += n - 1
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			args = append(args, strings.TrimSpace(inner[start:i]))
			start = i + 1
		}
	}
	args = append(args, strings.TrimSpace(inner[start:]))
	return name, args, true
}

// The Keeper path and replica a Replicated engine gets when it names none:
// the server's defaults (default_replica_path and default_replica_name, as
// ClickHouse ships them), and in dev without a cluster DevReplicationArgs.
const (
	defaultKeeperPath = "/clickhouse/tables/{uuid}/{shard}"
	defaultReplica    = "{replica}"
)

// replicationParams reads a Replicated engine's keeper_path and
// replica_name from its engine_full as the code gives them: nil for
// arguments that are the defaults (a table made without any, by the
// server or in dev; ClickHouse stores {database} expanded), the strings
// otherwise.
func replicationParams(db, table, engineFull string) map[string]any {
	params := map[string]any{"keeper_path": nil, "replica_name": nil}
	_, args, ok := call(engineCall(engineFull))
	if !ok || len(args) < 2 {
		return params
	}
	path, _, okPath := readQuoted(args[0])
	replica, _, okReplica := readQuoted(args[1])
	if !okPath || !okReplica {
		return params
	}
	devPath, devReplica := DevReplicationArgs(table)
	isDev := path == devPath || path == strings.ReplaceAll(devPath, "{database}", db)
	if path == defaultKeeperPath && replica == defaultReplica || isDev && replica == devReplica {
		return params
	}
	params["keeper_path"], params["replica_name"] = path, replica
	return params
}

// engineCall is the `Name(args)` an engine_full starts with ("" when it
// has no argument list).
func engineCall(engineFull string) string {
	open := strings.IndexByte(engineFull, '(')
	if open <= 0 || strings.ContainsAny(engineFull[:open], " \t") {
		return ""
	}
	depth := 0
	for i := open; i < len(engineFull); i++ {
		switch engineFull[i] {
		case '\'', '`':
			_, n, ok := readQuoted(engineFull[i:])
			if !ok {
				return ""
			}
			i += n - 1
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return engineFull[:i+1]
			}
		}
	}
	return ""
}

// ToInfra reads a live table back as an infra table: columns, engine,
// ORDER BY, PARTITION BY, SAMPLE BY, PRIMARY KEY, the table TTL and settings. Its Columns are nil when a type could not be read (the caller
// then keeps what it knew).
func (lt *LiveTable) ToInfra() *infra.Table {
	t := &infra.Table{Name: lt.Name, Engine: infra.Engine{Name: lt.Engine}, LifeCycle: infra.FullyManaged, TTL: lt.TTL, TableSettings: lt.Settings}
	if strings.HasPrefix(lt.Engine, "Replicated") {
		t.Engine.Params = replicationParams(lt.Database, lt.Name, lt.EngineFull)
	}
	if lt.SortingKey != "" {
		t.OrderBy = infra.OrderBy{Expr: lt.SortingKey, IsExpr: true}
	}
	optional := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	t.PartitionBy, t.SampleBy, t.PrimaryKeyExpression = optional(lt.PartitionKey), optional(lt.SamplingKey), optional(lt.PrimaryKey)
	own := func(s string) *string { return &s }
	cols := make([]infra.Column, 0, len(lt.Columns))
	for _, c := range lt.Columns {
		p, err := ParseType(c.Type)
		if err != nil {
			return t
		}
		col := infra.Column{Name: c.Name, DataType: p.Type, Required: !p.Nullable, PrimaryKey: c.InPrimaryKey}
		if p.Annotation != nil {
			col.Annotations = append(col.Annotations, *p.Annotation)
		}
		if p.LowCardinality {
			col.Annotations = append(col.Annotations, infra.Annotation{Key: "LowCardinality", Value: []byte("true")})
		}
		switch c.DefaultKind { // its own copy: a pointer into lt.Columns would hold them all
		case "DEFAULT":
			col.Default = own(c.DefaultExpr)
		case "MATERIALIZED":
			col.Materialized = own(c.DefaultExpr)
		case "ALIAS":
			col.Alias = own(c.DefaultExpr)
		}
		if codec := strings.TrimSuffix(strings.TrimPrefix(c.Codec, "CODEC("), ")"); codec != "" && codec != c.Codec {
			col.Codec = &codec
		}
		comment := c.Comment
		if i := strings.Index(comment, EnumMetadataPrefix); i >= 0 {
			var md struct {
				Enum *struct {
					Name    string             `json:"name"`
					Members []infra.EnumMember `json:"members"`
				} `json:"enum"`
			}
			if json.Unmarshal([]byte(comment[i+len(EnumMetadataPrefix):]), &md) == nil && md.Enum != nil {
				if _, isEnum := col.DataType.(infra.Enum); isEnum {
					col.DataType = infra.Enum{Name: md.Enum.Name, Values: md.Enum.Members}
				}
			}
			comment = strings.TrimSpace(comment[:i])
		}
		if comment != "" {
			col.Comment = &comment
		}
		if _, isArray := p.Type.(infra.Array); isArray {
			col.Required = true
		}
		cols = append(cols, col)
	}
	t.Columns = cols
	return t
}
