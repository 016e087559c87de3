package parser

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// The compiler plugin's rules (moose-lib's typeConvert.ts, 0.6.533), applied
// to the model in the plugin's order. Where the plugin accepts a type by
// accident (`any` is DateTime, `null` alone is a nullable DateTime, a
// method is an empty Nested) the same column results; where it crashes or
// dumps the checker's internals, the error names the field and the reason.

const ttMaxNesting = 32

type ttConv struct {
	r     *ttResolver
	stack []ttType // the object types being converted, outermost first
}

type ttConverted struct {
	nullable bool
	ann      []infra.Annotation
	dt       infra.ColumnType
}

// fieldErr is an error about a field, at its declaration.
func (c *ttConv) fieldErr(p *ttProp, path, format string, args ...any) error {
	return &ttErr{file: p.file, pos: p.pos, field: path, msg: fmt.Sprintf(format, args...)}
}

// toColumns is the plugin's toColumns: one column per property, in the
// checker's property order.
func (c *ttConv) toColumns(t ttType, allowIndex bool, prefix string, ctx *ttCtx, at tsyntax.Pos) ([]infra.Column, error) {
	r := c.r
	if ctx != nil && (t == ttNull || t == ttUndefined || t == ttVoid || t == ttNever) {
		// the checker's null has no properties: no columns (a Task<null> input)
		return []infra.Column{}, nil
	}
	if ctx != nil {
		notObject := false
		switch x := t.(type) {
		case *ttObj:
			notObject = x.kind != ttPlain
		case *ttPrim, *ttLit, *ttEnum, *ttEnumMember, *ttTemplate:
			notObject = true
		}
		if notObject {
			return nil, ttErrf(ctx.file(), at, "the type of a model must be an object type (an interface, a type literal, a class), not %s", ttShow(t, 0))
		}
	}
	idx, err := r.indexOf(t)
	if err != nil {
		return nil, err
	}
	if !allowIndex && len(idx) > 0 {
		var sigs []string
		for _, ix := range idx {
			v, err := ix.value()
			vs := "?"
			if err == nil {
				vs = ttShow(v, 0)
			}
			sigs = append(sigs, fmt.Sprintf("[key: %s]: %s", ttShow(ix.key, 0), vs))
		}
		msg := fmt.Sprintf("%s has an index signature (%s): upstream accepts one only in the type of an IngestApi or a Stream; use a field of type Record<string, T> instead",
			ttShow(t, 0), strings.Join(sigs, ", "))
		if idx[0].file != "" {
			return nil, ttErrf(idx[0].file, idx[0].pos, "%s", msg)
		}
		if ctx != nil {
			return nil, ttErrf(ctx.file(), at, "%s", msg)
		}
		return nil, fmt.Errorf("%s", msg)
	}
	props, err := r.propsOf(t)
	if err != nil {
		return nil, err
	}
	cols := make([]infra.Column, 0, len(props))
	for _, p := range props {
		col, err := c.column(p, prefix+p.name)
		if err != nil {
			return nil, ttWithField(err, prefix+p.name, p.file, p.pos)
		}
		cols = append(cols, col)
	}
	return cols, nil
}

// ttWrapping is the plugin's hasWrapping: the property's declared type is
// written as a reference to `name` with n type arguments (any namespace
// qualifier; the name as written, not what it resolves to).
func ttWrapping(node tsyntax.Type, name string, n int) (*tsyntax.TypeRef, bool) {
	ref, ok := node.(*tsyntax.TypeRef)
	if !ok {
		return nil, false
	}
	last := ref.Name
	if i := strings.LastIndexByte(last, '.'); i >= 0 {
		last = last[i+1:]
	}
	return ref, last == name && len(ref.Args) == n
}

func (c *ttConv) column(p *ttProp, path string) (infra.Column, error) {
	r := c.r
	t, err := r.fullType(p)
	if err != nil {
		return infra.Column{}, err
	}
	_, isKey := ttWrapping(p.node, "Key", 1)
	_, isJWT := ttWrapping(p.node, "JWT", 1)
	var withDefault *string
	if ref, ok := ttWrapping(p.node, "WithDefault", 2); ok {
		if lt, ok := ref.Args[1].(*tsyntax.LiteralType); ok {
			if s, ok := lt.Lit.(*tsyntax.StringLit); ok {
				v := s.Value
				withDefault = &v
			}
		}
	}
	cv, err := c.convert(t, p.node, p.name, path, isJWT, p)
	if err != nil {
		return infra.Column{}, err
	}
	col := infra.Column{Name: p.name, DataType: cv.dt, Required: !cv.nullable, PrimaryKey: isKey, Annotations: cv.ann}
	get := func(prop, marker, example string) (*string, error) {
		q, err := r.getProperty(ttNonNull(t), prop)
		if err != nil || q == nil {
			return nil, err
		}
		mt, err := r.markerType(q)
		if err != nil {
			return nil, err
		}
		l, ok := mt.(*ttLit)
		if !ok || l.kind != 's' {
			return nil, c.fieldErr(p, path, "%s must be given a string literal, e.g. %s<%q>, not %s", marker, marker, example, ttShow(mt, 0))
		}
		v := l.s
		return &v, nil
	}
	if col.Default = withDefault; col.Default == nil {
		if col.Default, err = get("_clickhouse_default", "ClickHouseDefault", "now()"); err != nil {
			return col, err
		}
	}
	if col.Materialized, err = get("_clickhouse_materialized", "ClickHouseMaterialized", "toDate(timestamp)"); err != nil {
		return col, err
	}
	if col.Alias, err = get("_clickhouse_alias", "ClickHouseAlias", "toDate(timestamp)"); err != nil {
		return col, err
	}
	set := 0
	for _, v := range []*string{col.Default, col.Materialized, col.Alias} {
		if v != nil {
			set++
		}
	}
	if set > 1 {
		return col, c.fieldErr(p, path, "a column can have only one of ClickHouseDefault, ClickHouseMaterialized and ClickHouseAlias")
	}
	if col.Alias != nil && isKey {
		return col, c.fieldErr(p, path, "a ClickHouseAlias column cannot be a primary key (Key<...>)")
	}
	if col.TTL, err = get("_clickhouse_ttl", "ClickHouseTTL", "timestamp + INTERVAL 1 WEEK"); err != nil {
		return col, err
	}
	if col.Codec, err = get("_clickhouse_codec", "ClickHouseCodec", "ZSTD(3)"); err != nil {
		return col, err
	}
	if docs := r.docsOf(p); len(docs) > 0 {
		s := strings.Join(docs, "\n")
		col.Comment = &s
	}
	return col, nil
}

// convert is the plugin's tsTypeToDataType: whether the type is nullable,
// its annotations and its ClickHouse type.
func (c *ttConv) convert(t ttType, node tsyntax.Type, fieldName, path string, isJWT bool, p *ttProp) (ttConverted, error) {
	r := c.r
	r.step()
	if t == ttUnknown {
		return ttConverted{}, c.fieldErr(p, path, "unknown has no ClickHouse type (upstream's compiler plugin crashes on it); give the field a concrete type")
	}
	nonNull := ttNonNull(t)
	out := ttConverted{nullable: nonNull != t}
	agg, err := c.aggregated(t, fieldName, path, p)
	if err != nil {
		return out, err
	}
	sagg, err := c.simpleAggregated(t, fieldName, path, p)
	if err != nil {
		return out, err
	}
	withoutTags := nonNull
	if in, ok := nonNull.(*ttInter); ok {
		var rest []ttType
		for _, m := range in.types {
			if !c.underscoreMeta(m) {
				rest = append(rest, m)
			}
		}
		if len(rest) == 1 {
			withoutTags = rest[0]
		}
	}
	precFromNode := -1.0
	if ref, ok := node.(*tsyntax.TypeRef); ok {
		last := ref.Name[strings.LastIndexByte(ref.Name, '.')+1:]
		if last == "DateTime64" && len(ref.Args) > 0 {
			if lt, ok := ref.Args[0].(*tsyntax.LiteralType); ok {
				if nl, ok := lt.Lit.(*tsyntax.NumberLit); ok {
					if v, ok := ttParseNumber(strings.ReplaceAll(nl.Text, "_", "")); ok {
						precFromNode = v
					}
				}
			}
		}
	}
	sym := ttSymbolName(nonNull)
	if sym == "" {
		sym = ttSymbolName(t)
	}
	isDateLike := sym == "DateTime" || sym == "DateTime64" || r.isDate(nonNull)

	var dt infra.ColumnType
	switch {
	case ttIsEnum(nonNull):
		dt, err = c.enumType(nonNull, p, path)
	default:
		var ok bool
		dt, ok, err = c.jsonMapped(nonNull)
		if err != nil || ok {
			break
		}
		if ok, err = c.isStringAnyRecord(nonNull); err != nil {
			break
		} else if ok {
			dt = infra.JSONOptions{}
			break
		}
		switch {
		case isDateLike:
			prec := precFromNode
			if prec < 0 {
				q, err := r.getPropertyDeep(nonNull, "_clickhouse_precision")
				if err != nil {
					return out, err
				}
				if q == nil {
					q, err = r.getPropertyDeep(t, "_clickhouse_precision")
					if err != nil {
						return out, err
					}
				}
				mt, err := r.markerType(q)
				if err != nil {
					return out, err
				}
				if l, ok := mt.(*ttLit); ok && l.kind == 'n' {
					prec = l.n
				}
			}
			if prec < 0 {
				dt = infra.DateTime
			} else if dt, err = c.precision(prec, p, path); err != nil {
				return out, err
			}
		case r.assignPrim(nonNull, "string"):
			dt, err = c.stringType(nonNull, &out.ann, p, path)
		case r.assignPrim(nonNull, "number"):
			dt, err = c.numberType(nonNull, p, path)
		case r.assignPrim(nonNull, "boolean"):
			dt = infra.Boolean
		default:
			var geo string
			geo, err = c.geometry(nonNull, p, path)
			if err != nil || geo != "" {
				dt = infra.Scalar(geo)
				break
			}
			if a, ok := withoutTags.(*ttObj); ok && a.kind == ttArrayK {
				elem, err := r.numberIndexType(nonNull)
				if err != nil {
					return out, err
				}
				if elem == nil {
					elem = a.elem
				}
				ec, err := c.convert(elem, nil, fieldName, path, isJWT, p)
				if err != nil {
					return out, err
				}
				dt = infra.Array{Element: ec.dt, ElementNullable: ec.nullable}
				break
			}
			var isNT bool
			if isNT, err = c.isNamedTuple(nonNull); err != nil {
				break
			} else if isNT {
				dt, err = c.namedTuple(nonNull, path, p)
				break
			}
			var idx []ttIndex
			if a, ok := nonNull.(*ttObj); !ok || a.kind != ttArrayK {
				if idx, err = r.indexOf(nonNull); err != nil {
					break
				}
			}
			if len(idx) == 1 {
				dt, err = c.record(nonNull, idx[0], fieldName, path, isJWT, p)
				break
			}
			if o, ok := withoutTags.(*ttObj); ok {
				dt, err = c.nested(o, fieldName, path, isJWT, p)
				break
			}
			err = c.unsupported(nonNull, p, path)
		}
	}
	if err != nil {
		return out, err
	}
	if err := c.typiaTargets(t, p, path); err != nil {
		return out, err
	}
	out.dt = dt
	if agg != nil {
		out.ann = append(out.ann, *agg)
	}
	if sagg != nil {
		out.ann = append(out.ann, *sagg)
	}
	q, err := r.getProperty(nonNull, "_LowCardinality")
	if err != nil {
		return out, err
	}
	if mt, err := r.markerType(q); err != nil {
		return out, err
	} else if l, ok := mt.(*ttLit); ok && l.kind == 'b' && l.b {
		out.ann = append(out.ann, infra.Annotation{Key: "LowCardinality", Value: json.RawMessage("true")})
	}
	return out, nil
}

func ttSymbolName(t ttType) string {
	switch x := t.(type) {
	case *ttObj:
		if x.kind == ttPlain || x.kind == ttDateK {
			return x.name
		}
	case *ttEnum:
		return x.name
	case *ttEnumMember:
		return x.name
	}
	return ""
}

// ttIsEnum is the plugin's isEnum (the EnumLiteral flag): an enum of
// literal members or one member. An enum without members is not one for
// the checker (its type is a plain number).
func ttIsEnum(t ttType) bool {
	switch x := t.(type) {
	case *ttEnum:
		return len(x.values) > 0 || x.bad != ""
	case *ttEnumMember:
		return true
	}
	return false
}

// underscoreMeta is the plugin's isUnderscoreMetaObject: an object type
// all of whose (at least one) properties start with "_", a marker.
func (c *ttConv) underscoreMeta(t ttType) bool {
	o, ok := t.(*ttObj)
	if !ok || o.kind != ttPlain {
		return false
	}
	ps, err := c.r.propsOf(o)
	if err != nil || len(ps) == 0 {
		return false
	}
	for _, p := range ps {
		if !strings.HasPrefix(p.name, "_") {
			return false
		}
	}
	return true
}

func (c *ttConv) precision(v float64, p *ttProp, path string) (infra.ColumnType, error) {
	if v != math.Trunc(v) || v < 0 || v > 9 {
		return nil, c.fieldErr(p, path, "the DateTime precision %s is not a whole number from 0 to 9", ttNumText(v))
	}
	return infra.DateTime64{Precision: int(v)}, nil
}

func (c *ttConv) enumType(t ttType, p *ttProp, path string) (infra.ColumnType, error) {
	var name string
	var values []*ttEnumMember
	switch x := t.(type) {
	case *ttEnum:
		if x.bad != "" {
			return nil, c.fieldErr(p, path, "the enum %s has no ClickHouse type: %s", x.name, x.bad)
		}
		name, values = x.name, x.values
		if len(values) == 1 {
			// the checker's enum of one value is that member's literal type, named after the member
			name = values[0].name
		}
	case *ttEnumMember:
		if x.enum.bad != "" {
			return nil, c.fieldErr(p, path, "the enum %s has no ClickHouse type: %s", x.enum.name, x.enum.bad)
		}
		name, values = x.name, []*ttEnumMember{x}
	}
	e := infra.Enum{Name: name, Values: []infra.EnumMember{}}
	for _, m := range values {
		var v infra.EnumValue
		if m.str {
			s := m.s
			v.Str = &s
		} else {
			n := int64(m.n)
			v.Int = &n
		}
		e.Values = append(e.Values, infra.EnumMember{Name: m.name, Value: v})
	}
	return e, nil
}

// ttAllStringLiterals is the plugin's `t.isUnion() && every isStringLiteral`.
func ttAllStringLiterals(t ttType) bool {
	var members []ttType
	switch x := t.(type) {
	case *ttUnion:
		for _, m := range x.types {
			if e, ok := m.(*ttEnum); ok {
				members = append(members, ttEnumValues(e)...)
			} else {
				members = append(members, m)
			}
		}
	case *ttEnum:
		members = ttEnumValues(x)
	default:
		return false
	}
	if len(members) < 2 {
		return false
	}
	for _, m := range members {
		switch y := m.(type) {
		case *ttLit:
			if y.kind != 's' {
				return false
			}
		case *ttEnumMember:
			if !y.str {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// tagValues are the `value` types of a type's typia tags, in order.
func (c *ttConv) tagValues(t ttType) ([]ttType, bool, error) {
	r := c.r
	tag, err := r.getProperty(t, "typia.tag")
	if err != nil || tag == nil {
		return nil, false, err
	}
	props, err := r.markerType(tag)
	if err != nil {
		return nil, true, err
	}
	list := []ttType{props}
	if in, ok := props.(*ttInter); ok {
		list = in.types
	}
	var out []ttType
	for _, p := range list {
		v, err := r.getProperty(p, "value")
		if err != nil {
			return nil, true, err
		}
		if v == nil {
			continue
		}
		vt, err := r.fullType(v)
		if err != nil {
			return nil, true, err
		}
		out = append(out, vt)
	}
	return out, true, nil
}

func (c *ttConv) numberLiteralOf(t ttType, name string) (float64, bool, error) {
	q, err := c.r.getProperty(t, name)
	if err != nil || q == nil {
		return 0, false, err
	}
	mt, err := c.r.markerType(q)
	if err != nil {
		return 0, false, err
	}
	if l, ok := mt.(*ttLit); ok && l.kind == 'n' {
		return l.n, true, nil
	}
	return 0, false, nil
}

func (c *ttConv) whole(v float64, what string, p *ttProp, path string) (int, error) {
	if v != math.Trunc(v) || v < 0 || v > 1e6 {
		return 0, c.fieldErr(p, path, "%s %s is not a whole number", what, ttNumText(v))
	}
	return int(v), nil
}

func (c *ttConv) stringType(t ttType, ann *[]infra.Annotation, p *ttProp, path string) (infra.ColumnType, error) {
	r := c.r
	if q, err := r.getPropertyDeep(t, "_clickhouse_fixed_string_size"); err != nil {
		return nil, err
	} else if q != nil {
		mt, err := r.markerType(q)
		if err != nil {
			return nil, err
		}
		if l, ok := mt.(*ttLit); ok && l.kind == 'n' {
			n, err := c.whole(l.n, "the FixedString size", p, path)
			if err != nil {
				return nil, err
			}
			return infra.FixedString{Length: n}, nil
		}
	}
	values, tagged, err := c.tagValues(t)
	if err != nil {
		return nil, err
	}
	if !tagged {
		if ttAllStringLiterals(t) {
			*ann = append(*ann, infra.Annotation{Key: "LowCardinality", Value: json.RawMessage("true")})
		}
		return infra.String, nil
	}
	for _, v := range values {
		switch {
		case r.isLitStr(v, "uuid"):
			return infra.UUID, nil
		case r.isLitStr(v, "date-time"):
			prec := 9.0
			if n, ok, err := c.numberLiteralOf(t, "_clickhouse_precision"); err != nil {
				return nil, err
			} else if ok {
				prec = n
			}
			*ann = append(*ann, infra.Annotation{Key: "stringDate", Value: json.RawMessage("true")})
			return c.precision(prec, p, path)
		case r.isLitStr(v, "date"):
			size := 4.0
			if n, ok, err := c.numberLiteralOf(t, "_clickhouse_byte_size"); err != nil {
				return nil, err
			} else if ok {
				size = n
			}
			switch size {
			case 4:
				return infra.Date, nil
			case 2:
				return infra.Date16, nil
			}
			return nil, c.fieldErr(p, path, "a date of %s bytes has no ClickHouse type (ClickHouseByteSize must be 2 or 4)", ttNumText(size))
		case r.isLitStr(v, "ipv4"):
			return infra.IPv4, nil
		case r.isLitStr(v, "ipv6"):
			return infra.IPv6, nil
		case r.isLitStr(v, ttDecimalRegex):
			prec, scale := 10.0, 0.0
			if n, ok, err := c.numberLiteralOf(t, "_clickhouse_precision"); err != nil {
				return nil, err
			} else if ok {
				prec = n
			}
			if n, ok, err := c.numberLiteralOf(t, "_clickhouse_scale"); err != nil {
				return nil, err
			} else if ok {
				scale = n
			}
			return c.decimal(prec, scale, p, path)
		}
	}
	return infra.String, nil
}

func (c *ttConv) decimal(prec, scale float64, p *ttProp, path string) (infra.ColumnType, error) {
	pi, err := c.whole(prec, "the Decimal precision", p, path)
	if err != nil {
		return nil, err
	}
	si, err := c.whole(scale, "the Decimal scale", p, path)
	if err != nil {
		return nil, err
	}
	return infra.Decimal{Precision: pi, Scale: si}, nil
}

var ttNumberTypes = []struct{ tag, ch string }{
	{"float", "Float32"}, {"double", "Float64"}, {"int8", "Int8"}, {"int16", "Int16"}, {"int32", "Int32"},
	{"int64", "Int64"}, {"uint8", "UInt8"}, {"uint16", "UInt16"}, {"uint32", "UInt32"}, {"uint64", "UInt64"},
}

func (c *ttConv) numberType(t ttType, p *ttProp, path string) (infra.ColumnType, error) {
	r := c.r
	pq, err := r.getPropertyDeep(t, "_clickhouse_precision")
	if err != nil {
		return nil, err
	}
	sq, err := r.getPropertyDeep(t, "_clickhouse_scale")
	if err != nil {
		return nil, err
	}
	if pq != nil && sq != nil {
		pt, err := r.markerType(pq)
		if err != nil {
			return nil, err
		}
		st, err := r.markerType(sq)
		if err != nil {
			return nil, err
		}
		pl, ok1 := pt.(*ttLit)
		sl, ok2 := st.(*ttLit)
		if ok1 && ok2 && pl.kind == 'n' && sl.kind == 'n' {
			return c.decimal(pl.n, sl.n, p, path)
		}
	}
	values, _, err := c.tagValues(t)
	if err != nil {
		return nil, err
	}
	for _, v := range values {
		for _, m := range ttNumberTypes {
			if r.isLitStr(v, m.tag) {
				return infra.Scalar(m.ch), nil
			}
		}
	}
	return infra.Float64, nil
}

func (c *ttConv) aggregated(t ttType, fieldName, path string, p *ttProp) (*infra.Annotation, error) {
	r := c.r
	fq, err := r.getProperty(t, "_aggregationFunction")
	if err != nil {
		return nil, err
	}
	aq, err := r.getProperty(t, "_argTypes")
	if err != nil || fq == nil || aq == nil {
		return nil, err
	}
	ft, err := r.markerType(fq)
	if err != nil {
		return nil, err
	}
	at, err := r.markerType(aq)
	if err != nil {
		return nil, err
	}
	fl, ok := ft.(*ttLit)
	tup, isTup := at.(*ttObj)
	if !ok || fl.kind != 's' || !isTup || tup.kind != ttTupleK {
		// the plugin logs "Unexpected type inside Aggregated" and goes on without the annotation
		return nil, nil
	}
	args := []json.RawMessage{}
	for _, e := range tup.elems {
		ec, err := c.convert(e.typ, nil, fieldName, path, false, p)
		if err != nil {
			return nil, err
		}
		b, err := infra.MarshalColumnType(ec.dt)
		if err != nil {
			return nil, err
		}
		args = append(args, b)
	}
	v, err := json.Marshal(struct {
		FunctionName  string            `json:"functionName"`
		ArgumentTypes []json.RawMessage `json:"argumentTypes"`
	}{fl.s, args})
	if err != nil {
		return nil, err
	}
	return &infra.Annotation{Key: "aggregationFunction", Value: v}, nil
}

func (c *ttConv) simpleAggregated(t ttType, fieldName, path string, p *ttProp) (*infra.Annotation, error) {
	r := c.r
	fq, err := r.getProperty(t, "_simpleAggregationFunction")
	if err != nil {
		return nil, err
	}
	aq, err := r.getProperty(t, "_argType")
	if err != nil || fq == nil || aq == nil {
		return nil, err
	}
	ft, err := r.markerType(fq)
	if err != nil {
		return nil, err
	}
	at, err := r.markerType(aq)
	if err != nil {
		return nil, err
	}
	fl, ok := ft.(*ttLit)
	if !ok || fl.kind != 's' {
		return nil, nil
	}
	ac, err := c.convert(at, nil, fieldName, path, false, p)
	if err != nil {
		return nil, err
	}
	b, err := infra.MarshalColumnType(ac.dt)
	if err != nil {
		return nil, err
	}
	v, err := json.Marshal(struct {
		FunctionName string          `json:"functionName"`
		ArgumentType json.RawMessage `json:"argumentType"`
	}{fl.s, b})
	if err != nil {
		return nil, err
	}
	return &infra.Annotation{Key: "simpleAggregationFunction", Value: v}, nil
}

// mappedType is the string literal of a type's `_clickhouse_mapped_type` marker.
func (c *ttConv) mappedType(t ttType, deep bool) (string, error) {
	r := c.r
	var q *ttProp
	var err error
	if deep {
		q, err = r.getPropertyDeep(t, "_clickhouse_mapped_type")
	} else {
		q, err = r.getProperty(t, "_clickhouse_mapped_type")
	}
	if err != nil || q == nil {
		return "", err
	}
	mt, err := r.markerType(q)
	if err != nil {
		return "", err
	}
	if l, ok := mt.(*ttLit); ok && l.kind == 's' {
		return l.s, nil
	}
	return "", nil
}

// jsonMapped is the plugin's getJsonMappedType: `X & ClickHouseJson<...>`.
func (c *ttConv) jsonMapped(t ttType) (infra.ColumnType, bool, error) {
	r := c.r
	mt, err := c.mappedType(t, true)
	if err != nil || mt != "JSON" {
		return nil, false, err
	}
	var o infra.JSONOptions
	sq, err := r.getPropertyDeep(t, "_clickhouse_json_settings")
	if err != nil {
		return nil, false, err
	}
	if sq != nil {
		st, err := r.markerType(sq)
		if err != nil {
			return nil, false, err
		}
		num := func(name string) (*int, error) {
			q, err := r.getPropertyDeep(st, name)
			if err != nil || q == nil {
				return nil, err
			}
			v, err := r.markerType(q)
			if err != nil {
				return nil, err
			}
			if l, ok := v.(*ttLit); ok && l.kind == 'n' {
				n := int(l.n)
				return &n, nil
			}
			return nil, nil
		}
		strs := func(name string) ([]string, error) {
			q, err := r.getPropertyDeep(st, name)
			if err != nil || q == nil {
				return nil, err
			}
			v, err := r.markerType(q)
			if err != nil {
				return nil, err
			}
			tup, ok := v.(*ttObj)
			if !ok || tup.kind != ttTupleK {
				return nil, nil
			}
			var out []string
			for _, e := range tup.elems {
				if l, ok := e.typ.(*ttLit); ok && l.kind == 's' {
					out = append(out, l.s)
				}
			}
			return out, nil
		}
		if o.MaxDynamicPaths, err = num("maxDynamicPaths"); err != nil {
			return nil, false, err
		}
		if o.MaxDynamicTypes, err = num("maxDynamicTypes"); err != nil {
			return nil, false, err
		}
		if o.SkipPaths, err = strs("skipPaths"); err != nil {
			return nil, false, err
		}
		if o.SkipRegexps, err = strs("skipRegexes"); err != nil {
			return nil, false, err
		}
	}
	base := t
	if in, ok := t.(*ttInter); ok {
		for _, m := range in.types {
			mt, err := c.mappedType(m, true)
			if err != nil {
				return nil, false, err
			}
			if mt != "JSON" {
				base = m
				break
			}
		}
	}
	// the plugin reads the typed paths in a try block: any error leaves none
	if cols, err := c.sub(base, func() ([]infra.Column, error) { return c.toColumns(base, false, "", nil, tsyntax.Pos{}) }); err == nil {
		for _, col := range cols {
			o.TypedPaths = append(o.TypedPaths, infra.TupleField{Name: col.Name, Type: col.DataType})
		}
	}
	return o, true, nil
}

// sub converts an object type nested in another, refusing a type that
// contains itself (the plugin recurses until the stack overflows).
func (c *ttConv) sub(t ttType, f func() ([]infra.Column, error)) ([]infra.Column, error) {
	for _, s := range c.stack {
		if s == t {
			return nil, fmt.Errorf("recursive type: %s contains itself (upstream's compiler plugin overflows its stack on it); a ClickHouse column cannot hold a recursive structure", ttShow(t, 0))
		}
	}
	if len(c.stack) >= ttMaxNesting {
		return nil, fmt.Errorf("the type nests more than %d object types deep (is it recursive?)", ttMaxNesting)
	}
	c.stack = append(c.stack, t)
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()
	return f()
}

// isStringAnyRecord is one index signature `[k: string]: any`.
func (c *ttConv) isStringAnyRecord(t ttType) (bool, error) {
	idx, err := c.r.indexOf(t)
	if err != nil || len(idx) != 1 {
		return false, err
	}
	if idx[0].key != ttString {
		return false, nil
	}
	v, err := idx[0].value()
	if err != nil {
		return false, err
	}
	return v == ttAny, nil
}

func (c *ttConv) isNamedTuple(t ttType) (bool, error) {
	mt, err := c.mappedType(t, false)
	return mt == "namedTuple", err
}

func (c *ttConv) namedTuple(t ttType, path string, p *ttProp) (infra.ColumnType, error) {
	cols, err := c.sub(t, func() ([]infra.Column, error) { return c.toColumns(t, false, path+".", nil, tsyntax.Pos{}) })
	if err != nil {
		return nil, ttWithField(err, path, p.file, p.pos)
	}
	nt := infra.NamedTuple{Fields: []infra.TupleField{}}
	for _, col := range cols {
		if col.Name == "_clickhouse_mapped_type" {
			continue
		}
		if col.Default != nil {
			return nil, c.fieldErr(p, path+"."+col.Name, "ClickHouseDefault in a nested field has no effect upstream (its plugin refuses it); put the default on the top-level field")
		}
		var ft infra.ColumnType = col.DataType
		if !col.Required {
			ft = infra.Nullable{Inner: col.DataType}
		}
		nt.Fields = append(nt.Fields, infra.TupleField{Name: col.Name, Type: ft})
	}
	return nt, nil
}

func (c *ttConv) record(t ttType, ix ttIndex, fieldName, path string, isJWT bool, p *ttProp) (infra.ColumnType, error) {
	kc, err := c.convert(ix.key, nil, fieldName+"_key", path, isJWT, p)
	if err != nil {
		return nil, err
	}
	v, err := ix.value()
	if err != nil {
		return nil, err
	}
	vc, err := c.convert(v, nil, fieldName+"_value", path, isJWT, p)
	if err != nil {
		if tup, ok := t.(*ttObj); ok && tup.kind == ttTupleK {
			// a tuple reads as a Map from its index to the union of its elements
			return nil, c.fieldErr(p, path, "the tuple %s has no ClickHouse type (upstream's compiler plugin crashes on it); use [number, number] for a Map or an interface", ttShow(t, 0))
		}
		return nil, err
	}
	return infra.MapType{Key: kc.dt, Value: vc.dt}, nil
}

func (c *ttConv) nested(o *ttObj, fieldName, path string, isJWT bool, p *ttProp) (infra.ColumnType, error) {
	cols, err := c.sub(o, func() ([]infra.Column, error) { return c.toColumns(o, false, path+".", nil, tsyntax.Pos{}) })
	if err != nil {
		return nil, ttWithField(err, path, p.file, p.pos)
	}
	for _, col := range cols {
		if col.Default != nil {
			return nil, c.fieldErr(p, path+"."+col.Name, "ClickHouseDefault in a nested field has no effect upstream (its plugin refuses it); put the default on the top-level field")
		}
	}
	name := o.name
	if name == "__type" || name == "" {
		name = fieldName
	}
	return infra.Nested{Name: name, Columns: cols, JWT: isJWT}, nil
}

// geometry is the plugin's getGeometryMappedType: a geometry marker on a
// value of the matching shape.
func (c *ttConv) geometry(t ttType, p *ttProp, path string) (string, error) {
	mt, err := c.mappedType(t, true)
	if err != nil || mt == "" {
		return "", err
	}
	var ok bool
	switch mt {
	case "Point":
		ok = c.isPoint(t)
	case "Ring", "LineString":
		ok = c.isArrayOf(t, c.isPoint)
	case "MultiLineString", "Polygon":
		ok = c.isArrayOf(t, func(e ttType) bool { return c.isArrayOf(e, c.isPoint) })
	case "MultiPolygon":
		ok = c.isArrayOf(t, func(e ttType) bool {
			return c.isArrayOf(e, func(i ttType) bool { return c.isArrayOf(i, c.isPoint) })
		})
	default:
		return "", nil
	}
	if !ok {
		return "", c.fieldErr(p, path, "a type marked as the geometry %s must have its shape (a Point is [number, number], a Ring or LineString an array of Points, and so on)", mt)
	}
	return mt, nil
}

func (c *ttConv) isPoint(t ttType) bool {
	if in, ok := t.(*ttInter); ok {
		for _, m := range in.types {
			if c.isPoint(m) {
				return true
			}
		}
		return false
	}
	o, ok := t.(*ttObj)
	if !ok || o.kind != ttTupleK || len(o.elems) != 2 {
		return false
	}
	return c.r.assignPrim(o.elems[0].typ, "number") && c.r.assignPrim(o.elems[1].typ, "number")
}

func (c *ttConv) isArrayOf(t ttType, pred func(ttType) bool) bool {
	if in, ok := t.(*ttInter); ok {
		for _, m := range in.types {
			if c.isArrayOf(m, pred) {
				return true
			}
		}
		return false
	}
	o, ok := t.(*ttObj)
	if !ok || o.kind != ttArrayK {
		return false
	}
	return pred(o.elem)
}

// unsupported says why a type has no ClickHouse type (upstream prints the
// checker's internal type object instead).
func (c *ttConv) unsupported(t ttType, p *ttProp, path string) error {
	shown := ttShow(t, 0)
	switch x := t.(type) {
	case *ttUnion:
		allObj := true
		for _, m := range x.types {
			if _, ok := m.(*ttObj); !ok {
				allObj = false
			}
		}
		if allObj {
			return c.fieldErr(p, path, "a union of object types (%s) has no ClickHouse type; use one interface with optional fields", shown)
		}
		return c.fieldErr(p, path, "a union of different types (%s) has no ClickHouse type", shown)
	case *ttInter:
		return c.fieldErr(p, path, "the intersection %s has no ClickHouse type in a field (upstream's plugin reads an interface there, not an intersection of object types); declare an interface that extends them", shown)
	case *ttPrim:
		switch x {
		case ttBigint:
			return c.fieldErr(p, path, "bigint has no ClickHouse type upstream; use Int64 or UInt64 (a number)")
		case ttObjectKw:
			return c.fieldErr(p, path, "object has no ClickHouse type; use an interface, or Record<string, any> for JSON")
		}
		return c.fieldErr(p, path, "%s has no ClickHouse type", shown)
	case *ttLit:
		if x.kind == 'i' {
			return c.fieldErr(p, path, "a bigint literal has no ClickHouse type upstream")
		}
	}
	return c.fieldErr(p, path, "the type %s has no ClickHouse type", shown)
}

// typiaTargets is typia's metadata check, which upstream runs on the same
// type: a tag applied to a value its target does not cover, or two tags of
// one exclusive kind (two tags.Type: Int32 & tags.Type<"int64">) on one
// value, is an error.
func (c *ttConv) typiaTargets(t ttType, p *ttProp, path string) error {
	in, ok := ttNonNull(t).(*ttInter)
	if !ok {
		return nil
	}
	if q, err := c.r.getProperty(in, "typia.tag"); err != nil || q == nil {
		return nil
	}
	base := ""
	for _, m := range in.types {
		if f := ttFamily(m); f != "" {
			base = f
		} else if o, ok := m.(*ttObj); ok && (o.kind == ttArrayK || o.kind == ttTupleK) {
			base = "array"
		}
	}
	var tags []*ttTagInfo
	for _, m := range in.types {
		ti := c.r.tagInfo(m)
		if ti == nil {
			continue
		}
		name := func() string {
			if ti.kind == "" {
				return "a typia tag"
			}
			if ti.kind == "pattern" && c.hasDecimal(in) {
				return "ClickHouseDecimal (a tags.Pattern)"
			}
			return "tags." + strings.ToUpper(ti.kind[:1]) + ti.kind[1:]
		}
		for _, o := range tags {
			if o.kind == ti.kind && ti.once {
				if o.value == ti.value {
					continue // the checker's intersection holds one instance of a tag
				}
				return c.fieldErr(p, path, "two typia tags of kind %q on one value (upstream's typia refuses the type)", ti.kind)
			}
		}
		tags = append(tags, ti)
		if base == "" || ti.targets == nil {
			continue
		}
		found := false
		for _, x := range ti.targets {
			if x == base {
				found = true
			}
		}
		if !found {
			return c.fieldErr(p, path, "%s applies to %s values, not to %s (upstream's typia refuses the type)", name(), strings.Join(ti.targets, " or "), base)
		}
	}
	return nil
}

// ttTagInfo is what typia's check reads of one tag.
type ttTagInfo struct {
	kind, value string
	targets     []string // nil when not literal
	once        bool     // the kind may appear once on a value
}

// ttOnceKinds are the kinds typia declares exclusive (`exclusive: true`, or
// a list that holds the kind itself); different kinds may combine
// (tags.Format with tags.Pattern is accepted).
var ttOnceKinds = map[string]bool{"default": true, "example": true, "examples": true, "maxItems": true, "maxLength": true,
	"minItems": true, "minLength": true, "multipleOf": true, "type": true, "uniqueItems": true, "format": true,
	"pattern": true, "minimum": true, "maximum": true, "exclusiveMinimum": true, "exclusiveMaximum": true}

// tagInfo reads a constituent's typia tag once (nil: it is not a tag).
func (r *ttResolver) tagInfo(m ttType) *ttTagInfo {
	if ti, ok := r.tags[m]; ok {
		return ti
	}
	var ti *ttTagInfo
	defer func() { r.tags[m] = ti }()
	tag, err := r.getProperty(m, "typia.tag")
	if err != nil || tag == nil {
		return nil
	}
	props, err := r.markerType(tag)
	if err != nil {
		return nil
	}
	ti = &ttTagInfo{}
	if kq, _ := r.getProperty(props, "kind"); kq != nil {
		if kt, err := r.fullType(kq); err == nil {
			if l, ok := kt.(*ttLit); ok && l.kind == 's' {
				ti.kind = l.s
			}
		}
	}
	ti.once = ttOnceKinds[ti.kind]
	if vq, _ := r.getProperty(props, "value"); vq != nil {
		if vt, err := r.fullType(vq); err == nil {
			ti.value = r.key(vt, 0)
		}
	}
	if tq, _ := r.getProperty(props, "target"); tq != nil {
		if tt, err := r.fullType(tq); err == nil {
			if targets, ok := ttLiteralTexts(tt); ok {
				ti.targets = targets
			}
		}
	}
	return ti
}

func (c *ttConv) hasDecimal(t ttType) bool {
	q, err := c.r.getPropertyDeep(t, "_clickhouse_scale")
	return err == nil && q != nil
}
