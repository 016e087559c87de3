package clickhouse

import (
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
	t, err := parseBare(s)
	if err != nil {
		return p, err
	}
	p.Type = t
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

// call splits `Name(a, b(c, d))` into Name and its top-level arguments.
func call(s string) (string, []string, bool) {
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") {
		return "", nil, false
	}
	name, inner := s[:open], s[open+1:len(s)-1]
	var args []string
	depth, start := 0, 0
	inQuote := false
	for i := 0; i < len(inner); i++ {
		switch c := inner[i]; {
		case c == '\'' && (i == 0 || inner[i-1] != '\\'):
			inQuote = !inQuote
		case inQuote:
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

// ToInfra reads a live table back as an infra table: columns, engine and
// ORDER BY. Its Columns are nil when a type could not be read (the caller
// then keeps what it knew).
func (lt *LiveTable) ToInfra() *infra.Table {
	t := &infra.Table{Name: lt.Name, Engine: infra.Engine{Name: lt.Engine}, LifeCycle: infra.FullyManaged}
	if lt.SortingKey != "" {
		t.OrderBy = infra.OrderBy{Expr: lt.SortingKey, IsExpr: true}
	}
	cols := make([]infra.Column, 0, len(lt.Columns))
	for _, c := range lt.Columns {
		p, err := ParseType(c.Type)
		if err != nil {
			return t
		}
		col := infra.Column{Name: c.Name, DataType: p.Type, Required: !p.Nullable, PrimaryKey: c.InPrimaryKey}
		if p.LowCardinality {
			col.Annotations = []infra.Annotation{{Key: "LowCardinality", Value: []byte("true")}}
		}
		switch c.DefaultKind {
		case "DEFAULT":
			col.Default = &c.DefaultExpr
		case "MATERIALIZED":
			col.Materialized = &c.DefaultExpr
		case "ALIAS":
			col.Alias = &c.DefaultExpr
		}
		if c.Comment != "" {
			col.Comment = &c.Comment
		}
		if _, isArray := p.Type.(infra.Array); isArray {
			col.Required = true
		}
		cols = append(cols, col)
	}
	t.Columns = cols
	return t
}
