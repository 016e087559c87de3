package parser

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// This file turns a model field's annotation into a column, following
// upstream's py_type_to_column_type: type aliases and Annotated metadata are
// unwrapped and their markers collected, Optional is peeled, then the base
// type is chosen with the markers in hand.

// columns converts a model's fields to columns.
func (ev *evaluator) columns(mv *modelVal) ([]infra.Column, error) {
	if mv.ts != nil {
		return ev.ts.columns(mv.ts)
	}
	if cols, ok := ev.modelColumns[mv]; ok {
		return cols, nil
	}
	cols := make([]infra.Column, 0, len(mv.fields))
	for _, f := range mv.fields {
		c, err := ev.column(f)
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if ev.modelColumns == nil {
		ev.modelColumns = map[*modelVal][]infra.Column{}
	}
	ev.modelColumns[mv] = cols
	return cols, nil
}

// typeCtx carries what errors need: the field and where its annotation is.
type typeCtx struct {
	ev *evaluator
	f  field
}

func (tc typeCtx) errf(format string, args ...any) error {
	return tc.ev.errAt(tc.f.mod.file, tc.f.ann.Position(), "field %q: %s", tc.f.name, fmt.Sprintf(format, args...))
}

func (ev *evaluator) column(f field) (infra.Column, error) {
	tc := typeCtx{ev, f}
	v, err := ev.eval(f.mod, f.ann)
	if err != nil {
		return infra.Column{}, err
	}
	c := infra.Column{Name: f.name}
	var mds []value
	if f.value != nil {
		dv, err := ev.eval(f.mod, f.value)
		if err != nil {
			return infra.Column{}, err
		}
		if fc, ok := dv.(callVal); ok && fc.fn == "pydantic.Field" {
			mds = append(mds, fc)
		}
	}
	v, c.PrimaryKey = unwrapGeneric(v, "moose_lib.Key")
	v, _ = unwrapGeneric(v, "moose_lib.JWT")
	optional, mds, t, err := tc.pyType(v, mds)
	if err != nil {
		return infra.Column{}, err
	}
	c.DataType, c.Required = t, !optional
	if err := tc.applyMarkers(&c, mds); err != nil {
		return infra.Column{}, err
	}
	return c, nil
}

// unwrapGeneric peels `name[T]`.
func unwrapGeneric(v value, name string) (value, bool) {
	if g, ok := v.(genericVal); ok && len(g.params) == 1 {
		if ref, ok := g.base.(extRef); ok && ref.qual == name {
			return g.params[0], true
		}
	}
	return v, false
}

func isRef(v value, names ...string) bool {
	ref, ok := v.(extRef)
	if !ok {
		return false
	}
	for _, n := range names {
		if ref.qual == n {
			return true
		}
	}
	return false
}

func genericOf(v value, names ...string) (genericVal, bool) {
	g, ok := v.(genericVal)
	if !ok {
		return g, false
	}
	return g, isRef(g.base, names...)
}

// markerNames maps every spelling of a moose_lib or pydantic marker to one
// name.
var markerNames = map[string]string{
	"moose_lib.ClickhouseSize": "size", "moose_lib.ClickhousePrecision": "precision",
	"moose_lib.ClickhouseFixedStringSize": "fixed", "moose_lib.FixedString": "fixed",
	"moose_lib.ClickhouseDefault": "default", "moose_lib.clickhouse_default": "default",
	"moose_lib.ClickHouseDefault": "default",
	"moose_lib.ClickHouseTTL":     "ttl", "moose_lib.ClickHouseCodec": "codec",
	"moose_lib.ClickHouseMaterialized": "materialized", "moose_lib.ClickHouseAlias": "alias",
	"moose_lib.ClickHouseJson": "json", "pydantic.Field": "field",
	"moose_lib.AggregateFunction": "agg", "moose_lib.SimpleAggregateFunction": "simpleagg",
}

func marker(v value) (string, callVal) {
	c, ok := v.(callVal)
	if !ok {
		return "", c
	}
	return markerNames[c.fn], c
}

var aliasTypes = map[string][2]string{
	"moose_lib.Int8": {"builtins.int", "int8"}, "moose_lib.Int16": {"builtins.int", "int16"},
	"moose_lib.Int32": {"builtins.int", "int32"}, "moose_lib.Int64": {"builtins.int", "int64"},
	"moose_lib.UInt8": {"builtins.int", "uint8"}, "moose_lib.UInt16": {"builtins.int", "uint16"},
	"moose_lib.UInt32": {"builtins.int", "uint32"}, "moose_lib.UInt64": {"builtins.int", "uint64"},
	"moose_lib.Float32": {"builtins.float", "float32"}, "moose_lib.Float64": {"builtins.float", "float64"},
}

var geometries = map[string]bool{"Point": true, "Ring": true, "LineString": true, "MultiLineString": true,
	"Polygon": true, "MultiPolygon": true}

// annotated unwraps Annotated[...] and moose_lib's type aliases and
// type-returning helpers, collecting their metadata.
func (tc typeCtx) annotated(v value, mds []value) (value, []value) {
	for {
		switch x := v.(type) {
		case genericVal:
			if isRef(x.base, "typing.Annotated") && len(x.params) >= 1 {
				mds = append(mds, x.params[1:]...)
				v = x.params[0]
				continue
			}
		case extRef:
			if a, ok := aliasTypes[x.qual]; ok {
				v, mds = extRef{a[0]}, append(mds, strVal(a[1]))
				continue
			}
			if name, ok := strings.CutPrefix(x.qual, "moose_lib."); ok && geometries[name] {
				v, mds = extRef{"moose_lib.__geometry__"}, append(mds, strVal(name))
				continue
			}
		case callVal:
			switch x.fn {
			case "moose_lib.clickhouse_decimal":
				p, _, _ := x.argument(0, "precision")
				s, _, _ := x.argument(1, "scale")
				v = extRef{"decimal.Decimal"}
				mds = append(mds, callVal{fn: "pydantic.Field", kwargs: map[string]value{"max_digits": p, "decimal_places": s}})
				continue
			case "moose_lib.clickhouse_datetime64":
				p, _, _ := x.argument(0, "precision")
				v = extRef{"datetime.datetime"}
				mds = append(mds, callVal{fn: "moose_lib.ClickhousePrecision", args: []value{p}, argPos: []Pos{x.pos}})
				continue
			case "moose_lib.aggregated":
				t, _, _ := x.argument(0, "result_type")
				fn, _, _ := x.argument(1, "agg_func")
				params, _, _ := x.argument(2, "param_types")
				v = t
				mds = append(mds, callVal{fn: "moose_lib.AggregateFunction", args: []value{fn, params}, argPos: []Pos{x.pos, x.pos}})
				continue
			case "moose_lib.simple_aggregated":
				fn, _, _ := x.argument(0, "agg_func")
				t, _, _ := x.argument(1, "arg_type")
				v = t
				mds = append(mds, callVal{fn: "moose_lib.SimpleAggregateFunction", args: []value{fn, t}, argPos: []Pos{x.pos, x.pos}})
				continue
			}
		}
		return v, mds
	}
}

// optionalOf peels Optional[T], Union[T, None] and T | None.
func optionalOf(v value) (value, bool) {
	var items []value
	if g, ok := genericOf(v, "typing.Optional"); ok && len(g.params) == 1 {
		return g.params[0], true
	}
	if g, ok := genericOf(v, "typing.Union"); ok {
		items = g.params
	} else if u, ok := v.(unionVal); ok {
		items = u.items
	} else {
		return v, false
	}
	if len(items) != 2 {
		return v, false
	}
	for i, it := range items {
		if _, isNone := it.(noneVal); isNone {
			return items[1-i], true
		}
	}
	return v, false
}

var reIntSize = regexp.MustCompile(`^u?int\d+$`)

func strMarkers(mds []value) []string {
	var out []string
	for _, m := range mds {
		if s, ok := m.(strVal); ok {
			out = append(out, string(s))
		}
	}
	return out
}

func findMarker(mds []value, name string) (callVal, bool) {
	for _, m := range mds {
		if n, c := marker(m); n == name {
			return c, true
		}
	}
	return callVal{}, false
}

// intArg reads a marker's integer argument.
func (tc typeCtx) intArg(c callVal, i int, key string) (int, error) {
	v, _, ok := c.argument(i, key)
	if !ok {
		if fv, ok := c.kwargs[key]; ok {
			v = fv
		}
	}
	n, isInt := v.(intVal)
	if !isInt {
		return 0, tc.errf("%s needs an integer %s, found %s", shortName(c.fn), key, describe(v))
	}
	return int(n), nil
}

func (tc typeCtx) strArg(c callVal, i int, key string) (string, error) {
	v, _, _ := c.argument(i, key)
	s, ok := v.(strVal)
	if !ok {
		return "", tc.errf("%s needs a string %s known before the program runs, found %s", shortName(c.fn), key, describe(v))
	}
	return string(s), nil
}

// pyType returns whether the type is optional, the collected markers, and
// the column type.
func (tc typeCtx) pyType(v value, mds []value) (bool, []value, infra.ColumnType, error) {
	v, mds = tc.annotated(v, mds)
	v, optional := optionalOf(v)
	v, mds = tc.annotated(v, mds)
	t, mds, err := tc.baseType(v, mds)
	return optional, mds, t, err
}

func (tc typeCtx) baseType(v value, mds []value) (infra.ColumnType, []value, error) {
	strs := strMarkers(mds)
	for _, s := range strs {
		if geometries[s] {
			return infra.Scalar(s), mds, nil
		}
	}
	switch x := v.(type) {
	case extRef:
		switch x.qual {
		case "builtins.str", "builtins.bytes":
			if c, ok := findMarker(mds, "fixed"); ok {
				n, err := tc.intArg(c, 0, "size")
				if err != nil {
					return nil, nil, err
				}
				return infra.FixedString{Length: n}, mds, nil
			}
			return infra.String, mds, nil
		case "builtins.int":
			for _, s := range strs {
				if reIntSize.MatchString(s) {
					name := strings.Replace(strings.Replace(s, "u", "U", 1), "i", "I", 1)
					if _, err := infra.UnmarshalColumnType([]byte(`"` + name + `"`)); err != nil {
						return nil, nil, tc.errf("unsupported integer size %q", s)
					}
					return infra.Scalar(name), mds, nil
				}
			}
			return infra.Int64, mds, nil
		case "builtins.float":
			if c, ok := findMarker(mds, "size"); ok {
				n, err := tc.intArg(c, 0, "size")
				if err != nil {
					return nil, nil, err
				}
				switch n {
				case 4:
					return infra.Float32, mds, nil
				case 8:
					return infra.Float64, mds, nil
				}
				return nil, nil, tc.errf("unsupported float size %d (4 or 8)", n)
			}
			for _, s := range strs {
				switch s {
				case "float32":
					return infra.Float32, mds, nil
				case "float64":
					return infra.Float64, mds, nil
				}
			}
			return infra.Float64, mds, nil
		case "decimal.Decimal":
			d := infra.Decimal{Precision: 10, Scale: 0}
			for _, m := range mds {
				if n, c := marker(m); n == "field" {
					if p, ok := c.kwargs["max_digits"].(intVal); ok {
						d.Precision = int(p)
					}
					if s, ok := c.kwargs["decimal_places"].(intVal); ok {
						d.Scale = int(s)
					}
				}
			}
			return d, mds, nil
		case "builtins.bool":
			return infra.Boolean, mds, nil
		case "datetime.datetime":
			if c, ok := findMarker(mds, "precision"); ok {
				p, err := tc.intArg(c, 0, "precision")
				if err != nil {
					return nil, nil, err
				}
				return infra.DateTime64{Precision: p}, mds, nil
			}
			return infra.DateTime, mds, nil
		case "datetime.date":
			if c, ok := findMarker(mds, "size"); ok {
				n, err := tc.intArg(c, 0, "size")
				if err != nil {
					return nil, nil, err
				}
				switch n {
				case 2:
					return infra.Date16, mds, nil
				case 4:
					return infra.Date, mds, nil
				}
				return nil, nil, tc.errf("unsupported date size %d (2 or 4)", n)
			}
			return infra.Date, mds, nil
		case "ipaddress.IPv4Address":
			return infra.IPv4, mds, nil
		case "ipaddress.IPv6Address":
			return infra.IPv6, mds, nil
		case "uuid.UUID":
			return infra.UUID, mds, nil
		case "typing.Any":
			return infra.JSON, mds, nil
		case "builtins.list", "typing.List":
			return nil, nil, tc.errf("list needs an element type, e.g. list[str]")
		case "builtins.dict", "typing.Dict":
			return nil, nil, tc.errf("dict needs key and value types, e.g. dict[str, int]")
		}
		return nil, nil, tc.errf("unsupported type %q", shortName(x.qual))
	case genericVal:
		switch {
		case isRef(x.base, "builtins.list", "typing.List", "typing.Sequence"):
			if len(x.params) != 1 {
				return nil, nil, tc.errf("list takes one element type")
			}
			opt, _, el, err := tc.pyType(x.params[0], nil)
			if err != nil {
				return nil, nil, err
			}
			return infra.Array{Element: el, ElementNullable: opt}, mds, nil
		case isRef(x.base, "builtins.dict", "typing.Dict", "typing.Mapping"):
			if len(x.params) != 2 {
				return nil, nil, tc.errf("dict takes a key and a value type, found %d type(s)", len(x.params))
			}
			if isRef(x.params[0], "builtins.str") && isRef(x.params[1], "typing.Any") {
				return infra.JSON, mds, nil
			}
			_, _, k, err := tc.pyType(x.params[0], nil)
			if err != nil {
				return nil, nil, err
			}
			_, _, val, err := tc.pyType(x.params[1], nil)
			if err != nil {
				return nil, nil, err
			}
			return infra.MapType{Key: k, Value: val}, mds, nil
		case isRef(x.base, "typing.Literal"):
			for _, p := range x.params {
				if _, ok := p.(strVal); !ok {
					return nil, nil, tc.errf("Literal values must all be strings to map to a column (found %s)", describe(p))
				}
			}
			return infra.String, append(mds, strVal("LowCardinality")), nil
		case isRef(x.base, "moose_lib.Key"):
			return nil, nil, tc.errf("Key[...] must be the outermost type of a field")
		}
		return nil, nil, tc.errf("unsupported type %s", describe(x))
	case *modelVal:
		cols, err := tc.ev.columns(x)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range cols {
			if c.Default != nil {
				return nil, nil, tc.errf("nested model %s: field %q has a default; put ClickhouseDefault on the top-level field", x.name, c.Name)
			}
		}
		if jm, ok := findMarker(mds, "json"); ok {
			return tc.jsonType(x, cols, jm, mds)
		}
		for _, s := range strs {
			if s == "ClickHouseNamedTuple" {
				t := infra.NamedTuple{}
				for _, c := range cols {
					t.Fields = append(t.Fields, infra.TupleField{Name: c.Name, Type: c.DataType})
				}
				return t, mds, nil
			}
		}
		return infra.Nested{Name: x.name, Columns: cols}, mds, nil
	case *enumVal:
		return infra.Enum{Name: x.name, Values: x.members}, mds, nil
	case unionVal:
		return nil, nil, tc.errf("unions are only supported as Optional[T] (T | None)")
	case unknownVal:
		return nil, nil, tc.ev.errAt(tc.f.mod.file, x.pos, "field %q: %s", tc.f.name, x.why)
	}
	return nil, nil, tc.errf("%s is not a type", describe(v))
}

func (tc typeCtx) jsonType(mv *modelVal, cols []infra.Column, jm callVal, mds []value) (infra.ColumnType, []value, error) {
	if !mv.extraAllow {
		return nil, nil, tc.errf("model %s with ClickHouseJson must allow extra fields: add model_config = ConfigDict(extra='allow')", mv.name)
	}
	o := infra.JSONOptions{}
	for _, key := range []string{"max_dynamic_paths", "max_dynamic_types"} {
		if v, ok := jm.kwargs[key]; ok {
			if _, isNone := v.(noneVal); isNone {
				continue
			}
			n, ok := v.(intVal)
			if !ok {
				return nil, nil, tc.errf("ClickHouseJson %s must be an integer", key)
			}
			i := int(n)
			if key == "max_dynamic_paths" {
				o.MaxDynamicPaths = &i
			} else {
				o.MaxDynamicTypes = &i
			}
		}
	}
	for _, key := range []string{"skip_paths", "skip_regexps"} {
		if v, ok := jm.kwargs[key]; ok {
			list, err := tc.ev.stringList(tc.f.mod, jm.pos, key, v)
			if err != nil {
				return nil, nil, err
			}
			if key == "skip_paths" {
				o.SkipPaths = list
			} else {
				o.SkipRegexps = list
			}
		}
	}
	for _, c := range cols {
		o.TypedPaths = append(o.TypedPaths, infra.TupleField{Name: c.Name, Type: c.DataType})
	}
	if o.MaxDynamicPaths == nil && o.MaxDynamicTypes == nil && len(o.TypedPaths) == 0 && len(o.SkipPaths) == 0 && len(o.SkipRegexps) == 0 {
		return infra.JSON, mds, nil
	}
	return o, mds, nil
}

// applyMarkers sets what markers say of the column itself: annotations,
// DEFAULT / MATERIALIZED / ALIAS, TTL, CODEC, pydantic alias and
// description.
func (tc typeCtx) applyMarkers(c *infra.Column, mds []value) error {
	has := map[string]bool{}
	add := func(key string, v any) error {
		if has[key] {
			return nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		has[key] = true
		c.Annotations = append(c.Annotations, infra.Annotation{Key: key, Value: b})
		return nil
	}
	for _, m := range mds {
		if s, ok := m.(strVal); ok {
			if s == "LowCardinality" {
				if err := add("LowCardinality", true); err != nil {
					return err
				}
			}
			continue
		}
		if u, ok := m.(unknownVal); ok {
			return tc.ev.errAt(tc.f.mod.file, u.pos, "field %q: %s", tc.f.name, u.why)
		}
		name, mc := marker(m)
		var err error
		switch name {
		case "default", "materialized", "alias", "ttl", "codec":
			var expr string
			if expr, err = tc.strArg(mc, 0, "expression"); err != nil {
				return err
			}
			dst := map[string]**string{"default": &c.Default, "materialized": &c.Materialized, "alias": &c.Alias,
				"ttl": &c.TTL, "codec": &c.Codec}[name]
			if *dst == nil {
				*dst = &expr
			}
		case "field":
			if a, ok := mc.kwargs["alias"].(strVal); ok {
				c.Name = string(a)
			}
			if d, ok := mc.kwargs["description"].(strVal); ok {
				desc := string(d)
				c.Comment = &desc
			}
		case "agg":
			err = tc.aggregation(c, mc, add)
		case "simpleagg":
			fn, _ := mc.args[0].(strVal)
			_, _, at, terr := tc.pyType(mc.args[1], nil)
			if terr != nil {
				return terr
			}
			raw, _ := infra.MarshalColumnType(at)
			err = add("simpleAggregationFunction", map[string]any{"functionName": string(fn), "argumentType": json.RawMessage(raw)})
		}
		if err != nil {
			return err
		}
	}
	set := 0
	for _, p := range []*string{c.Default, c.Materialized, c.Alias} {
		if p != nil {
			set++
		}
	}
	if set > 1 {
		return tc.errf("a column takes one of DEFAULT, MATERIALIZED and ALIAS, not several")
	}
	if c.PrimaryKey && (c.Materialized != nil || c.Alias != nil) {
		return tc.errf("a MATERIALIZED or ALIAS column cannot be part of the primary key")
	}
	return nil
}

func (tc typeCtx) aggregation(c *infra.Column, mc callVal, add func(string, any) error) error {
	fn, ok := mc.args[0].(strVal)
	if !ok {
		return tc.errf("aggregated(...) needs the aggregate function name as a string")
	}
	params, isSeq := elements(mc.args[1])
	if !isSeq && mc.args[1] != nil {
		return tc.errf("aggregated(...) needs its argument types as a list")
	}
	args := []json.RawMessage{}
	for _, p := range params {
		_, _, at, err := tc.pyType(p, nil)
		if err != nil {
			return err
		}
		raw, _ := infra.MarshalColumnType(at)
		args = append(args, raw)
	}
	return add("aggregationFunction", map[string]any{"functionName": string(fn), "argumentTypes": args})
}
