package parser

import (
	"sort"
	"strconv"
	"strings"
)

// Writing typia's metadata as JSON schemas (typia's json_schema_station
// and the writers it calls, OpenAPI 3.1 flavour), and moose-lib's cleaning
// of the collection afterwards.

type smAttr struct {
	title, desc *string
	deprecated  bool
}

type smWriter struct {
	g          *schemaGen
	components map[string]map[string]any
}

// station is typia's json_schema_station: the schemas of the metadata's
// kinds, one or a oneOf; nil when there is none and blockNever is set.
func (w *smWriter) station(m *smMeta, attr smAttr, blockNever bool) map[string]any {
	w.g.step()
	smSort(m)
	if m.any {
		out := map[string]any{}
		smApplyAttr(out, attr)
		return out
	}
	var union []map[string]any
	if m.nullable {
		union = append(union, map[string]any{"type": "null"})
	}
	if len(m.templates) > 0 {
		union = append(union, w.templates(m)...)
	}
	for _, c := range m.constants {
		for _, v := range c.values {
			s := map[string]any{"const": smJSONValue(v.value)}
			if t := smTitle(v.doc); t != nil {
				s["title"] = *t
			}
			if d := smDescription(v.doc); d != nil {
				s["description"] = *d
			}
			union = append(union, smPlugin(s, v.tags)...)
		}
	}
	for _, a := range m.atomics {
		var base map[string]any
		switch a.typ {
		case "boolean":
			base = map[string]any{"type": "boolean"}
		case "bigint":
			base = map[string]any{"type": "integer"}
		case "number":
			base = map[string]any{"type": "number"}
		default:
			base = map[string]any{"type": "string"}
		}
		for _, s := range smPlugin(base, a.tags) {
			if a.typ == "number" {
				s = smEmendExclusive(s)
			}
			union = append(union, s)
		}
	}
	for _, a := range m.arrays {
		items := w.station(a.elem, smAttr{}, false)
		union = append(union, smPlugin(map[string]any{"type": "array", "items": items}, a.tags)...)
	}
	for _, t := range m.tuples {
		union = append(union, w.tuple(t))
	}
	for _, n := range m.natives {
		if _, ok := w.components[n.name]; !ok {
			w.components[n.name] = map[string]any{"type": "object", "properties": map[string]any{}, "required": []any{}}
		}
		union = append(union, smPlugin(map[string]any{"$ref": "#/components/schemas/" + n.name}, n.tags)...)
	}
	for _, o := range m.objects {
		union = append(union, smPlugin(w.object(o.obj), o.tags)...)
	}
	if len(union) == 0 && blockNever {
		return nil
	}
	var out map[string]any
	switch len(union) {
	case 0:
		out = map[string]any{}
	case 1:
		out = union[0]
	default:
		list := make([]any, len(union))
		for i, u := range union {
			list[i] = u
		}
		out = map[string]any{"oneOf": list}
		if d := w.discriminator(m); d != nil {
			out["discriminator"] = d
		}
	}
	smApplyAttr(out, attr)
	return out
}

func smApplyAttr(out map[string]any, attr smAttr) {
	if attr.title != nil {
		out["title"] = *attr.title
	}
	if attr.desc != nil {
		out["description"] = *attr.desc
	}
	if attr.deprecated {
		out["deprecated"] = true
	}
}

// smPlugin is typia's json_schema_plugin: one schema per row of tags that
// carry a schema, each the base with the row's schemas merged in.
func smPlugin(base map[string]any, rows [][]*smTag) []map[string]any {
	var out []map[string]any
	for _, row := range rows {
		var with []*smTag
		for _, t := range row {
			if t.schema != nil {
				with = append(with, t)
			}
		}
		if len(with) == 0 {
			continue
		}
		s := smCopy(base)
		for _, t := range with {
			for k, v := range t.schema {
				s[k] = smJSONValue(v)
			}
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return []map[string]any{base}
	}
	return out
}

func smCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+2)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// smEmendExclusive is OpenAPI's exclusive emender: of a minimum and an
// exclusive minimum (maximum) only the stricter stays.
func smEmendExclusive(s map[string]any) map[string]any {
	mn, ok1 := s["minimum"].(float64)
	emn, ok2 := s["exclusiveMinimum"].(float64)
	if ok1 && ok2 {
		if mn > emn {
			delete(s, "exclusiveMinimum")
		} else {
			delete(s, "minimum")
		}
	}
	mx, ok1 := s["maximum"].(float64)
	emx, ok2 := s["exclusiveMaximum"].(float64)
	if ok1 && ok2 {
		if mx < emx {
			delete(s, "exclusiveMaximum")
		} else {
			delete(s, "maximum")
		}
	}
	return s
}

// smJSONValue is a tag's or literal's value as JSON writes it.
func smJSONValue(v any) any {
	switch x := v.(type) {
	case smBig:
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case smNull:
		return nil
	case int:
		return float64(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = smJSONValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = smJSONValue(e)
		}
		return out
	}
	return v
}

func (w *smWriter) tuple(t *smTuple) map[string]any {
	elems := t.elems
	var rest *smMeta
	if n := len(elems); n > 0 && elems[n-1].rest != nil {
		rest = elems[n-1].rest
		elems = elems[:n-1]
	}
	prefix := make([]any, len(elems))
	for i, e := range elems {
		prefix[i] = w.station(e, smAttr{}, false)
	}
	var add any = false
	if rest != nil {
		add = w.station(rest, smAttr{}, false)
	}
	return map[string]any{"type": "array", "prefixItems": prefix, "additionalItems": add}
}

// object is typia's json_schema_object without its tags: a type literal
// inline, a named type a $ref to its component.
func (w *smWriter) object(o *smObject) map[string]any {
	if smLiteralName(o.name) && !o.recursive {
		return w.objectSchema(o)
	}
	ref := map[string]any{"$ref": "#/components/schemas/" + o.name}
	if _, ok := w.components[o.name]; ok {
		return ref
	}
	lazy := map[string]any{}
	w.components[o.name] = lazy
	for k, v := range w.objectSchema(o) {
		lazy[k] = v
	}
	return ref
}

func smLiteralName(n string) bool {
	return n == "__type" || n == "__object" || strings.HasPrefix(n, "__type.") || strings.HasPrefix(n, "__object.") ||
		strings.Contains(n, "readonly [")
}

func smDescription(d smDoc) *string {
	if t, ok := d.tag("description"); ok && t.has {
		s := strings.ReplaceAll(t.text, "\r\n", "\n")
		return &s
	}
	if d.has {
		s := d.text
		return &s
	}
	return nil
}

func smTitle(d smDoc) *string {
	if t, ok := d.tag("title"); ok && t.has {
		s := t.text
		return &s
	}
	return nil
}

func (w *smWriter) objectSchema(o *smObject) map[string]any {
	props := map[string]any{}
	required := []any{}
	var additional any
	hasAdditional := false
	for _, p := range o.props {
		if _, hidden := p.doc.tag("hidden"); hidden {
			continue
		}
		_, dep := p.doc.tag("deprecated")
		s := w.station(p.value, smAttr{title: smTitle(p.doc), desc: smDescription(p.doc), deprecated: dep}, true)
		if s == nil {
			continue
		}
		if p.index == nil {
			props[p.key] = s
			if p.value.isRequired() {
				required = append(required, p.key)
			}
			continue
		}
		if !hasAdditional {
			// one index signature (string or number keys) is additionalProperties;
			// typia merges several, which moose-dev approximates by the first
			additional, hasAdditional = s, true
		}
	}
	out := map[string]any{"type": "object", "properties": props, "required": required}
	if t := smTitle(o.doc); t != nil {
		out["title"] = *t
	}
	if d := smDescription(o.doc); d != nil {
		out["description"] = *d
	}
	if hasAdditional {
		out["additionalProperties"] = additional
	}
	return out
}

// ---- template literal types ----

const (
	smPatString  = "(.*)"
	smPatNumber  = `[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?`
	smPatBoolean = "true|false"
)

func (w *smWriter) templates(m *smMeta) []map[string]any {
	var pure, tagged []*smTemplate
	for _, t := range m.templates {
		p := true
		for _, row := range t.tags {
			for _, tg := range row {
				if tg.schema != nil {
					p = false
				}
			}
		}
		if p {
			pure = append(pure, t)
		} else {
			tagged = append(tagged, t)
		}
	}
	var out []map[string]any
	if len(pure) > 0 {
		out = append(out, map[string]any{"type": "string", "pattern": smMetaPattern(&smMeta{templates: pure}, true)})
	}
	for _, t := range tagged {
		out = append(out, smPlugin(map[string]any{"type": "string",
			"pattern": smMetaPattern(&smMeta{templates: []*smTemplate{t}}, false)}, t.tags)...)
	}
	return out
}

// smMetaPattern is typia's metadata_to_pattern.
func smMetaPattern(m *smMeta, top bool) string {
	for _, a := range m.atomics {
		if a.typ == "string" {
			return smPatString
		}
	}
	var values []string
	for _, c := range m.constants {
		for _, v := range c.values {
			switch x := v.value.(type) {
			case string:
				values = append(values, smPatEscape(x))
			case float64:
				values = append(values, ttNumText(x))
			case bool:
				values = append(values, strconv.FormatBool(x))
			case smBig:
				values = append(values, string(x))
			}
		}
	}
	for _, a := range m.atomics {
		switch a.typ {
		case "number", "bigint":
			values = append(values, smPatNumber)
		case "boolean":
			values = append(values, smPatBoolean)
		}
	}
	for _, t := range m.templates {
		var b strings.Builder
		for _, e := range t.row {
			b.WriteString(smMetaPattern(e, false))
		}
		values = append(values, "("+b.String()+")")
	}
	p := ""
	if len(values) == 1 {
		p = values[0]
	} else {
		p = "(" + strings.Join(values, "|") + ")"
	}
	if top {
		return smPatFix(p)
	}
	return p
}

func smPatFix(s string) string {
	first := strings.Index(s, smPatString)
	last := strings.LastIndex(s, smPatString)
	other := func(str string, c rune) bool {
		for _, r := range str {
			if r != c {
				return true
			}
		}
		return false
	}
	pre, post := "", ""
	if first == -1 || other(s[:first], '(') {
		pre = "^"
	}
	if last == -1 || other(s[last+len(smPatString):], ')') {
		post = "$"
	}
	return pre + s + post
}

func smPatEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '|', '\\', '/', '{', '}', '(', ')', '[', ']', '^', '$', '+', '*', '?', '.':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '-':
			b.WriteString(`\x2d`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ---- unions of objects ----

// discriminator is typia's json_schema_discriminator: for a union of named
// objects that one required literal property tells apart.
func (w *smWriter) discriminator(m *smMeta) map[string]any {
	if m.size() == 0 || m.size() != len(m.objects) {
		return nil
	}
	for _, o := range m.objects {
		if smLiteralName(o.obj.name) && !o.obj.recursive {
			return nil
		}
	}
	type spec struct {
		obj  *smObject
		prop *smProp
	}
	var specialized []spec
	for i, o := range m.objects {
		var children []*smProp
		for _, p := range o.obj.props {
			if !p.value.isRequired() || p.index != nil {
				continue
			}
			unique := true
			for k, other := range m.objects {
				if k == i {
					continue
				}
				for _, q := range other.obj.props {
					if q.index == nil && q.key == p.key && smIntersects(p.value, q.value) {
						unique = false
					}
				}
			}
			if unique {
				children = append(children, p)
			}
		}
		if len(children) == 0 {
			continue
		}
		top := children[0]
		for _, c := range children {
			if c.value.isConstant() {
				top = c
				break
			}
		}
		specialized = append(specialized, spec{o.obj, top})
	}
	if len(specialized) != len(m.objects) {
		return nil
	}
	key := ""
	mapping := map[string]any{}
	for i, s := range specialized {
		v, ok := s.prop.value.soleLiteral()
		if !ok {
			return nil
		}
		if i == 0 {
			key = s.prop.key
		} else if s.prop.key != key {
			return nil
		}
		mapping[v] = "#/components/schemas/" + s.obj.name
	}
	return map[string]any{"propertyName": key, "mapping": mapping}
}

// smIntersects is typia's Metadata.intersects: whether two metadata can
// hold a common value.
func smIntersects(x, y *smMeta) bool {
	if x.any || y.any {
		return true
	}
	if !x.isRequired() && !y.isRequired() {
		return true
	}
	if x.nullable && y.nullable {
		return true
	}
	if x.functions && y.functions {
		return true
	}
	if len(x.arrays) > 0 && len(y.arrays) > 0 || len(x.tuples) > 0 && len(y.tuples) > 0 || len(x.objects) > 0 && len(y.objects) > 0 {
		return true
	}
	for _, a := range x.natives {
		for _, b := range y.natives {
			if a.name == b.name {
				return true
			}
		}
	}
	for _, a := range x.atomics {
		for _, b := range y.atomics {
			if a.typ == b.typ {
				return true
			}
		}
		for _, c := range y.constants {
			if a.typ == c.typ {
				return true
			}
		}
	}
	for _, c := range x.constants {
		for _, a := range y.atomics {
			if a.typ == c.typ {
				return true
			}
		}
		for _, d := range y.constants {
			if d.typ != c.typ {
				continue
			}
			for _, v := range c.values {
				for _, u := range d.values {
					if v.value == u.value {
						return true
					}
				}
			}
		}
	}
	hasStr := func(m *smMeta) bool {
		for _, a := range m.atomics {
			if a.typ == "string" {
				return true
			}
		}
		return false
	}
	if len(x.templates) > 0 && hasStr(y) || len(y.templates) > 0 && hasStr(x) {
		return true
	}
	return false
}

// ---- typia's sorting of a union's members ----

// smSort is typia's iterate_metadata_sort for one metadata: objects with
// the same keys are ordered by JavaScript's sort with typia's comparator
// (which reverses runs of them), number and bigint literals by value,
// false before true.
func smSort(m *smMeta) {
	if m.sorted {
		return
	}
	m.sorted = true
	if len(m.objects) > 1 {
		smTimSort(m.objects, func(x, y *smObjRef) int {
			if smCovers(x.obj, y.obj) {
				return -1
			}
			if smCovers(y.obj, x.obj) {
				return 1
			}
			return 0
		})
	}
	for _, c := range m.constants {
		switch c.typ {
		case "number":
			smTimSort(c.values, func(a, b *smConstValue) int {
				x, _ := a.value.(float64)
				y, _ := b.value.(float64)
				switch {
				case x < y:
					return -1
				case x > y:
					return 1
				}
				return 0
			})
		case "bigint":
			smTimSort(c.values, func(a, b *smConstValue) int {
				x, _ := strconv.ParseFloat(string(a.value.(smBig)), 64)
				y, _ := strconv.ParseFloat(string(b.value.(smBig)), 64)
				if x < y {
					return -1
				}
				return 1
			})
		case "boolean":
			smTimSort(c.values, func(a, _ *smConstValue) int {
				if a.value == false {
					return -1
				}
				return 1
			})
		}
	}
}

// smCovers is typia's MetadataObjectType.covers: x has at least y's
// number of properties and every one of x's keys is one of y's.
func smCovers(x, y *smObject) bool {
	if len(x.props) < len(y.props) {
		return false
	}
	for _, p := range x.props {
		found := false
		for _, q := range y.props {
			if smPropKeyName(p) == smPropKeyName(q) {
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

func smPropKeyName(p *smProp) string {
	if p.index == nil {
		return strconv.Quote(p.key)
	}
	if len(p.index.atomics) > 0 {
		return p.index.atomics[0].typ
	}
	return "?"
}

// smTimSort is V8's Array.prototype.sort for the short arrays a union
// holds: the leading run (reversed when strictly descending), extended by
// binary insertion. Its result with an inconsistent comparator is V8's.
func smTimSort[T any](a []T, cmp func(x, y T) int) {
	n := len(a)
	if n < 2 {
		return
	}
	run := 2
	desc := cmp(a[1], a[0]) < 0
	prev := a[1]
	for i := 2; i < n; i++ {
		o := cmp(a[i], prev)
		if desc && o >= 0 || !desc && o < 0 {
			break
		}
		prev = a[i]
		run++
	}
	if desc {
		for i, j := 0, run-1; i < j; i, j = i+1, j-1 {
			a[i], a[j] = a[j], a[i]
		}
	}
	for start := run; start < n; start++ {
		pivot := a[start]
		left, right := 0, start
		for left < right {
			mid := left + (right-left)>>1
			if cmp(pivot, a[mid]) < 0 {
				right = mid
			} else {
				left = mid + 1
			}
		}
		copy(a[left+1:start+1], a[left:start])
		a[left] = pivot
	}
}

// ---- moose-lib's cleaning ----

// smClean is moose-lib's cleanJsonSchemaCollection: `$ref`s to Date become
// the date-time string schema (the Date component too), moose-lib's
// phantom marker properties (_clickhouse_*, _LowCardinality) are dropped
// from objects, and an object's empty `required` is left out.
func smClean(components map[string]map[string]any, schema map[string]any) map[string]any {
	comps := map[string]any{}
	for name, s := range components {
		if name == "Date" {
			comps[name] = smDateSchema()
			continue
		}
		comps[name] = smCleanSchema(s)
	}
	return map[string]any{"version": "3.1", "components": map[string]any{"schemas": comps},
		"schemas": []any{smCleanSchema(schema)}}
}

// smArrayIndex reports whether a property name is an array index, which
// JavaScript orders before the other keys of an object.
func smArrayIndex(s string) bool {
	v, err := strconv.ParseUint(s, 10, 32)
	return err == nil && v < 1<<32-1 && strconv.FormatUint(v, 10) == s
}

func smDateSchema() map[string]any { return map[string]any{"type": "string", "format": "date-time"} }

func smCleanSchema(s map[string]any) map[string]any {
	if s["$ref"] == "#/components/schemas/Date" {
		out := smDateSchema()
		for k, v := range s {
			if k != "$ref" {
				out[k] = v
			}
		}
		return out
	}
	sub := func(v any) any {
		if m, ok := v.(map[string]any); ok {
			return smCleanSchema(m)
		}
		return v
	}
	switch s["type"] {
	case "object":
		out := smCopy(s)
		if props, ok := s["properties"].(map[string]any); ok {
			cp := map[string]any{}
			for k, v := range props {
				if !strings.HasPrefix(k, "_clickhouse_") && k != "_LowCardinality" {
					cp[k] = sub(v)
				}
			}
			out["properties"] = cp
			var req []any
			if r, ok := s["required"].([]any); ok {
				// in the JavaScript order of the properties: integer keys first, ascending
				var ints, rest []any
				for _, k := range r {
					if _, keep := cp[k.(string)]; !keep {
						continue
					}
					if smArrayIndex(k.(string)) {
						ints = append(ints, k)
					} else {
						rest = append(rest, k)
					}
				}
				sort.SliceStable(ints, func(i, j int) bool {
					a, _ := strconv.ParseUint(ints[i].(string), 10, 32)
					b, _ := strconv.ParseUint(ints[j].(string), 10, 32)
					return a < b
				})
				req = append(ints, rest...)
			}
			if len(req) > 0 {
				out["required"] = req
			} else {
				delete(out, "required")
			}
		}
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			out["additionalProperties"] = smCleanSchema(ap)
		}
		return out
	case "array":
		out := smCopy(s)
		if it, ok := s["items"]; ok {
			out["items"] = sub(it)
		}
		if pi, ok := s["prefixItems"].([]any); ok {
			cp := make([]any, len(pi))
			for i, e := range pi {
				cp[i] = sub(e)
			}
			out["prefixItems"] = cp
		}
		if ai, ok := s["additionalItems"].(map[string]any); ok {
			out["additionalItems"] = smCleanSchema(ai)
		}
		return out
	}
	if one, ok := s["oneOf"].([]any); ok {
		out := smCopy(s)
		cp := make([]any, len(one))
		for i, e := range one {
			cp[i] = sub(e)
		}
		out["oneOf"] = cp
		return out
	}
	return s
}
