package parser

import (
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// The library's types, as the checker sees their declarations: moose-lib's
// aliases are intersections of a base type with phantom optional
// properties (`Int32` is `number & tags.Type<"int32">`, `ClickHouseDefault<E>`
// is `{ _clickhouse_default?: E }`), typia's tags are `{ "typia.tag"?: {
// target, kind, value } }`, and the global utility types (Partial, Pick,
// Record...) are mapped types. Building the same structures lets a user's
// own aliases and intersections over them compose as they do upstream.

// ttDecimalRegex is the pattern moose-lib's ClickHouseDecimal carries, by
// which the plugin recognises a decimal string.
const ttDecimalRegex = `^-?\d+(\.\d+)?$`

// ttTypiaFormats are the values typia's tags.Format accepts.
var ttTypiaFormats = []string{"byte", "password", "regex", "uuid", "email", "hostname", "idn-email",
	"idn-hostname", "iri", "iri-reference", "ipv4", "ipv6", "uri", "uri-reference", "uri-template", "url",
	"date-time", "date", "time", "duration", "json-pointer", "relative-json-pointer"}

// ttTag is a typia tag: TagBase<{ target, kind, value }>.
func ttTag(targets []string, kind string, value ttType) ttType {
	ts := make([]ttType, len(targets))
	for i, t := range targets {
		ts[i] = ttStr(t)
	}
	props := ttObjOf(
		&ttProp{name: "target", typ: ttMkUnion(ts...), done: true},
		&ttProp{name: "kind", typ: ttStr(kind), done: true},
		&ttProp{name: "value", typ: value, done: true},
	)
	return ttObjOf(ttPhantom("typia.tag", props))
}

func ttNumberTag(v string) ttType {
	targets := []string{"number"}
	if v == "int64" || v == "uint64" {
		targets = []string{"bigint", "number"}
	}
	return ttTag(targets, "type", ttStr(v))
}

func ttMarker(name string, t ttType) ttType { return ttObjOf(ttPhantom(name, t)) }

func ttGeometryMarker(shape string) ttType { return ttMarker("_clickhouse_mapped_type", ttStr(shape)) }

func ttPoint() ttType {
	return ttMkInter(ttTuple([]ttTupleElem{{typ: ttNumber}, {typ: ttNumber}}), ttGeometryMarker("Point"))
}

func ttGeometry(name string) (ttType, bool) {
	switch name {
	case "ClickHousePoint":
		return ttPoint(), true
	case "ClickHouseRing":
		return ttMkInter(ttArray(ttPoint()), ttGeometryMarker("Ring")), true
	case "ClickHouseLineString":
		return ttMkInter(ttArray(ttPoint()), ttGeometryMarker("LineString")), true
	case "ClickHouseMultiLineString":
		ls, _ := ttGeometry("ClickHouseLineString")
		return ttMkInter(ttArray(ls), ttGeometryMarker("MultiLineString")), true
	case "ClickHousePolygon":
		ring, _ := ttGeometry("ClickHouseRing")
		return ttMkInter(ttArray(ring), ttGeometryMarker("Polygon")), true
	case "ClickHouseMultiPolygon":
		poly, _ := ttGeometry("ClickHousePolygon")
		return ttMkInter(ttArray(poly), ttGeometryMarker("MultiPolygon")), true
	}
	return nil, false
}

// ttLibPath is a library binding's dotted path inside its module, the
// namespace parts of a default or namespace import dropped.
func ttLibPath(l *tsLibName) []string {
	if l.Member == "" && !strings.Contains(l.Name, ".") {
		return []string{l.Name}
	}
	var path []string
	for _, p := range strings.Split(l.Name, ".") {
		if p != "" {
			path = append(path, p)
		}
	}
	if l.Member != "" {
		path = append(path, strings.Split(l.Member, ".")...)
	}
	for len(path) > 1 && (path[0] == "*" || path[0] == "default") {
		path = path[1:]
	}
	return path
}

func ttIsMooseLib(m string) bool {
	return m == "@514labs/moose-lib" || strings.HasPrefix(m, "@514labs/moose-lib/")
}

// lib is a library name's type.
func (r *ttResolver) lib(ctx *ttCtx, n *tsyntax.TypeRef, l *tsLibName, args []ttType) (ttType, error) {
	// a library type depends only on its name and arguments: build it once
	key := l.Module + "\x00" + l.Name + "\x00" + l.Member
	if len(args) > 0 {
		key += "<" + r.keys(args) + ">"
	}
	if t, ok := r.libs[key]; ok {
		return t, nil
	}
	t, err := r.libType(ctx, n, l, args)
	if err == nil {
		r.libs[key] = t
	}
	return t, err
}

func (r *ttResolver) libType(ctx *ttCtx, n *tsyntax.TypeRef, l *tsLibName, args []ttType) (ttType, error) {
	path := ttLibPath(l)
	written := n.Name
	switch {
	case ttIsMooseLib(l.Module):
		if len(path) >= 1 && path[0] == "tags" {
			// moose-lib uses typia's tags but does not export them (0.6.533)
			return nil, ttErrf(ctx.file(), n.P, "@514labs/moose-lib does not export tags (TypeScript refuses the import upstream); import { tags } from \"typia\"")
		}
		if len(path) == 1 {
			return r.mooseLib(ctx, n, path[0], args)
		}
	case l.Module == "typia":
		if len(path) == 2 && path[0] == "tags" {
			return r.typiaTag(ctx, n, path[1], args)
		}
	case l.Module == "typia/lib/tags" || strings.HasPrefix(l.Module, "typia/lib/tags/"):
		if len(path) == 1 {
			return r.typiaTag(ctx, n, path[0], args)
		}
	}
	return nil, ttErrf(ctx.file(), n.P, "%s (from %q) is not a type moose-dev can read: a model's types may use the project's own declarations, @514labs/moose-lib's type aliases and markers and typia's tags", written, l.Module)
}

func (r *ttResolver) wantArgs(ctx *ttCtx, n *tsyntax.TypeRef, name string, args []ttType, min, max int) error {
	if len(args) < min || len(args) > max {
		want := fmt.Sprint(min)
		if max != min {
			want = fmt.Sprintf("%d to %d", min, max)
		}
		return ttErrf(ctx.file(), n.P, "%s takes %s type argument(s), not %d", name, want, len(args))
	}
	return nil
}

// wantFamily checks a type argument's constraint (`P extends number`):
// the checker refuses the program otherwise, and so does upstream.
func (r *ttResolver) wantFamily(ctx *ttCtx, n *tsyntax.TypeRef, name string, i int, args []ttType, fam string) error {
	if i >= len(args) {
		return nil
	}
	if !r.assignPrim(args[i], fam) {
		return ttErrf(ctx.file(), n.P, "%s: the type argument %s must be a %s (TypeScript refuses the program upstream)", name, ttShow(args[i], 0), fam)
	}
	return nil
}

func (r *ttResolver) mooseLib(ctx *ttCtx, n *tsyntax.TypeRef, name string, args []ttType) (ttType, error) {
	one := func() error { return r.wantArgs(ctx, n, name, args, 1, 1) }
	none := func() error { return r.wantArgs(ctx, n, name, args, 0, 0) }
	numArg := func(i int) error { return r.wantFamily(ctx, n, name, i, args, "number") }
	strArg := func(i int) error { return r.wantFamily(ctx, n, name, i, args, "string") }
	if g, ok := ttGeometry(name); ok {
		return g, none()
	}
	switch name {
	case "Key":
		if err := one(); err != nil {
			return nil, err
		}
		if !r.assignPrim(args[0], "string") && !r.assignPrim(args[0], "number") && !r.isDate(args[0]) && !r.keyUnion(args[0]) {
			return nil, ttErrf(ctx.file(), n.P, "Key<%s>: a key must be a string, number or Date type (TypeScript refuses the program upstream)", ttShow(args[0], 0))
		}
		return args[0], nil
	case "JWT":
		if err := one(); err != nil {
			return nil, err
		}
		if ttFamily(args[0]) != "" {
			return nil, ttErrf(ctx.file(), n.P, "JWT<%s>: the type argument must be an object type (TypeScript refuses the program upstream)", ttShow(args[0], 0))
		}
		return args[0], nil
	case "WithDefault":
		if err := r.wantArgs(ctx, n, name, args, 2, 2); err != nil {
			return nil, err
		}
		return args[0], strArg(1)
	case "DateTime":
		return ttDate(), none()
	case "DateTime64":
		if err := one(); err != nil {
			return nil, err
		}
		return ttMkInter(ttDate(), ttMarker("_clickhouse_precision", args[0])), numArg(0)
	case "DateTimeString":
		return ttMkInter(ttString, ttTag([]string{"string"}, "format", ttStr("date-time"))), none()
	case "DateTime64String":
		if err := one(); err != nil {
			return nil, err
		}
		return ttMkInter(ttString, ttTag([]string{"string"}, "format", ttStr("date-time")),
			ttMarker("_clickhouse_precision", args[0])), numArg(0)
	case "Float32":
		return ttMkInter(ttNumber, ttNumberTag("float")), none()
	case "Float64":
		return ttMkInter(ttNumber, ttNumberTag("double")), none()
	case "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64":
		return ttMkInter(ttNumber, ttNumberTag(strings.ToLower(name))), none()
	case "ClickHouseInt":
		if err := one(); err != nil {
			return nil, err
		}
		v, ok := args[0].(*ttLit)
		valid := map[string]bool{"int8": true, "int16": true, "int32": true, "int64": true,
			"uint8": true, "uint16": true, "uint32": true, "uint64": true}
		if !ok || v.kind != 's' || !valid[v.s] {
			return nil, ttErrf(ctx.file(), n.P, "ClickHouseInt<%s>: the argument must be one of int8, int16, int32, int64, uint8, uint16, uint32, uint64", ttShow(args[0], 0))
		}
		return ttNumberTag(v.s), nil
	case "ClickHouseFloat":
		if err := one(); err != nil {
			return nil, err
		}
		v, ok := args[0].(*ttLit)
		if !ok || v.kind != 's' || (v.s != "float32" && v.s != "float64") {
			return nil, ttErrf(ctx.file(), n.P, "ClickHouseFloat<%s>: the argument must be \"float32\" or \"float64\"", ttShow(args[0], 0))
		}
		if v.s == "float32" {
			return ttNumberTag("float"), nil
		}
		return ttNumberTag("double"), nil
	case "Decimal", "ClickHouseDecimal":
		if err := r.wantArgs(ctx, n, name, args, 2, 2); err != nil {
			return nil, err
		}
		if err := numArg(0); err != nil {
			return nil, err
		}
		if err := numArg(1); err != nil {
			return nil, err
		}
		dec := ttMkInter(ttObjOf(ttPhantom("_clickhouse_precision", args[0]), ttPhantom("_clickhouse_scale", args[1])),
			ttTag([]string{"string"}, "pattern", ttStr(ttDecimalRegex)))
		if name == "Decimal" {
			return ttMkInter(ttString, dec), nil
		}
		return dec, nil
	case "FixedString":
		if err := one(); err != nil {
			return nil, err
		}
		return ttMkInter(ttString, ttMarker("_clickhouse_fixed_string_size", args[0])), numArg(0)
	case "ClickHouseFixedStringSize":
		if err := one(); err != nil {
			return nil, err
		}
		return ttMarker("_clickhouse_fixed_string_size", args[0]), numArg(0)
	case "ClickHouseByteSize":
		if err := one(); err != nil {
			return nil, err
		}
		return ttMarker("_clickhouse_byte_size", args[0]), numArg(0)
	case "ClickHousePrecision":
		if err := one(); err != nil {
			return nil, err
		}
		return ttMarker("_clickhouse_precision", args[0]), numArg(0)
	case "LowCardinality":
		return ttMarker("_LowCardinality", ttBoolLit(true)), none()
	case "ClickHouseDefault", "ClickHouseMaterialized", "ClickHouseAlias", "ClickHouseTTL", "ClickHouseCodec":
		if err := one(); err != nil {
			return nil, err
		}
		prop := map[string]string{"ClickHouseDefault": "_clickhouse_default", "ClickHouseMaterialized": "_clickhouse_materialized",
			"ClickHouseAlias": "_clickhouse_alias", "ClickHouseTTL": "_clickhouse_ttl", "ClickHouseCodec": "_clickhouse_codec"}[name]
		return ttMarker(prop, args[0]), strArg(0)
	case "ClickHouseNamedTuple":
		return ttMarker("_clickhouse_mapped_type", ttStr("namedTuple")), none()
	case "ClickHouseJson":
		if err := r.wantArgs(ctx, n, name, args, 0, 4); err != nil {
			return nil, err
		}
		get := func(i int, dflt ttType) ttType {
			if i < len(args) {
				return args[i]
			}
			return dflt
		}
		settings := ttObjOf(
			ttPhantom("maxDynamicPaths", get(0, ttUndefined)),
			ttPhantom("maxDynamicTypes", get(1, ttUndefined)),
			ttPhantom("skipPaths", get(2, ttTuple(nil))),
			ttPhantom("skipRegexes", get(3, ttTuple(nil))),
		)
		return ttObjOf(ttPhantom("_clickhouse_mapped_type", ttStr("JSON")), ttPhantom("_clickhouse_json_settings", settings)), nil
	case "Aggregated":
		if err := r.wantArgs(ctx, n, name, args, 1, 2); err != nil {
			return nil, err
		}
		var at ttType = ttTuple(nil)
		if len(args) == 2 {
			at = args[1]
		}
		return ttObjOf(ttPhantom("_aggregationFunction", args[0]), ttPhantom("_argTypes", at)), strArg(0)
	case "SimpleAggregated":
		if err := r.wantArgs(ctx, n, name, args, 1, 2); err != nil {
			return nil, err
		}
		var at ttType = ttAny
		if len(args) == 2 {
			at = args[1]
		}
		return ttObjOf(ttPhantom("_simpleAggregationFunction", args[0]), ttPhantom("_argType", at)), strArg(0)
	case "Insertable":
		if err := one(); err != nil {
			return nil, err
		}
		return r.insertable(args[0])
	case "DeadLetterModel":
		return ttDeadLetterModel(), none()
	case "DeadLetter":
		if err := one(); err != nil {
			return nil, err
		}
		o := &ttObj{kind: ttPlain, name: "DeadLetter", iface: true, display: "DeadLetter", initDone: true}
		o.props = append([]*ttProp{{name: "asTyped", typ: ttFunc(), done: true,
			docs: []string{"Recovers the original record as its typed form.\nUseful for reprocessing failed records with proper type safety."}}},
			ttDeadLetterModel().props...)
		return o, nil
	case "tags":
		return nil, ttErrf(ctx.file(), n.P, "tags is a namespace; write tags.Type<...> or tags.Format<...>")
	}
	return nil, ttErrf(ctx.file(), n.P, "%s is not one of @514labs/moose-lib's types a model may use (its type aliases and markers: Key, DateTime, Int32, ClickHouseDefault...)", name)
}

// keyUnion accepts a union each of whose members is a string, number or Date.
func (r *ttResolver) keyUnion(t ttType) bool {
	u, ok := t.(*ttUnion)
	if !ok {
		return false
	}
	for _, m := range u.types {
		if !r.assignPrim(m, "string") && !r.assignPrim(m, "number") && !r.isDate(m) {
			return false
		}
	}
	return true
}

// insertable is moose-lib's Insertable<T>: ALIAS and MATERIALIZED columns
// omitted, DEFAULT columns optional. Its mapped types filter the keys
// through a conditional type, so (as for the checker) the properties keep
// no link to their declarations: no Key, no documentation.
func (r *ttResolver) insertable(t ttType) (ttType, error) {
	o := &ttObj{kind: ttPlain, name: "__type"}
	o.init = func() error {
		ps, err := r.propsOf(t)
		if err != nil {
			return err
		}
		var plain, defaults []*ttProp
		for _, p := range ps {
			ft, err := r.fullType(p)
			if err != nil {
				return err
			}
			has := func(name string) bool {
				q, _ := r.getProperty(ft, name)
				return q != nil
			}
			switch {
			case has("_clickhouse_alias") || has("_clickhouse_materialized"):
			case has("_clickhouse_default"):
				defaults = append(defaults, &ttProp{name: p.name, optional: true, lazy: func() (ttType, error) { return ft, nil }, file: p.file, pos: p.pos})
			default:
				plain = append(plain, &ttProp{name: p.name, optional: false, lazy: func() (ttType, error) { return ft, nil }, file: p.file, pos: p.pos})
			}
		}
		o.props = append(plain, defaults...)
		return nil
	}
	return o, nil
}

func (r *ttResolver) typiaTag(ctx *ttCtx, n *tsyntax.TypeRef, name string, args []ttType) (ttType, error) {
	one := func() error { return r.wantArgs(ctx, n, "tags."+name, args, 1, 1) }
	numOrBig := func() []string {
		if len(args) > 0 && r.assignPrim(args[0], "bigint") && args[0] != ttAny && args[0] != ttNever {
			return []string{"bigint"}
		}
		return []string{"number"}
	}
	switch name {
	case "Type":
		if err := one(); err != nil {
			return nil, err
		}
		valid := map[string]bool{"int32": true, "uint32": true, "int64": true, "uint64": true, "float": true, "double": true}
		v, ok := args[0].(*ttLit)
		if !ok || v.kind != 's' || !valid[v.s] {
			hint := ""
			if ok && v.kind == 's' {
				switch v.s {
				case "int8", "int16", "uint8", "uint16":
					hint = fmt.Sprintf("; moose-lib's %s gives that type", map[string]string{"int8": "Int8", "int16": "Int16", "uint8": "UInt8", "uint16": "UInt16"}[v.s])
				}
			}
			return nil, ttErrf(ctx.file(), n.P, "tags.Type<%s> is not a typia type tag upstream accepts (int32, uint32, int64, uint64, float, double)%s", ttShow(args[0], 0), hint)
		}
		return ttNumberTag(v.s), nil
	case "Format":
		if err := one(); err != nil {
			return nil, err
		}
		v, ok := args[0].(*ttLit)
		valid := false
		if ok && v.kind == 's' {
			for _, f := range ttTypiaFormats {
				if f == v.s {
					valid = true
				}
			}
		}
		if !valid {
			return nil, ttErrf(ctx.file(), n.P, "tags.Format<%s> is not a typia format (%s)", ttShow(args[0], 0), strings.Join(ttTypiaFormats, ", "))
		}
		return ttTag([]string{"string"}, "format", v), nil
	case "Pattern":
		if err := one(); err != nil {
			return nil, err
		}
		return ttTag([]string{"string"}, "pattern", args[0]), r.wantFamily(ctx, n, "tags.Pattern", 0, args, "string")
	case "Minimum", "Maximum", "ExclusiveMinimum", "ExclusiveMaximum", "MultipleOf":
		if err := one(); err != nil {
			return nil, err
		}
		kind := strings.ToLower(name[:1]) + name[1:]
		return ttTag(numOrBig(), kind, args[0]), nil
	case "MinLength", "MaxLength":
		if err := one(); err != nil {
			return nil, err
		}
		return ttTag([]string{"string"}, strings.ToLower(name[:1])+name[1:], args[0]), r.wantFamily(ctx, n, "tags."+name, 0, args, "number")
	case "MinItems", "MaxItems":
		if err := one(); err != nil {
			return nil, err
		}
		return ttTag([]string{"array"}, strings.ToLower(name[:1])+name[1:], args[0]), r.wantFamily(ctx, n, "tags."+name, 0, args, "number")
	case "UniqueItems":
		if err := r.wantArgs(ctx, n, "tags.UniqueItems", args, 0, 1); err != nil {
			return nil, err
		}
		var v ttType = ttBoolLit(true)
		if len(args) == 1 {
			v = args[0]
		}
		return ttTag([]string{"array"}, "uniqueItems", v), nil
	case "Default":
		if err := one(); err != nil {
			return nil, err
		}
		target := "string"
		switch ttFamily(args[0]) {
		case "boolean", "bigint", "number":
			target = ttFamily(args[0])
		}
		return ttTag([]string{target}, "default", args[0]), nil
	case "Example", "Examples":
		if err := one(); err != nil {
			return nil, err
		}
		return ttTag([]string{"boolean", "bigint", "number", "string", "array", "object"}, strings.ToLower(name), args[0]), nil
	case "Sequence":
		if err := one(); err != nil {
			return nil, err
		}
		return ttTag([]string{"boolean", "bigint", "number", "string", "array", "object"}, "sequence", args[0]), nil
	case "ContentMediaType":
		if err := one(); err != nil {
			return nil, err
		}
		return ttTag([]string{"string"}, "contentMediaType", ttUndefined), nil
	case "JsonSchemaPlugin":
		if err := one(); err != nil {
			return nil, err
		}
		return ttTag([]string{"string", "boolean", "bigint", "number", "array", "object"}, "jsonPlugin", ttUndefined), nil
	case "Constant":
		if err := r.wantArgs(ctx, n, "tags.Constant", args, 1, 2); err != nil {
			return nil, err
		}
		return ttMkInter(args[0], ttTag([]string{"string", "boolean", "number", "bigint"}, "constant", args[0])), nil
	case "TagBase":
		if err := one(); err != nil {
			return nil, err
		}
		return ttObjOf(ttPhantom("typia.tag", args[0])), nil
	}
	return nil, ttErrf(ctx.file(), n.P, "tags.%s is not one of typia's tags", name)
}

// global is a name the checker's lib.d.ts declares.
func (r *ttResolver) global(ctx *ttCtx, n *tsyntax.TypeRef, args []ttType) (ttType, error) {
	name := n.Name
	want := func(k int) error { return r.wantArgs(ctx, n, name, args, k, k) }
	switch name {
	case "Date":
		return ttDate(), want(0)
	case "Array", "ReadonlyArray":
		if err := want(1); err != nil {
			return nil, err
		}
		a := ttArray(args[0])
		a.readonly = name == "ReadonlyArray"
		return a, nil
	case "Record":
		if err := want(2); err != nil {
			return nil, err
		}
		o := &ttObj{kind: ttPlain, name: "__type"}
		k, v := args[0], args[1]
		o.init = func() error {
			return r.mappedKeys(o, k, "", func(ttType) (ttType, error) { return v, nil }, ctx, n.P)
		}
		return o, nil
	case "Partial", "Required", "Readonly":
		if err := want(1); err != nil {
			return nil, err
		}
		mod := map[string]string{"Partial": "?", "Required": "-?", "Readonly": ""}[name]
		return r.homomorphic(args[0], mod, nil, false), nil
	case "Pick", "Omit":
		if err := want(2); err != nil {
			return nil, err
		}
		names, ok := ttKeyNames(args[1])
		if !ok {
			return nil, ttErrf(ctx.file(), n.P, "%s: the keys %s must be string literals", name, ttShow(args[1], 0))
		}
		if name == "Pick" {
			ps, err := r.propsOf(args[0])
			if err != nil {
				return nil, err
			}
			for k := range names {
				found := false
				for _, p := range ps {
					if p.name == k {
						found = true
					}
				}
				if !found {
					return nil, ttErrf(ctx.file(), n.P, "Pick: %q is not a property of %s (TypeScript refuses the program upstream)", k, ttShow(args[0], 0))
				}
			}
		}
		return r.homomorphic(args[0], "", names, name == "Omit"), nil
	case "NonNullable":
		if err := want(1); err != nil {
			return nil, err
		}
		return ttNonNull(args[0]), nil
	case "Exclude", "Extract":
		if err := want(2); err != nil {
			return nil, err
		}
		var list []ttType
		switch u := args[0].(type) {
		case *ttUnion:
			list = u.types
		case *ttEnum:
			list = ttEnumValues(u)
		default:
			list = []ttType{args[0]}
		}
		var keep []ttType
		for _, m := range list {
			ok, known := r.assignable(m, args[1], 0)
			if !known {
				return nil, ttErrf(ctx.file(), n.P, "%s<%s, %s> cannot be decided statically", name, ttShow(args[0], 0), ttShow(args[1], 0))
			}
			if ok == (name == "Extract") {
				keep = append(keep, m)
			}
		}
		return ttMkUnion(keep...), nil
	case "Uppercase", "Lowercase", "Capitalize", "Uncapitalize":
		if err := want(1); err != nil {
			return nil, err
		}
		texts, ok := ttLiteralTexts(args[0])
		if !ok {
			if r.assignPrim(args[0], "string") {
				return ttString, nil
			}
			return nil, ttErrf(ctx.file(), n.P, "%s<%s> cannot be read statically", name, ttShow(args[0], 0))
		}
		out := make([]ttType, len(texts))
		for i, s := range texts {
			switch name {
			case "Uppercase":
				s = strings.ToUpper(s)
			case "Lowercase":
				s = strings.ToLower(s)
			case "Capitalize":
				if s != "" {
					s = strings.ToUpper(s[:1]) + s[1:]
				}
			case "Uncapitalize":
				if s != "" {
					s = strings.ToLower(s[:1]) + s[1:]
				}
			}
			out[i] = ttStr(s)
		}
		return ttMkUnion(out...), nil
	case "PropertyKey":
		return ttMkUnion(ttString, ttNumber, ttSymbol), want(0)
	}
	if strings.Contains(name, ".") {
		return nil, ttErrf(ctx.file(), n.P, "cannot find the type %s", name)
	}
	return nil, ttErrf(ctx.file(), n.P, "cannot find the type %s (it is neither declared nor imported in %s)", name, ctx.file())
}

// ttKeyNames is the set of names of a union of string (or number) literals.
func ttKeyNames(t ttType) (map[string]bool, bool) {
	out := map[string]bool{}
	var add func(t ttType) bool
	add = func(t ttType) bool {
		switch x := t.(type) {
		case *ttLit:
			switch x.kind {
			case 's':
				out[x.s] = true
			case 'n':
				out[ttNumText(x.n)] = true
			default:
				return false
			}
		case *ttUnion:
			for _, m := range x.types {
				if !add(m) {
					return false
				}
			}
		case *ttPrim:
			return x == ttNever
		default:
			return false
		}
		return true
	}
	return out, add(t)
}

// homomorphic is a mapped type over `keyof T` (Partial, Required,
// Readonly; Pick and Omit through their key filter): T's properties in T's
// order with their declarations, documentation and modifiers. mod is the
// `?` modifier ("?", "-?" or ""); only (or, with omit, except) limits the
// keys.
func (r *ttResolver) homomorphic(t ttType, mod string, only map[string]bool, omit bool) ttType {
	o := &ttObj{kind: ttPlain, name: "__type"}
	o.init = func() error {
		ps, err := r.propsOf(t)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if only != nil && only[p.name] == omit {
				continue
			}
			p := p
			np := &ttProp{name: p.name, node: p.node, docs: r.docsOf(p), file: p.file, pos: p.pos,
				optional: ttMapOptional(mod, p.optional)}
			np.lazy = func() (ttType, error) {
				t, err := r.propType(p)
				if err != nil {
					return nil, err
				}
				if mod == "-?" && p.optional {
					t = ttWithoutUndefined(t)
				}
				return t, nil
			}
			o.props = append(o.props, np)
		}
		if only == nil {
			is, err := r.indexOf(t)
			if err != nil {
				return err
			}
			o.index = append(o.index, is...)
		}
		return nil
	}
	return o
}

// ttDeadLetterModel is moose-lib's DeadLetterModel interface as its .d.ts
// declares it, documentation included (upstream's plugin reads that TSDoc
// into column comments of an OlapTable<DeadLetterModel>).
func ttDeadLetterModel() *ttObj {
	prop := func(name string, t ttType, doc string) *ttProp {
		return &ttProp{name: name, typ: t, done: true, docs: []string{doc}}
	}
	record := &ttObj{kind: ttPlain, name: "__type", initDone: true,
		index: []ttIndex{{key: ttString, value: func() (ttType, error) { return ttAny, nil }}}}
	return &ttObj{kind: ttPlain, name: "DeadLetterModel", iface: true, display: "DeadLetterModel", initDone: true,
		props: []*ttProp{
			prop("originalRecord", record, "The original record that failed processing"),
			prop("errorMessage", ttString, "Human-readable error message describing the failure"),
			prop("errorType", ttString, `Classification of the error type (e.g., "ValidationError", "TransformError")`),
			prop("failedAt", ttDate(), "Timestamp when the failure occurred"),
			prop("source", ttMkUnion(ttStr("api"), ttStr("transform"), ttStr("table")), "The source component where the failure occurred"),
		}}
}
