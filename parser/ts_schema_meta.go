package parser

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// typia's metadata of a type, as its MetadataFactory builds it for the JSON
// schema programmer with moose-lib's options (aliases absorbed, literals
// kept as constants, no toJSON escaping): the kinds a type's union holds,
// each with the typia tags that intersected it; objects collected once,
// named, with their properties.

type smMeta struct {
	any       bool
	nullable  bool
	required  bool
	optional  bool
	functions bool
	atomics   []*smAtomic
	constants []*smConstant
	templates []*smTemplate
	arrays    []*smArray
	tuples    []*smTuple
	natives   []*smNative
	objects   []*smObjRef
	rest      *smMeta // a tuple's rest element
	sorted    bool
}

func newSMMeta() *smMeta { return &smMeta{required: true} }

type smAtomic struct {
	typ  string // boolean number bigint string
	tags [][]*smTag
}

type smConstant struct {
	typ    string
	values []*smConstValue
}

type smConstValue struct {
	value any // string, float64, bool, or a bigint's decimal text (smBig)
	tags  [][]*smTag
	doc   smDoc // an enum member's documentation
}

// smBig is a bigint literal's value (its decimal digits, sign included).
type smBig string

type smTemplate struct {
	row  []*smMeta
	tags [][]*smTag
	text string
}

type smArray struct {
	elem *smMeta
	tags [][]*smTag
}

type smTuple struct {
	elems []*smMeta
	tags  [][]*smTag
}

type smNative struct {
	name string
	tags [][]*smTag
}

type smObjRef struct {
	obj  *smObject
	tags [][]*smTag
}

type smObject struct {
	id        string
	name      string
	props     []*smProp
	recursive bool
	doc       smDoc
	tagged    bool
}

type smProp struct {
	key   string  // a named property's name
	index *smMeta // an index signature's key type (key is then "")
	value *smMeta
	doc   smDoc
}

// smTag is a typia type tag (tags.Type<"int32">, tags.Format<"uuid">...).
type smTag struct {
	kind      string
	value     any
	schema    map[string]any // what it adds to a JSON schema; nil for none
	validate  bool           // it has a validation script (an impure atomic keeps its literals)
	exclusive bool           // kind 'exclusive: true': at most one per type
	targets   []string
}

func (m *smMeta) size() int {
	n := len(m.templates) + len(m.atomics) + len(m.arrays) + len(m.tuples) + len(m.natives) + len(m.objects)
	if m.any {
		n++
	}
	if m.functions {
		n++
	}
	if m.rest != nil {
		n += m.rest.size()
	}
	for _, c := range m.constants {
		n += len(c.values)
	}
	return n
}

func (m *smMeta) bucket() int {
	n := 0
	for _, b := range []bool{m.any, len(m.templates) > 0, len(m.atomics) > 0, len(m.constants) > 0, len(m.arrays) > 0,
		len(m.tuples) > 0, len(m.natives) > 0, len(m.objects) > 0, m.functions} {
		if b {
			n++
		}
	}
	if m.rest != nil {
		n += m.rest.size()
	}
	return n
}

func (m *smMeta) isRequired() bool { return m.required && !m.optional }

func (m *smMeta) isConstant() bool {
	c := 0
	if len(m.constants) > 0 {
		c = 1
	}
	return m.bucket() == c
}

// soleLiteral is the metadata's only value when it is one string literal.
func (m *smMeta) soleLiteral() (string, bool) {
	if m.size() == 1 && len(m.constants) == 1 && m.constants[0].typ == "string" && len(m.constants[0].values) == 1 {
		s, ok := m.constants[0].values[0].value.(string)
		return s, ok
	}
	return "", false
}

// ---- the collection of objects ----

type smCollection struct {
	objects map[string]*smObject
	order   []*smObject
	names   map[string]map[string]string // replaced name -> identity -> name given
}

func newSMCollection() *smCollection {
	return &smCollection{objects: map[string]*smObject{}, names: map[string]map[string]string{}}
}

// clone is a copy to restore after a trial exploration (typia explores an
// intersection's members in a throw-away collection).
func (c *smCollection) clone() *smCollection {
	n := &smCollection{objects: make(map[string]*smObject, len(c.objects)), order: append([]*smObject(nil), c.order...),
		names: make(map[string]map[string]string, len(c.names))}
	for k, v := range c.objects {
		n.objects[k] = v
	}
	for k, v := range c.names {
		m := make(map[string]string, len(v))
		for a, b := range v {
			m[a] = b
		}
		n.names[k] = m
	}
	return n
}

// getName is typia's MetadataCollection.getName: a second type with the
// same name is "Name.o1", a third "Name.o2".
func (c *smCollection) getName(id, name string) string {
	d := c.names[name]
	if d == nil {
		d = map[string]string{}
		c.names[name] = d
	}
	if n, ok := d[id]; ok {
		return n
	}
	n := name
	if len(d) > 0 {
		n = fmt.Sprintf("%s.o%d", name, len(d))
	}
	d[id] = n
	return n
}

// ---- exploration ----

// smAt is where a type is read, for errors.
type smAt struct {
	file  string
	pos   tsyntax.Pos
	field string
}

func (a smAt) errf(format string, args ...any) error {
	return &ttErr{file: a.file, pos: a.pos, field: a.field, msg: fmt.Sprintf(format, args...)}
}

func (a smAt) child(name string, file string, pos tsyntax.Pos) smAt {
	f := name
	if a.field != "" {
		f = a.field + "." + name
	}
	if file == "" {
		file, pos = a.file, a.pos
	}
	return smAt{file: file, pos: pos, field: f}
}

// explore is typia's explore_metadata of a type.
func (g *schemaGen) explore(t ttType, file string, pos tsyntax.Pos, field string) (*smMeta, error) {
	return g.exploreAt(t, smAt{file: file, pos: pos, field: field})
}

func (g *schemaGen) exploreAt(t ttType, at smAt) (*smMeta, error) {
	m := newSMMeta()
	if err := g.iterate(m, t, false, at); err != nil {
		return nil, err
	}
	smEmend(m)
	return m, nil
}

func (g *schemaGen) iterate(m *smMeta, t ttType, intersected bool, at smAt) error {
	g.step()
	switch x := t.(type) {
	case *ttInter:
		if !intersected {
			done, err := g.intersection(m, x, at)
			if done || err != nil {
				return err
			}
		}
		return g.object(m, x, at)
	case *ttUnion:
		for _, u := range smCheckerOrder(x.types) {
			if err := g.iterate(m, u, false, at); err != nil {
				return err
			}
		}
		return nil
	case *ttEnum:
		if x.bad != "" && strings.Contains(x.bad, "computed") || strings.Contains(x.bad, "initialiser") {
			return at.errf("the enum %s: %s", x.name, x.bad)
		}
		if len(x.values) == 0 {
			smAddAtomic(m, "number")
			return nil
		}
		for _, v := range x.values {
			if err := g.iterate(m, v, false, at); err != nil {
				return err
			}
		}
		return nil
	case *ttEnumMember:
		var v *smConstValue
		if x.str {
			v = smAddConst(m, "string", x.s)
		} else {
			v = smAddConst(m, "number", x.n)
		}
		if v != nil {
			v.doc = g.enumMemberDoc(x)
		}
		return nil
	case *ttPrim:
		switch x {
		case ttAny, ttUnknown:
			m.any = true
		case ttNull:
			m.nullable = true
		case ttUndefined, ttVoid, ttNever:
			m.required = false
		case ttBoolean:
			smAddConst(m, "boolean", false)
			smAddConst(m, "boolean", true)
		case ttString, ttNumber, ttBigint:
			smAddAtomic(m, x.name)
		case ttObjectKw:
			return g.object(m, x, at)
		case ttSymbol:
			return at.errf("a symbol has no JSON schema")
		}
		return nil
	case *ttLit:
		switch x.kind {
		case 's':
			smAddConst(m, "string", x.s)
		case 'n':
			smAddConst(m, "number", x.n)
		case 'b':
			smAddConst(m, "boolean", x.b)
		default:
			smAddConst(m, "bigint", smBig(strings.TrimSuffix(x.s, "n")))
		}
		return nil
	case *ttTemplate:
		texts, err := smExpandTemplate(x.text, at)
		if err != nil {
			return err
		}
		for _, text := range texts {
			if !strings.Contains(text, "${") {
				smAddConst(m, "string", strings.TrimSuffix(strings.TrimPrefix(text, "`"), "`"))
				continue
			}
			row, err := g.templateRow(&ttTemplate{text: text}, at)
			if err != nil {
				return err
			}
			m.templates = append(m.templates, &smTemplate{row: row, text: text})
		}
		return nil
	case *ttObj:
		switch x.kind {
		case ttFuncK:
			m.functions = true
			return nil
		case ttDateK:
			for _, n := range m.natives {
				if n.name == "Date" {
					return nil
				}
			}
			m.natives = append(m.natives, &smNative{name: "Date"})
			return nil
		case ttArrayK:
			name := g.names.fullName(x)
			for _, a := range m.arrays {
				if a.elem != nil && g.names.fullNameOfArray(a) == name {
					return nil
				}
			}
			e, err := g.exploreAt(x.elem, at)
			if err != nil {
				return err
			}
			a := &smArray{elem: e}
			g.names.arrays[a] = name
			m.arrays = append(m.arrays, a)
			return nil
		case ttTupleK:
			tu := &smTuple{}
			for _, el := range x.elems {
				e, err := g.exploreAt(el.typ, at)
				if err != nil {
					return err
				}
				if el.optional {
					e.optional = true
				}
				if el.rest {
					w := newSMMeta()
					w.rest = e
					e = w
				}
				tu.elems = append(tu.elems, e)
			}
			m.tuples = append(m.tuples, tu)
			return nil
		}
		return g.object(m, x, at)
	}
	return at.errf("this type has no JSON schema")
}

func smAddAtomic(m *smMeta, typ string) *smAtomic {
	for _, a := range m.atomics {
		if a.typ == typ {
			return a
		}
	}
	a := &smAtomic{typ: typ}
	m.atomics = append(m.atomics, a)
	return a
}

// smAddConst adds a literal; the value added, nil when it was there.
func smAddConst(m *smMeta, typ string, v any) *smConstValue {
	var c *smConstant
	for _, x := range m.constants {
		if x.typ == typ {
			c = x
		}
	}
	if c == nil {
		c = &smConstant{typ: typ}
		m.constants = append(m.constants, c)
	}
	for _, x := range c.values {
		if x.value == v {
			return nil
		}
	}
	nv := &smConstValue{value: v}
	c.values = append(c.values, nv)
	return nv
}

// enumMemberDoc is the documentation of the enum member a literal is.
func (g *schemaGen) enumMemberDoc(x *ttEnumMember) smDoc {
	for d, e := range g.r.enums {
		if e != x.enum {
			continue
		}
		sc := g.decls.scopes[d]
		if w, ok := sc.(*schemaScope); ok {
			sc = w.inner
		}
		dd, ok := sc.(tsDeclDocs)
		if !ok {
			return smDoc{}
		}
		for _, m := range d.Members {
			if m.Name == x.name {
				doc, col := dd.declDoc(m.P)
				if doc == "" {
					return smDoc{}
				}
				return smParseDoc(doc, tsyntax.Pos{Line: m.P.Line, Col: col}, 0)
			}
		}
	}
	return smDoc{}
}

// smEmend is typia's emend_metadata_atomics: a plain atomic absorbs its
// literals, both booleans make boolean, a plain string absorbs templates.
func smEmend(m *smMeta) {
	for _, a := range m.atomics {
		if smImpure(a.tags) {
			continue
		}
		for i, c := range m.constants {
			if c.typ == a.typ {
				m.constants = append(m.constants[:i:i], m.constants[i+1:]...)
				break
			}
		}
	}
	for i, c := range m.constants {
		if c.typ == "boolean" && len(c.values) == 2 {
			m.constants = append(m.constants[:i:i], m.constants[i+1:]...)
			found := false
			for _, a := range m.atomics {
				if a.typ == "boolean" {
					found = true
				}
			}
			if !found {
				m.atomics = append(m.atomics, &smAtomic{typ: "boolean", tags: c.values[0].tags})
			}
			break
		}
	}
	if len(m.templates) > 0 {
		for _, a := range m.atomics {
			if a.typ == "string" && !smImpure(a.tags) {
				m.templates = nil
			}
		}
	}
}

func smImpure(rows [][]*smTag) bool {
	if len(rows) == 0 {
		return false
	}
	for _, row := range rows {
		if len(row) == 0 {
			return false
		}
		for _, t := range row {
			if !t.validate {
				return false
			}
		}
	}
	return true
}

// smCheckerOrder is a union's constituents in the checker's order: the
// intrinsic types by their creation order first (undefined, null, string,
// number, bigint, false, true, symbol, void), then the others as written
// (the checker sorts by type id; literal and object types get theirs when
// first met, which the written order approximates).
func smCheckerOrder(ts []ttType) []ttType {
	rank := func(t ttType) int {
		switch x := t.(type) {
		case *ttPrim:
			switch x {
			case ttUndefined:
				return 0
			case ttNull:
				return 1
			case ttString:
				return 2
			case ttNumber:
				return 3
			case ttBigint:
				return 4
			case ttBoolean:
				return 5
			case ttSymbol:
				return 7
			case ttVoid:
				return 8
			case ttNever:
				return 9
			}
		case *ttLit:
			if x.kind == 'b' {
				if x.b {
					return 6
				}
				return 5
			}
		}
		return 100
	}
	out := append([]ttType(nil), ts...)
	// stable insertion sort by rank
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && rank(out[j]) < rank(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	// object types among themselves by where they are declared (the
	// checker creates a declaration's type when it checks it, in source
	// order), files in the order they first appear
	var slots []int
	var objs []ttType
	for i, t := range out {
		if _, _, ok := smDeclaredAt(t); ok {
			slots = append(slots, i)
			objs = append(objs, t)
		}
	}
	if len(objs) > 1 {
		fileRank := map[string]int{}
		for _, t := range objs {
			f, _, _ := smDeclaredAt(t)
			if _, ok := fileRank[f]; !ok {
				fileRank[f] = len(fileRank)
			}
		}
		less := func(a, b ttType) bool {
			fa, pa, _ := smDeclaredAt(a)
			fb, pb, _ := smDeclaredAt(b)
			if fileRank[fa] != fileRank[fb] {
				return fileRank[fa] < fileRank[fb]
			}
			if pa.Line != pb.Line {
				return pa.Line < pb.Line
			}
			return pa.Col < pb.Col
		}
		for i := 1; i < len(objs); i++ {
			for j := i; j > 0 && less(objs[j], objs[j-1]); j-- {
				objs[j], objs[j-1] = objs[j-1], objs[j]
			}
		}
		for k, i := range slots {
			out[i] = objs[k]
		}
	}
	return out
}

// smDeclaredAt is where an object type (or an intersection's first
// object) is declared in the project.
func smDeclaredAt(t ttType) (string, tsyntax.Pos, bool) {
	switch x := t.(type) {
	case *ttObj:
		if x.kind == ttPlain && x.file != "" {
			return x.file, x.pos, true
		}
	case *ttInter:
		for _, m := range x.types {
			if f, p, ok := smDeclaredAt(m); ok {
				return f, p, true
			}
		}
	}
	return "", tsyntax.Pos{}, false
}

// ---- template literal types ----

// smExpandTemplate distributes a template literal type over the literal
// unions in its holes, as the checker does (`${"a" | "b"}-${string}` is
// `a-${string}` | `b-${string}`).
func smExpandTemplate(text string, at smAt) ([]string, error) {
	body := strings.TrimSuffix(strings.TrimPrefix(text, "`"), "`")
	outs := []string{""}
	for {
		i := strings.Index(body, "${")
		if i < 0 {
			break
		}
		depth, j := 0, i+2
		for ; j < len(body); j++ {
			if body[j] == '{' {
				depth++
			} else if body[j] == '}' {
				if depth == 0 {
					break
				}
				depth--
			}
		}
		if j >= len(body) {
			return nil, at.errf("cannot read the template literal type %s", text)
		}
		hole := body[i+2 : j]
		vals, ok := smHoleLiterals(hole)
		for k := range outs {
			outs[k] += body[:i]
		}
		if !ok {
			for k := range outs {
				outs[k] += "${" + hole + "}"
			}
		} else {
			var next []string
			for _, o := range outs {
				for _, v := range vals {
					next = append(next, o+v)
				}
			}
			if len(next) > 1000 {
				return nil, at.errf("the template literal type %s has too many members", text)
			}
			outs = next
		}
		body = body[j+1:]
	}
	for k := range outs {
		outs[k] = "`" + outs[k] + body + "`"
	}
	return outs, nil
}

// smHoleLiterals reads a template hole that is a union of literals (as the
// type model prints it) into their texts.
func smHoleLiterals(hole string) ([]string, bool) {
	if hole == "boolean" {
		return []string{"false", "true"}, true
	}
	var out []string
	for _, part := range strings.Split(hole, " | ") {
		part = strings.TrimSpace(part)
		switch {
		case strings.HasPrefix(part, `"`):
			s, err := strconv.Unquote(part)
			if err != nil {
				return nil, false
			}
			out = append(out, s)
		case part == "true" || part == "false" || part == "null" || part == "undefined":
			out = append(out, part)
		case part == "boolean":
			out = append(out, "false", "true")
		default:
			if _, err := strconv.ParseFloat(part, 64); err != nil {
				return nil, false
			}
			out = append(out, part)
		}
	}
	return out, len(out) > 0
}

// templateRow reads a template literal type's text (`id-${string}`) back
// into typia's row: the literal parts and the holes' metadata.
func (g *schemaGen) templateRow(t *ttTemplate, at smAt) ([]*smMeta, error) {
	text := strings.TrimSuffix(strings.TrimPrefix(t.text, "`"), "`")
	var row []*smMeta
	lit := func(s string) {
		if s != "" {
			m := newSMMeta()
			smAddConst(m, "string", s)
			row = append(row, m)
		}
	}
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			lit(text)
			return row, nil
		}
		lit(text[:i])
		depth, j := 0, i+2
		for ; j < len(text); j++ {
			if text[j] == '{' {
				depth++
			} else if text[j] == '}' {
				if depth == 0 {
					break
				}
				depth--
			}
		}
		if j >= len(text) {
			return nil, at.errf("cannot read the template literal type %s", t.text)
		}
		hole := text[i+2 : j]
		m := newSMMeta()
		switch {
		case hole == "string":
			smAddAtomic(m, "string")
		case hole == "number":
			smAddAtomic(m, "number")
		case hole == "bigint":
			smAddAtomic(m, "bigint")
		case strings.HasPrefix(hole, "`"):
			r, err := g.templateRow(&ttTemplate{text: hole}, at)
			if err != nil {
				return nil, err
			}
			m.templates = append(m.templates, &smTemplate{row: r, text: hole})
		default:
			return nil, at.errf("the template literal type %s has a hole (%s) moose-dev cannot write a JSON schema pattern for", t.text, hole)
		}
		row = append(row, m)
		text = text[j+1:]
	}
}

// ---- objects ----

// object emplaces an object type (an interface, class, type literal or
// intersection of objects) in the collection and adds it to m.
func (g *schemaGen) object(m *smMeta, t ttType, at smAt) error {
	id := g.names.identity(t)
	obj, ok := g.coll.objects[id]
	if !ok {
		obj = &smObject{id: id}
		obj.name = g.coll.getName(id, smReplace(g.names.fullName(t)))
		obj.doc = g.names.objectDoc(t)
		g.coll.objects[id] = obj
		g.coll.order = append(g.coll.order, obj)
		if err := g.properties(obj, t, at); err != nil {
			return err
		}
	}
	for _, o := range m.objects {
		if o.obj.name == obj.name {
			return nil
		}
	}
	m.objects = append(m.objects, &smObjRef{obj: obj})
	return nil
}

func (g *schemaGen) properties(obj *smObject, t ttType, at smAt) error {
	if t == ttObjectKw {
		return nil
	}
	ps, err := g.r.propsOf(t)
	if err != nil {
		return err
	}
	ps = g.pickOrder(t, ps)
	class := false
	if o, ok := t.(*ttObj); ok && o.iface {
		if _, isClass := g.declOf(o).(*tsyntax.ClassDecl); isClass {
			class = true
		}
	}
	for _, p := range ps {
		g.step()
		var doc smDoc
		if d := g.decls.member(p); d != nil {
			if d.kind == "accessor" || d.kind == "method" || class && d.hidden {
				continue
			}
			if d.kind == "prop" {
				doc = smParseDoc(d.doc, d.pos, d.prevLine)
			}
		}
		if _, internal := doc.tag("internal"); internal {
			continue
		}
		pat := at.child(p.name, p.file, p.pos)
		ft, err := g.r.fullType(p)
		if err != nil {
			return ttWithField(err, pat.field, p.file, p.pos)
		}
		v, err := g.exploreAt(ft, pat)
		if err != nil {
			return err
		}
		v.optional = p.optional
		obj.props = append(obj.props, &smProp{key: p.name, value: v, doc: doc})
	}
	is, err := g.r.indexOf(t)
	if err != nil {
		return err
	}
	for _, ix := range is {
		k, err := g.exploreAt(ix.key, at.child("[key]", "", tsyntax.Pos{}))
		if err != nil {
			return err
		}
		vt, err := ix.value()
		if err != nil {
			return err
		}
		v, err := g.exploreAt(vt, at.child("[key]", "", tsyntax.Pos{}))
		if err != nil {
			return err
		}
		obj.props = append(obj.props, &smProp{index: k, value: v})
	}
	return nil
}

// ---- intersections ----

// intersection is typia's iterate_metadata_intersection: a primitive,
// array or Date intersected with typia tags (and moose-lib's optional
// marker properties, which are dropped) is that type with the tags; an
// intersection of objects is left to be read as one object (done false).
func (g *schemaGen) intersection(m *smMeta, x *ttInter, at smAt) (done bool, err error) {
	saved := g.coll.clone()
	var children []*smMeta
	for _, t := range x.types {
		c, err := g.exploreAt(t, at)
		if err != nil {
			g.coll = saved
			return true, err
		}
		children = append(children, c)
	}
	g.coll = saved
	if len(children) == 0 {
		return false, nil
	}
	for _, c := range children {
		if c.any || c.size() == 0 {
			return false, nil
		}
	}
	var indexes []int
	var metas []*smMeta
	var tagTypes []ttType
	for i, c := range children {
		if c.size() == 1 && len(c.objects) == 1 && smIsTagType(x.types[i]) {
			tagTypes = append(tagTypes, x.types[i])
			continue
		}
		indexes = append(indexes, i)
		metas = append(metas, c)
	}
	nonsensible := func() error {
		return at.errf("typia refuses the intersection %s upstream (a nonsensible intersection: moose-lib's markers and typia's tags may intersect a primitive, an array or Date, other object types may only intersect objects)", ttShow(x, 0))
	}
	if len(metas) == 0 {
		if len(tagTypes) > 0 {
			return true, at.errf("typia refuses %s upstream: a type tag cannot stand alone", ttShow(x, 0))
		}
		return false, nil
	}
	allObjects := true
	for _, mm := range metas {
		if len(mm.objects) != 1 {
			allObjects = false
		}
	}
	if allObjects && len(tagTypes) == 0 {
		return false, nil
	}
	if len(metas) != 1 {
		var opt []int
		for i, mm := range metas {
			if mm.size() == 1 && len(mm.objects) == 1 && smAllOptional(mm.objects[0].obj) {
				opt = append(opt, i)
			}
		}
		if len(opt) == 0 || len(opt) == len(metas) {
			return true, nonsensible()
		}
		for k := len(opt) - 1; k >= 0; k-- {
			i := opt[k]
			metas = append(metas[:i:i], metas[i+1:]...)
		}
	} else if metas[0].size() != 1 {
		return true, nonsensible()
	}
	candidates := map[string]string{}
	for _, mm := range metas {
		for _, a := range mm.atomics {
			candidates[a.typ] = a.typ
		}
		for _, c := range mm.constants {
			candidates[c.typ] = c.typ
		}
		if len(mm.templates) > 0 {
			candidates["string"] = "string"
		}
		if len(mm.objects) > 0 {
			candidates["object"] = "object"
		}
		if len(mm.arrays) > 0 {
			candidates["array"] = "array"
		}
		if len(mm.tuples) > 0 {
			candidates["invalid"] = "tuple"
		}
		for _, n := range mm.natives {
			candidates["native::"+n.name] = "object"
		}
	}
	if len(candidates) != 1 {
		return true, nonsensible()
	}
	var target string
	for _, v := range candidates {
		target = v
	}
	tags, err := g.tags(tagTypes, target, x, at)
	if err != nil {
		return true, err
	}
	if err := g.iterate(m, x.types[indexes[0]], true, at); err != nil {
		return true, err
	}
	if len(tags) > 0 {
		for _, mm := range metas {
			for _, a := range mm.atomics {
				for _, ma := range m.atomics {
					if ma.typ == a.typ {
						ma.tags = append(ma.tags, tags)
						break
					}
				}
			}
			// typia looks for the constant by identity in a throw-away
			// exploration and never finds it: a literal keeps no tags.
			for range mm.templates {
				if len(m.templates) > 0 {
					m.templates[len(m.templates)-1].tags = append(m.templates[len(m.templates)-1].tags, tags)
				}
			}
			if len(mm.objects) > 0 && len(m.objects) > 0 {
				m.objects[len(m.objects)-1].tags = append(m.objects[len(m.objects)-1].tags, tags)
			}
			if len(mm.arrays) > 0 && len(m.arrays) > 0 {
				m.arrays[len(m.arrays)-1].tags = append(m.arrays[len(m.arrays)-1].tags, tags)
			}
			for _, n := range mm.natives {
				for _, mn := range m.natives {
					if mn.name == n.name {
						mn.tags = append(mn.tags, tags)
						break
					}
				}
			}
		}
	}
	return true, nil
}

func smAllOptional(o *smObject) bool {
	for _, p := range o.props {
		if !p.value.optional {
			return false
		}
	}
	return true
}

// smIsTagType is typia's MetadataTypeTagFactory.is on the model: an object
// whose only property is an optional "typia.tag" holding { target, kind, value }.
func smIsTagType(t ttType) bool {
	o, ok := t.(*ttObj)
	if !ok || o.kind != ttPlain || !o.initDone || o.initErr != nil || len(o.props) != 1 || len(o.index) != 0 {
		return false
	}
	p := o.props[0]
	if p.name != "typia.tag" || !p.optional || !p.done || p.typ == nil {
		return false
	}
	in, ok := p.typ.(*ttObj)
	if !ok || in.kind != ttPlain || !in.initDone {
		return false
	}
	have := map[string]bool{}
	for _, q := range in.props {
		have[q.name] = true
	}
	return have["target"] && have["kind"] && have["value"]
}

// tags reads typia tags for a type of the given kind (typia's
// MetadataTypeTagFactory.analyze): each tag's target must allow it, a kind
// that is exclusive appears once.
func (g *schemaGen) tags(ts []ttType, target string, x *ttInter, at smAt) ([]*smTag, error) {
	var out []*smTag
	for _, t := range ts {
		tg, err := g.tagOf(t, at)
		if err != nil {
			return nil, err
		}
		ok := false
		for _, tt := range tg.targets {
			if tt == target {
				ok = true
			}
		}
		if !ok {
			return nil, at.errf("typia refuses %s upstream: the tag %s targets %s, not %s", ttShow(x, 0), tg.kind, strings.Join(tg.targets, " | "), target)
		}
		out = append(out, tg)
	}
	for i, a := range out {
		if !a.exclusive {
			continue
		}
		for j, b := range out {
			if i != j && a.kind == b.kind {
				return nil, at.errf("typia refuses %s upstream: the tag kind %q cannot be repeated", ttShow(x, 0), a.kind)
			}
		}
	}
	return out, nil
}

func (g *schemaGen) tagOf(t ttType, at smAt) (*smTag, error) {
	o := t.(*ttObj)
	inner := o.props[0].typ.(*ttObj)
	get := func(name string) (ttType, bool) {
		for _, p := range inner.props {
			if p.name == name {
				pt, err := g.r.propType(p)
				if err != nil {
					return nil, false
				}
				return pt, true
			}
		}
		return nil, false
	}
	tg := &smTag{}
	if k, ok := get("kind"); ok {
		if l, ok := k.(*ttLit); ok && l.kind == 's' {
			tg.kind = l.s
		}
	}
	if tt, ok := get("target"); ok {
		for _, m := range smUnionMembers(tt) {
			if l, ok := m.(*ttLit); ok && l.kind == 's' {
				tg.targets = append(tg.targets, l.s)
			}
		}
	}
	vt, _ := get("value")
	var err error
	tg.value, err = g.literalValue(vt, at)
	if err != nil {
		return nil, err
	}
	if st, ok := get("schema"); ok {
		// a user's own TagBase with a schema
		v, err := g.literalValue(st, at)
		if err != nil {
			return nil, err
		}
		if mv, ok := v.(map[string]any); ok {
			tg.schema = mv
		}
		if _, ok := get("validate"); ok {
			tg.validate = true
		}
		if ex, ok := get("exclusive"); ok {
			if l, ok := ex.(*ttLit); ok && l.kind == 'b' && l.b {
				tg.exclusive = true
			}
		}
		return tg, nil
	}
	return tg, g.builtinTag(tg, at)
}

// builtinTag fills in what typia's own tag declarations (and moose-lib's
// ClickHouseInt for the small integers) put in a JSON schema.
func (g *schemaGen) builtinTag(tg *smTag, at smAt) error {
	num := func(v any) any {
		if b, ok := v.(smBig); ok {
			f, err := strconv.ParseFloat(string(b), 64)
			if err == nil {
				return f
			}
		}
		return v
	}
	tg.validate = true
	switch tg.kind {
	case "type":
		tg.exclusive = true
		switch tg.value {
		case "int32", "int64", "int8", "int16", "uint8", "uint16":
			tg.schema = map[string]any{"type": "integer"}
		case "uint32", "uint64":
			tg.schema = map[string]any{"type": "integer", "minimum": 0.0}
		case "float", "double":
			tg.schema = map[string]any{"type": "number"}
		}
	case "format", "pattern":
		tg.schema = map[string]any{tg.kind: tg.value}
	case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
		tg.schema = map[string]any{tg.kind: num(tg.value)}
	case "multipleOf":
		tg.exclusive = true
		tg.schema = map[string]any{tg.kind: num(tg.value)}
	case "minLength", "maxLength", "minItems", "maxItems":
		tg.exclusive = true
		tg.schema = map[string]any{tg.kind: tg.value}
	case "uniqueItems":
		tg.exclusive = true
		tg.validate = tg.value == true
		tg.schema = map[string]any{"uniqueItems": true}
	case "default", "example", "examples":
		tg.exclusive = true
		tg.validate = false
		tg.schema = map[string]any{tg.kind: num(tg.value)}
	case "sequence":
		tg.validate = false
		tg.schema = map[string]any{"x-protobuf-sequence": tg.value}
	case "contentMediaType", "jsonPlugin", "constant":
		return at.errf("typia's tag %q carries a schema moose-dev cannot read statically yet", tg.kind)
	}
	return nil
}

func smUnionMembers(t ttType) []ttType {
	if u, ok := t.(*ttUnion); ok {
		return u.types
	}
	return []ttType{t}
}

// literalValue is the JSON value a literal type stands for (typia's
// MetadataTypeTagSchemaFactory): literals, tuples and object types of them;
// nil for undefined.
func (g *schemaGen) literalValue(t ttType, at smAt) (any, error) {
	g.step()
	switch x := t.(type) {
	case nil:
		return nil, nil
	case *ttLit:
		switch x.kind {
		case 's':
			return x.s, nil
		case 'n':
			return x.n, nil
		case 'b':
			return x.b, nil
		}
		return smBig(strings.TrimSuffix(x.s, "n")), nil
	case *ttEnumMember:
		if x.str {
			return x.s, nil
		}
		return x.n, nil
	case *ttPrim:
		if x == ttUndefined || x == ttVoid || x == ttNever {
			return nil, nil
		}
		if x == ttNull {
			return smNull{}, nil
		}
	case *ttObj:
		switch x.kind {
		case ttTupleK:
			out := []any{}
			for _, e := range x.elems {
				v, err := g.literalValue(e.typ, at)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			return out, nil
		case ttPlain:
			ps, err := g.r.propsOf(x)
			if err != nil {
				return nil, err
			}
			out := map[string]any{}
			for _, p := range ps {
				pt, err := g.r.propType(p)
				if err != nil {
					return nil, err
				}
				v, err := g.literalValue(pt, at)
				if err != nil {
					return nil, err
				}
				if v != nil {
					out[p.name] = v
				}
			}
			return out, nil
		}
	}
	return nil, at.errf("a typia tag's value %s is not a literal type", ttShow(t, 0))
}

// smNull is a tag value that is null (nil means undefined).
type smNull struct{}

// ---- after the exploration: comment tags and recursion ----

func (g *schemaGen) finish() error {
	for _, o := range g.coll.order {
		if err := g.commentTags(o); err != nil {
			return err
		}
	}
	for _, o := range g.coll.order {
		visited := map[*smMeta]bool{}
		for _, p := range o.props {
			if smReaches(o, p.value, visited) {
				o.recursive = true
				break
			}
		}
	}
	return nil
}

// smReaches is typia's isObjectRecursive: whether metadata m leads back to o.
func smReaches(o *smObject, m *smMeta, visited map[*smMeta]bool) bool {
	if m == nil || visited[m] {
		return false
	}
	visited[m] = true
	for _, r := range m.objects {
		if r.obj == o {
			return true
		}
		for _, p := range r.obj.props {
			if smReaches(o, p.value, visited) {
				return true
			}
		}
	}
	for _, a := range m.arrays {
		if smReaches(o, a.elem, visited) {
			return true
		}
	}
	for _, t := range m.tuples {
		for _, e := range t.elems {
			if smReaches(o, e, visited) {
				return true
			}
		}
	}
	return smReaches(o, m.rest, visited)
}

// commentTags applies a property's JSDoc type tags (`@format uuid`,
// `@minimum 3`, `@type int32`...), as typia's MetadataCommentTagFactory does.
func (g *schemaGen) commentTags(o *smObject) error {
	if o.tagged {
		return nil
	}
	o.tagged = true
	for _, p := range o.props {
		for _, dt := range p.doc.tags {
			byType, ok := smCommentTag(dt)
			if !ok {
				continue
			}
			for _, key := range []string{"array", "boolean", "number", "bigint", "string"} {
				tags, has := byType[key]
				if !has {
					continue
				}
				var filtered []*smTag
				for _, t := range tags {
					filtered = append(filtered, t)
				}
				if key == "array" {
					if len(p.value.arrays) == 0 {
						return fmt.Errorf("the property %s: the comment tag @%s requires an array type", p.key, dt.name)
					}
					for _, a := range p.value.arrays {
						a.tags = smPushRow(a.tags, filtered)
					}
					continue
				}
				var atom *smAtomic
				for _, a := range p.value.atomics {
					if a.typ == key {
						atom = a
					}
				}
				if atom == nil {
					if key == "bigint" || key == "number" {
						opp := "number"
						if key == "number" {
							opp = "bigint"
						}
						if _, has := byType[opp]; has {
							found := false
							for _, a := range p.value.atomics {
								if a.typ == opp {
									found = true
								}
							}
							if found {
								continue
							}
						}
					} else if key == "string" && len(tags) > 0 && tags[0].kind == "format" && tags[0].value == "date-time" {
						continue
					}
					return fmt.Errorf("the property %s: the comment tag @%s requires a %s type (typia refuses it upstream)", p.key, dt.name, key)
				}
				atom.tags = smPushRow(atom.tags, filtered)
			}
		}
	}
	return nil
}

func smPushRow(rows [][]*smTag, tags []*smTag) [][]*smTag {
	if len(rows) == 0 {
		return [][]*smTag{tags}
	}
	for i := range rows {
		rows[i] = append(rows[i], tags...)
	}
	return rows
}

// smCommentTag is typia's comment tag parser: the type tags a JSDoc tag
// stands for, by the type they apply to.
func smCommentTag(dt smDocTag) (map[string][]*smTag, bool) {
	v := dt.text
	if !dt.has && dt.name != "uniqueItems" {
		switch dt.name {
		case "items", "minItems", "maxItems", "type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
			"multipleOf", "format", "pattern", "length", "minLength", "maxLength":
			return nil, false
		}
	}
	if i := strings.IndexAny(v, "\n"); i >= 0 {
		v = v[:i]
	}
	numTag := func(kind string) map[string][]*smTag {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) {
			return nil
		}
		return map[string][]*smTag{
			"number": {{kind: kind, value: f, schema: map[string]any{kind: f}, validate: true}},
			"bigint": {{kind: kind, value: f, schema: map[string]any{kind: f}, validate: true}},
		}
	}
	intTag := func(kind string) *smTag {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f != math.Floor(f) || f < 0 {
			return nil
		}
		return &smTag{kind: kind, value: f, schema: map[string]any{kind: f}, validate: true, exclusive: true}
	}
	switch dt.name {
	case "items":
		a, b := intTag("minItems"), intTag("maxItems")
		if a == nil {
			return nil, false
		}
		return map[string][]*smTag{"array": {a, b}}, true
	case "minItems", "maxItems":
		a := intTag(dt.name)
		if a == nil {
			return nil, false
		}
		return map[string][]*smTag{"array": {a}}, true
	case "uniqueItems":
		return map[string][]*smTag{"array": {{kind: "uniqueItems", value: true, schema: map[string]any{"uniqueItems": true}, validate: true, exclusive: true}}}, true
	case "type":
		s := strings.TrimSpace(v)
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			s = s[1 : len(s)-1]
		}
		switch s {
		case "int":
			s = "int32"
		case "uint":
			s = "uint32"
		}
		var schema, bigSchema map[string]any
		switch s {
		case "int32", "int64":
			schema = map[string]any{"type": "integer"}
		case "uint32", "uint64":
			schema = map[string]any{"type": "integer", "minimum": 0.0}
		case "float", "double":
		default:
			return nil, false
		}
		if s == "uint64" {
			bigSchema = map[string]any{"minimum": 0.0}
		}
		return map[string][]*smTag{
			"number": {{kind: "type", value: s, schema: schema, validate: true, exclusive: true}},
			"bigint": {{kind: "type", value: s, schema: bigSchema, validate: true, exclusive: true}},
		}, true
	case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
		m := numTag(dt.name)
		return m, m != nil
	case "multipleOf":
		m := numTag(dt.name)
		if m == nil {
			return nil, false
		}
		for _, ts := range m {
			ts[0].exclusive = true
		}
		return m, true
	case "format":
		f := strings.TrimSpace(v)
		if f == "datetime" || f == "dateTime" {
			f = "date-time"
		}
		for _, x := range ttTypiaFormats {
			if x == f {
				return map[string][]*smTag{"string": {{kind: "format", value: f, schema: map[string]any{"format": f}, validate: true, exclusive: true}}}, true
			}
		}
		return nil, false
	case "pattern":
		return map[string][]*smTag{"string": {{kind: "pattern", value: v, schema: map[string]any{"pattern": v}, validate: true}}}, true
	case "length":
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, false
		}
		return map[string][]*smTag{"string": {
			{kind: "minLength", value: f, schema: map[string]any{"minLength": f}, validate: true, exclusive: true},
			{kind: "maxLength", value: f, schema: map[string]any{"maxLength": f}, validate: true, exclusive: true}}}, true
	case "minLength", "maxLength":
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, false
		}
		return map[string][]*smTag{"string": {{kind: dt.name, value: f, schema: map[string]any{dt.name: f}, validate: true, exclusive: true}}}, true
	}
	return nil, false
}

// declOf is the project declaration an object type was instantiated from.
func (g *schemaGen) declOf(o *ttObj) tsyntax.Stmt {
	return g.names.declOfObj(o)
}

// pickOrder is a Pick's properties in the order of its keys (Pick maps
// over K, not over keyof T as the type model's homomorphic Pick does).
func (g *schemaGen) pickOrder(t ttType, ps []*ttProp) []*ttProp {
	g.names.refresh()
	var a *smOrigin
	for i, o := range g.names.origins[t] {
		if d, ok := o.decl.(*tsyntax.TypeAliasDecl); ok && o.argsOK && len(o.args) == 2 && g.global["Pick"] == d {
			a = &g.names.origins[t][i]
		}
	}
	if a == nil {
		return ps
	}
	var out []*ttProp
	used := map[*ttProp]bool{}
	for _, k := range smUnionMembers(a.args[1]) {
		l, ok := k.(*ttLit)
		if !ok || l.kind != 's' {
			continue
		}
		for _, p := range ps {
			if p.name == l.s && !used[p] {
				out = append(out, p)
				used[p] = true
			}
		}
	}
	for _, p := range ps {
		if !used[p] {
			out = append(out, p)
		}
	}
	return out
}
