package parser

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// The names typia gives types. A component is named by typia's
// TypeFactory.getFullName of the type: an interface or class by its name
// and type arguments (`Box<number>`), a type with an alias by the alias
// (`WithExtra`, `Partial<Inner>`), an intersection without one by the
// checker's printing of it (`Inner & ClickHouseNamedTuple`), and then with
// the characters <>[]{}()|&,:;?"'` $ and spaces removed ("Boxnumber",
// "InnerClickHouseNamedTuple"). A type literal is "__type" and stays inline.
//
// The type model keeps no alias names, so they are read back from the
// resolver's memoised instantiations: each records the declaration and the
// type arguments (as the resolver keyed them) of the type it produced.

type smOrigin struct {
	kind   byte // 'i' interface, 'c' class, 'a' type alias
	decl   tsyntax.Stmt
	id     int
	args   []ttType
	argsOK bool
}

type smNamer struct {
	g        *schemaGen
	instSeen int
	idsSeen  int
	byID     map[int]any
	origins  map[ttType][]smOrigin
	arrays   map[*smArray]string
}

func newSMNamer(g *schemaGen) *smNamer {
	return &smNamer{g: g, arrays: map[*smArray]string{}}
}

func (n *smNamer) fullNameOfArray(a *smArray) string { return n.arrays[a] }

// refresh rebuilds the origin table when the resolver has instantiated
// more declarations since it was built.
func (n *smNamer) refresh() {
	r := n.g.r
	if n.origins != nil && len(r.inst) == n.instSeen && len(r.ids) == n.idsSeen {
		return
	}
	n.byID = make(map[int]any, len(r.ids))
	for p, id := range r.ids {
		n.byID[id] = p
	}
	n.origins = map[ttType][]smOrigin{}
	for k, v := range r.inst {
		o, ok := n.parseInst(k)
		if ok {
			n.origins[v] = append(n.origins[v], o)
		}
	}
	n.instSeen, n.idsSeen = len(r.inst), len(r.ids)
}

// parseInst reads a resolver instantiation key: "i12<number,#3>".
func (n *smNamer) parseInst(k string) (smOrigin, bool) {
	if len(k) < 3 {
		return smOrigin{}, false
	}
	o := smOrigin{kind: k[0]}
	lt := strings.IndexByte(k, '<')
	if lt < 2 || !strings.HasSuffix(k, ">") {
		return o, false
	}
	id, err := strconv.Atoi(k[1:lt])
	if err != nil {
		return o, false
	}
	o.id = id
	d, ok := n.byID[id].(tsyntax.Stmt)
	if !ok {
		return o, false
	}
	o.decl = d
	inner := k[lt+1 : len(k)-1]
	if inner == "" {
		o.argsOK = true
		return o, true
	}
	args, ok := n.parseKeys(inner)
	if ok && n.g.r.keys(args) == inner {
		o.args, o.argsOK = args, true
	}
	return o, true
}

// parseKeys reads a comma-separated list of resolver keys back into types
// (structurally; objects and enums by their ids).
func (n *smNamer) parseKeys(s string) ([]ttType, bool) {
	var out []ttType
	i := 0
	for {
		t, j, ok := n.parseKey(s, i)
		if !ok {
			return nil, false
		}
		out = append(out, t)
		if j == len(s) {
			return out, true
		}
		if s[j] != ',' {
			return nil, false
		}
		i = j + 1
	}
}

func (n *smNamer) parseKey(s string, i int) (ttType, int, bool) {
	if i >= len(s) {
		return nil, i, false
	}
	end := func(j int) int {
		for j < len(s) && s[j] != ',' && s[j] != ')' {
			j++
		}
		return j
	}
	list := func(j int) ([]ttTupleElem, int, bool) {
		var el []ttTupleElem
		for j < len(s) && s[j] != ')' {
			t, k, ok := n.parseKey(s, j)
			if !ok {
				return nil, j, false
			}
			opt := false
			if k < len(s) && s[k] == '?' {
				opt = true
				k++
			}
			if k >= len(s) || s[k] != ',' {
				return nil, j, false
			}
			el = append(el, ttTupleElem{typ: t, optional: opt})
			j = k + 1
		}
		if j >= len(s) {
			return nil, j, false
		}
		return el, j + 1, true
	}
	switch {
	case strings.HasPrefix(s[i:], "U("), strings.HasPrefix(s[i:], "I("), strings.HasPrefix(s[i:], "T("):
		el, j, ok := list(i + 2)
		if !ok {
			return nil, i, false
		}
		var ts []ttType
		for _, e := range el {
			ts = append(ts, e.typ)
		}
		switch s[i] {
		case 'U':
			return &ttUnion{types: ts}, j, true
		case 'I':
			return &ttInter{types: ts}, j, true
		}
		return ttTuple(el), j, true
	case strings.HasPrefix(s[i:], "A("):
		t, j, ok := n.parseKey(s, i+2)
		if !ok || j >= len(s) || s[j] != ')' {
			return nil, i, false
		}
		return ttArray(t), j + 1, true
	case s[i] == '#':
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		id, err := strconv.Atoi(s[i+1 : j])
		if err != nil {
			return nil, i, false
		}
		t, ok := n.byID[id].(ttType)
		return t, j, ok
	case s[i] == 't' && i+1 < len(s) && s[i+1] == '`':
		j := strings.IndexByte(s[i+2:], '`')
		if j < 0 {
			return nil, i, false
		}
		j += i + 3
		return &ttTemplate{text: s[i+1 : j]}, j, true
	}
	j := end(i)
	word := s[i:j]
	if p, ok := ttPrims[word]; ok {
		return p, j, true
	}
	switch s[i] {
	case 's':
		return ttStr(word[1:]), j, true
	case 'n':
		v, err := strconv.ParseFloat(word[1:], 64)
		if err != nil {
			return nil, i, false
		}
		return ttNum(v), j, true
	case 'b':
		return ttBoolLit(word[1:] == "true"), j, true
	case 'i':
		return ttBigLit(word[1:]), j, true
	}
	return nil, i, false
}

// alias is the type alias the checker names a type by, when it has one:
// a homomorphic utility type (Partial, Required, Readonly) keeps its own;
// else an alias written over a generic instantiation (`type W = Box<number>`)
// renames it, the outermost one winning; else the alias whose body made the
// type (an object literal, mapped type, union or intersection).
func (n *smNamer) alias(t ttType) (smOrigin, bool) {
	n.refresh()
	var strong, realias, creator *smOrigin
	_, iface := t.(*ttObj)
	if o, ok := t.(*ttObj); ok {
		iface = o.iface
	}
	for i := range n.origins[t] {
		o := &n.origins[t][i]
		d, ok := o.decl.(*tsyntax.TypeAliasDecl)
		if !ok || o.kind != 'a' {
			continue
		}
		if n.g.decls.lib[d] {
			if smHomomorphic[d.Name] && !iface {
				if strong == nil || o.id > strong.id {
					strong = o
				}
			} else if !iface && (creator == nil || o.id > creator.id) {
				creator = o
			}
			continue
		}
		body := d.Type
		for {
			p, ok := body.(*tsyntax.ParenType)
			if !ok {
				break
			}
			body = p.Type
		}
		switch b := body.(type) {
		case *tsyntax.TypeRef:
			if len(b.Args) > 0 && (realias == nil || o.id < realias.id) {
				realias = o
			}
		case *tsyntax.ObjectType, *tsyntax.MappedType, *tsyntax.IntersectionType, *tsyntax.UnionType:
			if !iface && (creator == nil || o.id > creator.id) {
				creator = o
			}
		}
	}
	switch {
	case strong != nil:
		return *strong, true
	case realias != nil:
		return *realias, true
	case creator != nil:
		return *creator, true
	}
	return smOrigin{}, false
}

// instance is the interface or class declaration an object was instantiated from.
func (n *smNamer) instance(o *ttObj) (smOrigin, bool) {
	n.refresh()
	for _, x := range n.origins[o] {
		if x.kind == 'i' || x.kind == 'c' {
			return x, true
		}
	}
	return smOrigin{}, false
}

func (n *smNamer) declOfObj(o *ttObj) tsyntax.Stmt {
	if x, ok := n.instance(o); ok {
		return x.decl
	}
	return nil
}

func smDeclName(d tsyntax.Stmt) string {
	switch x := d.(type) {
	case *tsyntax.InterfaceDecl:
		return x.Name
	case *tsyntax.TypeAliasDecl:
		return x.Name
	case *tsyntax.ClassDecl:
		return x.Name
	}
	return ""
}

func smDeclParams(d tsyntax.Stmt) int {
	switch x := d.(type) {
	case *tsyntax.InterfaceDecl:
		return len(x.TypeParams)
	case *tsyntax.TypeAliasDecl:
		return len(x.TypeParams)
	case *tsyntax.ClassDecl:
		if x.Class != nil {
			return len(x.Class.TypeParams)
		}
	}
	return 0
}

// generic is a declaration's name with its type arguments, each written by f.
func smGeneric(o smOrigin, f func(ttType) string, fallback string) string {
	name := smDeclName(o.decl)
	if smDeclParams(o.decl) == 0 {
		return name
	}
	if !o.argsOK || len(o.args) == 0 {
		if fallback != "" {
			return fallback
		}
		return name
	}
	args := o.args
	if ta, ok := o.decl.(*tsyntax.TypeAliasDecl); ok {
		// trailing default arguments are not written
		for len(args) > 0 && len(args) <= len(ta.TypeParams) {
			p := ta.TypeParams[len(args)-1]
			if p.Default == nil || !smIsDefault(p.Default, args[len(args)-1]) {
				break
			}
			args = args[:len(args)-1]
		}
		if len(args) == 0 {
			return name
		}
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = f(a)
	}
	return name + "<" + strings.Join(parts, ", ") + ">"
}

// fullName is typia's TypeFactory.getFullName.
func (n *smNamer) fullName(t ttType) string {
	return n.fullNameDepth(t, 0)
}

func (n *smNamer) fullNameDepth(t ttType, depth int) string {
	n.g.step()
	if depth > 12 {
		return "__type"
	}
	f := func(a ttType) string { return n.fullNameDepth(a, depth+1) }
	switch x := t.(type) {
	case *ttUnion, *ttInter:
		if a, ok := n.alias(t); ok {
			return smGeneric(a, f, "")
		}
		return n.typeString(t, depth+1)
	case *ttObj:
		switch x.kind {
		case ttArrayK:
			if x.readonly {
				return "ReadonlyArray<" + f(x.elem) + ">"
			}
			return "Array<" + f(x.elem) + ">"
		case ttTupleK, ttFuncK:
			return n.typeString(t, depth+1)
		case ttDateK:
			return "Date"
		}
		if a, ok := n.alias(t); ok {
			return smGeneric(a, f, x.display)
		}
		if x.iface {
			if o, ok := n.instance(x); ok {
				return smGeneric(o, f, x.display)
			}
			if x.display != "" {
				return x.display
			}
			return x.name
		}
		return "__type"
	case *ttEnum:
		return x.name
	case *ttEnumMember:
		return x.name
	case *ttPrim:
		if x == ttObjectKw {
			return "object"
		}
	}
	return n.typeString(t, depth+1)
}

// typeString is the checker's typeToString of a type (as far as names need it).
func (n *smNamer) typeString(t ttType, depth int) string {
	n.g.step()
	if depth > 12 {
		return "..."
	}
	f := func(a ttType) string { return n.typeString(a, depth+1) }
	in := func(a ttType) string {
		switch a.(type) {
		case *ttUnion, *ttInter:
			if _, ok := n.alias(a); !ok {
				return "(" + f(a) + ")"
			}
		case *ttObj:
			if a.(*ttObj).kind == ttFuncK {
				return "(" + f(a) + ")"
			}
		}
		return f(a)
	}
	switch x := t.(type) {
	case *ttPrim:
		return x.name
	case *ttLit:
		switch x.kind {
		case 's':
			b, _ := json.Marshal(x.s)
			return string(b)
		case 'n':
			return ttNumText(x.n)
		case 'b':
			return strconv.FormatBool(x.b)
		}
		if strings.HasSuffix(x.s, "n") {
			return x.s
		}
		return x.s + "n"
	case *ttEnum:
		return x.name
	case *ttEnumMember:
		return x.enum.name + "." + x.name
	case *ttTemplate:
		return x.text
	case *ttUnion:
		if a, ok := n.alias(t); ok {
			return smGeneric(a, f, "")
		}
		// the checker prints null and undefined last
		parts, tail := []string{}, []string{}
		for _, m := range smCheckerOrder(x.types) {
			if m == ttNull || m == ttUndefined {
				tail = append(tail, f(m))
				continue
			}
			parts = append(parts, f(m))
		}
		sort.Strings(tail)
		return strings.Join(append(parts, tail...), " | ")
	case *ttInter:
		if a, ok := n.alias(t); ok {
			return smGeneric(a, f, "")
		}
		parts := []string{}
		for _, m := range x.types {
			parts = append(parts, in(m))
		}
		return strings.Join(parts, " & ")
	case *ttObj:
		switch x.kind {
		case ttArrayK:
			s := in(x.elem) + "[]"
			if x.readonly {
				s = "readonly " + s
			}
			return s
		case ttTupleK:
			parts := []string{}
			for _, e := range x.elems {
				s := f(e.typ)
				if e.rest {
					s = "..." + in(e.typ) + "[]"
				} else if e.optional {
					s += "?"
				}
				parts = append(parts, s)
			}
			s := "[" + strings.Join(parts, ", ") + "]"
			if x.readonly {
				s = "readonly " + s
			}
			return s
		case ttFuncK:
			return "() => any"
		case ttDateK:
			return "Date"
		}
		if a, ok := n.alias(t); ok {
			return smGeneric(a, f, x.display)
		}
		if x.iface {
			if o, ok := n.instance(x); ok {
				return smGeneric(o, f, x.display)
			}
			if x.display != "" {
				return x.display
			}
			return x.name
		}
		ps, err := n.g.r.propsOf(x)
		if err != nil {
			return "{}"
		}
		is, _ := n.g.r.indexOf(x)
		if len(ps) == 0 && len(is) == 0 {
			return "{}"
		}
		var b strings.Builder
		b.WriteString("{ ")
		for _, ix := range is {
			v, err := ix.value()
			if err != nil {
				continue
			}
			fmt.Fprintf(&b, "[key: %s]: %s; ", f(ix.key), f(v))
		}
		for _, p := range ps {
			pt, err := n.g.r.fullType(p)
			if err != nil {
				continue
			}
			if p.readonly {
				b.WriteString("readonly ")
			}
			b.WriteString(smPropName(p.name))
			if p.optional {
				b.WriteString("?")
			}
			b.WriteString(": ")
			b.WriteString(f(pt))
			b.WriteString("; ")
		}
		b.WriteString("}")
		return b.String()
	}
	return "?"
}

func smPropName(s string) string {
	ok := s != ""
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' || c >= 0x80) {
			ok = false
		}
	}
	if ok {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil && s == ttNumText(mustFloat(s)) {
		return s
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func mustFloat(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

// smReplacers are the characters typia's MetadataCollection.replace drops
// from a name (or spells out, when nothing else is left).
var smReplacers = [][2]string{
	{"$", "_dollar_"}, {"&", "_and_"}, {"|", "_or_"}, {"{", "_blt_"}, {"}", "_bgt_"}, {"<", "_lt_"}, {">", "_gt_"},
	{"[", "_alt_"}, {"]", "_agt_"}, {",", "_comma_"}, {"`", "_backquote_"}, {"'", "_singlequote_"},
	{"\"", "_doublequote_"}, {" ", "_space_"}, {"?", "_question_"}, {":", "_colon_"}, {";", "_semicolon_"},
}

func smReplace(s string) string {
	r := s
	for _, p := range smReplacers {
		r = strings.ReplaceAll(r, p[0], "")
	}
	if r != "" {
		return r
	}
	for _, p := range smReplacers {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	return s
}

// identity is what makes two model types the same type for typia's
// collection: the object itself, or for the objects the library's types are
// made of (markers, tags) and for intersections, their structure, as the
// checker interns them.
func (n *smNamer) identity(t ttType) string {
	return n.identityDepth(t, 0)
}

func (n *smNamer) identityDepth(t ttType, depth int) string {
	if depth > 16 {
		return "…"
	}
	switch x := t.(type) {
	case *ttInter:
		parts := make([]string, len(x.types))
		for i, m := range x.types {
			parts[i] = n.identityDepth(m, depth+1)
		}
		return "I(" + strings.Join(parts, ",") + ")"
	case *ttObj:
		if x.kind == ttPlain && x.file == "" && x.init == nil && x.initDone {
			var b strings.Builder
			b.WriteString("O{")
			for _, p := range x.props {
				b.WriteString(strconv.Quote(p.name))
				if p.optional {
					b.WriteString("?")
				}
				b.WriteString(":")
				if p.done && p.typ != nil {
					b.WriteString(n.identityDepth(p.typ, depth+1))
				} else {
					fmt.Fprintf(&b, "#%d", n.g.r.id(p))
				}
				b.WriteString(";")
			}
			b.WriteString("}")
			return b.String()
		}
		if x.kind == ttArrayK {
			return "A(" + n.identityDepth(x.elem, depth+1) + ")"
		}
	case *ttPrim:
		if x == ttObjectKw {
			return "object"
		}
	}
	return n.g.r.key(t, 0)
}

// objectDoc is an object type's documentation: its alias's, else its
// declaration's (typia's description and title of a component).
func (n *smNamer) objectDoc(t ttType) smDoc {
	if a, ok := n.alias(t); ok {
		d := n.g.declDocOf(a.decl)
		if d.has {
			return d
		}
		if o, isObj := t.(*ttObj); isObj && o.iface {
			if x, ok := n.instance(o); ok {
				dd := n.g.declDocOf(x.decl)
				return smDoc{text: dd.text, has: dd.has, tags: d.tags}
			}
		}
		return d
	}
	if o, ok := t.(*ttObj); ok && o.iface {
		if x, ok := n.instance(o); ok {
			return n.g.declDocOf(x.decl)
		}
	}
	return smDoc{}
}

// smIsDefault reports whether a type argument is a library default (a
// keyword or the empty tuple) as written.
func smIsDefault(d tsyntax.Type, t ttType) bool {
	switch x := d.(type) {
	case *tsyntax.KeywordType:
		p, ok := t.(*ttPrim)
		return ok && p.name == x.Name
	case *tsyntax.TupleType:
		o, ok := t.(*ttObj)
		return ok && o.kind == ttTupleK && len(o.elems) == 0 && len(x.Elems) == 0
	}
	return false
}
