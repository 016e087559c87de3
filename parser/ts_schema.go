package parser

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// The JSON schemas upstream's map carries for TypeScript models: moose-lib's
// compiler plugin asks typia for `typia.json.schemas<[T], "3.1">()` of an
// IngestApi's type and of an Api's response type, and then cleans the
// collection (the Date component and `$ref`s to it become inline date-time
// strings, moose-lib's phantom marker properties are dropped, an empty
// `required` is left out).
//
// This file is the entry point and what the schema reader needs beyond the
// type model: the declarations' documentation (descriptions, JSDoc tags)
// and the names typia gives types. The model of the checker's types is the
// column reader's (ts_types_*.go); ts_schema_meta.go turns a type into
// typia's metadata, ts_schema_name.go names it, ts_schema_write.go writes
// the schemas as typia's JSON schema programmer does.

// tsJSONSchema is typia's JSON schema collection (v3.1) of a type, as upstream's map holds it:
// {"version": "3.1", "components": {"schemas": {...named types...}}, "schemas": [<the type, a $ref when named>]}.
// t == nil gives the empty collection upstream writes for a missing type argument.
func tsJSONSchema(s tsScope, t tsyntax.Type) (out map[string]any, err error) {
	if t == nil {
		return map[string]any{"version": "3.1", "components": map[string]any{"schemas": map[string]any{}},
			"schemas": []any{map[string]any{}}}, nil
	}
	g := newSchemaGen(s)
	defer func() {
		if p := recover(); p != nil {
			if b, ok := p.(ttBudget); ok {
				out, err = nil, &Error{File: s.file(), Pos: ttPos(t.Position()), Msg: string(b)}
				return
			}
			panic(p)
		}
	}()
	typ, err := g.r.resolve(&ttCtx{scope: g.wrap(s)}, t)
	if err != nil {
		return nil, ttError(err, s.file(), t.Position())
	}
	meta, err := g.explore(typ, s.file(), t.Position(), "")
	if err == nil {
		err = g.finish()
	}
	if err != nil {
		return nil, ttError(err, s.file(), t.Position())
	}
	w := &smWriter{g: g, components: map[string]map[string]any{}}
	schema := w.station(meta, smAttr{}, true)
	if schema == nil {
		return nil, &Error{File: s.file(), Pos: ttPos(t.Position()),
			Msg: "the type " + ttShow(typ, 0) + " has no JSON schema (typia refuses never, void and undefined upstream)"}
	}
	return smClean(w.components, schema), nil
}

// schemaGen is one schema collection's reading: the resolver (its
// instantiations name the types), the declarations seen, typia's
// metadata collection.
type schemaGen struct {
	r        *ttResolver
	decls    *schemaDecls
	coll     *smCollection
	names    *smNamer
	global   map[string]*tsyntax.TypeAliasDecl
	libDecls map[string]smLibDecl
	lib      *schemaLibScope
	steps    int
}

func newSchemaGen(s tsScope) *schemaGen {
	g := &schemaGen{r: newTTResolver(), decls: newSchemaDecls(), global: map[string]*tsyntax.TypeAliasDecl{},
		libDecls: map[string]smLibDecl{}}
	g.lib = &schemaLibScope{file_: s.file()}
	g.coll = newSMCollection()
	g.names = newSMNamer(g)
	return g
}

// step counts the schema reader's own work against the resolver's budget.
func (g *schemaGen) step() {
	g.steps++
	if g.steps > ttMaxSteps {
		panic(ttBudget("the type is too complex to write a JSON schema for statically (is it infinitely recursive?)"))
	}
}

// schemaScope wraps a module's scope: the declarations it binds are indexed
// (their members' documentation and kinds), and lib.es5.d.ts's mapped
// utility types become aliases the resolver memoises, so that their
// instantiations can be named as the checker names them
// (`Partial<Inner>`, `Record<string, number>`).
type schemaScope struct {
	inner tsScope
	g     *schemaGen
}

func (g *schemaGen) wrap(s tsScope) tsScope {
	if w, ok := s.(*schemaScope); ok {
		return w
	}
	return &schemaScope{inner: s, g: g}
}

func (s *schemaScope) file() string { return s.inner.file() }

func (s *schemaScope) lookupType(name string) (tsTypeBinding, bool) {
	b, ok := s.inner.lookupType(name)
	if ok {
		if b.Lib != nil {
			if d, sc := s.g.libAlias(b); d != nil {
				return tsTypeBinding{Decl: d, Scope: sc}, true
			}
		}
		if b.Decl != nil {
			sc := b.Scope
			if sc == nil {
				sc = s.inner
			}
			s.g.decls.index(b.Decl, sc)
			b.Scope = s.g.wrap(sc)
		}
		return b, true
	}
	if d := s.g.globalAlias(name); d != nil {
		return tsTypeBinding{Decl: d, Scope: s.g.lib}, true
	}
	return b, false
}

// schemaLibScope is the scope of the utility aliases: nothing is bound, so
// their bodies reach the resolver's own lib.es5.d.ts types.
type schemaLibScope struct{ file_ string }

func (l *schemaLibScope) file() string                            { return l.file_ }
func (l *schemaLibScope) lookupType(string) (tsTypeBinding, bool) { return tsTypeBinding{}, false }

// smLibArity are the type aliases of moose-lib and typia's tags whose
// instantiations the checker prints by their alias name (`Inner &
// ClickHouseNamedTuple`, `Box<Float32>`), with their number of type
// parameters. Aliases that are their argument (Key<T> = T) have no name
// of their own and are left alone.
var smLibArity = map[string]int{
	"moose:DateTime64": 1, "moose:DateTimeString": 0, "moose:DateTime64String": 1, "moose:Float32": 0, "moose:Float64": 0,
	"moose:Int8": 0, "moose:Int16": 0, "moose:Int32": 0, "moose:Int64": 0, "moose:UInt8": 0, "moose:UInt16": 0,
	"moose:UInt32": 0, "moose:UInt64": 0, "moose:ClickHouseInt": 1, "moose:ClickHouseFloat": 1, "moose:Decimal": 2,
	"moose:ClickHouseDecimal": 2, "moose:FixedString": 1, "moose:ClickHouseFixedStringSize": 1,
	"moose:ClickHouseByteSize": 1, "moose:ClickHousePrecision": 1, "moose:LowCardinality": 0,
	"moose:ClickHouseDefault": 1, "moose:ClickHouseMaterialized": 1, "moose:ClickHouseAlias": 1,
	"moose:ClickHouseTTL": 1, "moose:ClickHouseCodec": 1, "moose:ClickHouseNamedTuple": 0,
	"moose:ClickHousePoint": 0, "moose:ClickHouseRing": 0, "moose:ClickHouseLineString": 0,
	"moose:ClickHouseMultiLineString": 0, "moose:ClickHousePolygon": 0, "moose:ClickHouseMultiPolygon": 0,
	"tags:Type": 1, "tags:Format": 1, "tags:Pattern": 1, "tags:Minimum": 1, "tags:Maximum": 1,
	"tags:ExclusiveMinimum": 1, "tags:ExclusiveMaximum": 1, "tags:MultipleOf": 1, "tags:MinLength": 1,
	"tags:MaxLength": 1, "tags:MinItems": 1, "tags:MaxItems": 1, "tags:Default": 1, "tags:Example": 1,
	"tags:Examples": 1, "tags:Sequence": 1, "moose:ClickHouseJson": 4,
}

// libAlias is a library type name as an alias the resolver memoises: its
// body is the library binding itself, under a name only its scope binds.
func (g *schemaGen) libAlias(b tsTypeBinding) (*tsyntax.TypeAliasDecl, tsScope) {
	path := ttLibPath(b.Lib)
	key, name := "", ""
	switch {
	case ttIsMooseLib(b.Lib.Module) && len(path) == 1:
		key, name = "moose:"+path[0], path[0]
	case (ttIsMooseLib(b.Lib.Module) || b.Lib.Module == "typia") && len(path) == 2 && path[0] == "tags":
		key, name = "tags:"+path[1], path[1]
	case (b.Lib.Module == "typia/lib/tags" || strings.HasPrefix(b.Lib.Module, "typia/lib/tags/")) && len(path) == 1:
		key, name = "tags:"+path[0], path[0]
	}
	arity, ok := smLibArity[key]
	if !ok {
		return nil, nil
	}
	id := b.Lib.Module + "|" + b.Lib.Name + "|" + b.Lib.Member
	if x, ok := g.libDecls[id]; ok {
		return x.decl, x.scope
	}
	var tps []*tsyntax.TypeParam
	var args []tsyntax.Type
	dflt := smLibDefaults[key]
	for i := 0; i < arity; i++ {
		p := fmt.Sprintf("P%d", i)
		tp := &tsyntax.TypeParam{Name: p}
		if i < len(dflt) {
			switch dflt[i] {
			case "[]":
				tp.Default = &tsyntax.TupleType{}
			default:
				tp.Default = &tsyntax.KeywordType{Name: dflt[i]}
			}
		}
		tps = append(tps, tp)
		args = append(args, &tsyntax.TypeRef{Name: p})
	}
	d := &tsyntax.TypeAliasDecl{Name: name, TypeParams: tps, Type: &tsyntax.TypeRef{Name: smLibRef, Args: args}, Declare: true}
	sc := &schemaLibBind{file_: g.lib.file_, b: b}
	g.libDecls[id] = smLibDecl{d, sc}
	g.decls.lib[d] = true
	return d, sc
}

// smLibRef is the name a library alias's body refers to its library type by.
const smLibRef = "__moose_dev_library_type"

type smLibDecl struct {
	decl  *tsyntax.TypeAliasDecl
	scope tsScope
}

// schemaLibBind binds only smLibRef, to a library type.
type schemaLibBind struct {
	file_ string
	b     tsTypeBinding
}

func (l *schemaLibBind) file() string { return l.file_ }
func (l *schemaLibBind) lookupType(name string) (tsTypeBinding, bool) {
	if name == smLibRef {
		return l.b, true
	}
	return tsTypeBinding{}, false
}

// smLibDocs are the documentation comments lib.es5.d.ts gives the utility
// types typia names components after (the component's description).
var smLibDocs = map[string]string{
	"Partial":  "Make all properties in T optional",
	"Required": "Make all properties in T required",
	"Readonly": "Make all properties in T readonly",
	"Pick":     "From T, pick a set of properties whose keys are in the union K",
	"Record":   "Construct a type with a set of properties K of type T",
	"Omit":     "Construct a type with the properties of T except for those in type K.",
}

// smMarkerDocs are moose-lib's doc comments on the marker types that can
// become components (typia reads `LowCardinality & string` as the marker
// object, its first member), for their descriptions.
var smMarkerDocs = map[string]string{
	"ClickHouseDefault":      "/**\n * typia may have trouble handling this type.\n * In which case, use {@link WithDefault} as a workaround\n *\n * @example\n * { field: number & ClickHouseDefault<\"0\"> }\n */",
	"ClickHouseNamedTuple":   "/**\n * By default, nested objects map to the `Nested` type in clickhouse.\n * Write `nestedObject: AnotherInterfaceType & ClickHouseNamedTuple`\n * to map AnotherInterfaceType to the named tuple type.\n */",
	"ClickHouseCodec":        "/**\n * Attach compression codec to a column type.\n *\n * Any valid ClickHouse codec expression is allowed. ClickHouse validates the codec at runtime.\n *\n * @template T The base data type\n */",
	"ClickHouseMaterialized": "/**\n * ClickHouse MATERIALIZED column annotation.\n * The column value is computed at INSERT time and physically stored.\n * Cannot be explicitly inserted by users.\n *\n * @example\n */",
	"ClickHouseAlias":        "/**\n * ClickHouse ALIAS column annotation.\n * The column value is computed on-the-fly at SELECT time and NOT physically stored.\n * Cannot be explicitly inserted by users.\n *\n * @example\n */",
	"ClickHouseTTL":          "/**\n * @example\n */",
}

// smLibDefaults are the default type arguments of moose-lib's generic
// markers that have them (the checker names an instantiation by the
// arguments written, so trailing defaults are not part of its name).
var smLibDefaults = map[string][]string{"moose:ClickHouseJson": {"undefined", "undefined", "[]", "[]"}}

// smHomomorphic are the utility types that are mapped types over `keyof T`:
// their instantiations keep their own alias name even when a user's alias
// is written over them (`type P = Partial<X>` is still "Partial<X>").
var smHomomorphic = map[string]bool{"Partial": true, "Required": true, "Readonly": true}

func (g *schemaGen) globalAlias(name string) *tsyntax.TypeAliasDecl {
	if _, ok := smLibDocs[name]; !ok {
		return nil
	}
	if d, ok := g.global[name]; ok {
		return d
	}
	params := []string{"T"}
	switch name {
	case "Pick", "Omit":
		params = []string{"T", "K"}
	case "Record":
		params = []string{"K", "T"}
	}
	var tps []*tsyntax.TypeParam
	var args []tsyntax.Type
	for _, p := range params {
		tps = append(tps, &tsyntax.TypeParam{Name: p})
		args = append(args, &tsyntax.TypeRef{Name: p})
	}
	d := &tsyntax.TypeAliasDecl{Name: name, TypeParams: tps, Type: &tsyntax.TypeRef{Name: name, Args: args}, Declare: true}
	g.global[name] = d
	g.decls.lib[d] = true
	return d
}

// ---- declarations: members' kinds and documentation ----

type schemaPosKey struct {
	file      string
	line, col int
}

// schemaMember is what typia reads of a member's declaration.
type schemaMember struct {
	kind     string // "prop" (a property signature), "accessor", "method", "classProp", "param" (a constructor parameter property)
	hidden   bool   // private or protected in a class: not part of typia's object
	typ      tsyntax.Type
	doc      string // the `/** ... */` text, or ""
	pos      tsyntax.Pos
	prevLine int
}

type schemaDecls struct {
	members map[schemaPosKey]*schemaMember
	seen    map[tsyntax.Stmt]bool
	scopes  map[tsyntax.Stmt]tsScope // a declaration's module
	lib     map[*tsyntax.TypeAliasDecl]bool
}

func newSchemaDecls() *schemaDecls {
	return &schemaDecls{members: map[schemaPosKey]*schemaMember{}, seen: map[tsyntax.Stmt]bool{},
		scopes: map[tsyntax.Stmt]tsScope{}, lib: map[*tsyntax.TypeAliasDecl]bool{}}
}

func (d *schemaDecls) index(decl tsyntax.Stmt, sc tsScope) {
	if e, ok := decl.(*tsyntax.ExportDecl); ok && e.Decl != nil {
		decl = e.Decl
	}
	if d.seen[decl] {
		return
	}
	d.seen[decl] = true
	d.scopes[decl] = sc
	file := sc.file()
	switch x := decl.(type) {
	case *tsyntax.InterfaceDecl:
		d.typeMembers(file, x.Members, x.P.Line)
	case *tsyntax.TypeAliasDecl:
		d.typeNode(file, x.Type)
	case *tsyntax.ClassDecl:
		if x.Class == nil {
			return
		}
		for _, m := range x.Class.Members {
			hidden := false
			for _, mod := range m.Modifiers {
				if mod == "private" || mod == "protected" {
					hidden = true
				}
			}
			switch m.Kind {
			case "property":
				d.add(file, &schemaMember{kind: "classProp", hidden: hidden, typ: m.Type, pos: m.P})
				d.typeNode(file, m.Type)
			case "get", "set":
				d.add(file, &schemaMember{kind: "accessor", pos: m.P})
			case "method":
				d.add(file, &schemaMember{kind: "method", pos: m.P})
			case "constructor":
				if m.Func == nil {
					break
				}
				for _, prm := range m.Func.Params {
					if len(prm.Modifiers) == 0 {
						continue
					}
					h := false
					for _, mod := range prm.Modifiers {
						if mod == "private" || mod == "protected" {
							h = true
						}
					}
					d.add(file, &schemaMember{kind: "param", hidden: h, typ: prm.Type, pos: prm.P})
					d.typeNode(file, prm.Type)
				}
			}
		}
	}
}

func (d *schemaDecls) add(file string, m *schemaMember) {
	k := schemaPosKey{file, m.pos.Line, m.pos.Col}
	if _, ok := d.members[k]; !ok {
		d.members[k] = m
	}
}

func (d *schemaDecls) typeMembers(file string, members []tsyntax.TypeMember, prevLine int) {
	for _, m := range members {
		switch m := m.(type) {
		case *tsyntax.PropSig:
			d.add(file, &schemaMember{kind: "prop", typ: m.Type, doc: m.Doc, pos: m.P, prevLine: prevLine})
			d.typeNode(file, m.Type)
		case *tsyntax.MethodSig:
			kind := "method"
			if m.Kind == "get" || m.Kind == "set" {
				kind = "accessor"
			}
			d.add(file, &schemaMember{kind: kind, pos: m.P})
		case *tsyntax.IndexSig:
			d.typeNode(file, m.Value)
		}
		prevLine = m.Position().Line
	}
}

// typeNode indexes the type literals inside a type.
func (d *schemaDecls) typeNode(file string, t tsyntax.Type) {
	if t == nil {
		return
	}
	tsyntax.Walk(t, func(n tsyntax.Node) bool {
		if o, ok := n.(*tsyntax.ObjectType); ok {
			d.typeMembers(file, o.Members, o.P.Line)
			return false
		}
		return true
	})
}

// member is the declaration of a model property, when it is one the
// project declares (a mapped type's key or moose-lib's Insertable has none).
func (d *schemaDecls) member(p *ttProp) *schemaMember {
	m, ok := d.members[schemaPosKey{p.file, p.pos.Line, p.pos.Col}]
	if !ok {
		return nil
	}
	if m.typ != nil && p.node != nil && m.typ != p.node {
		return nil
	}
	return m
}

// ---- documentation ----

// smDoc is what typia reads of a declaration's JSDoc: the comment text and
// the tags, in order.
type smDoc struct {
	text string // "" when none
	has  bool
	tags []smDocTag
}

type smDocTag struct {
	name string
	text string
	has  bool // the tag has text
}

func (d smDoc) tag(name string) (smDocTag, bool) {
	for _, t := range d.tags {
		if t.name == name {
			return t, true
		}
	}
	return smDocTag{}, false
}

// smParseDoc reads a `/** ... */` comment: its text as the checker's
// documentation comment has it and its block tags with their text.
func smParseDoc(doc string, pos tsyntax.Pos, prevLine int) smDoc {
	var out smDoc
	if txt := ttDocOf(doc, pos, prevLine); len(txt) > 0 {
		out.text, out.has = txt[0], true
	}
	if !strings.HasPrefix(doc, "/**") || !strings.HasSuffix(doc, "*/") || len(doc) < 5 {
		return out
	}
	if prevLine > 0 && pos.Line == prevLine && !strings.Contains(doc, "\n") {
		return out
	}
	body := doc[3 : len(doc)-2]
	var lines []string
	for i, l := range strings.Split(body, "\n") {
		l = strings.TrimRight(l, "\r")
		t := strings.TrimLeft(l, " \t")
		if i > 0 || strings.HasPrefix(t, "*") {
			if strings.HasPrefix(t, "*") {
				t = t[1:]
				if strings.HasPrefix(t, " ") {
					t = t[1:]
				}
			}
		}
		lines = append(lines, t)
	}
	var cur *smDocTag
	var text []string
	flush := func() {
		if cur != nil {
			s := strings.TrimSpace(strings.Join(text, "\n"))
			cur.text, cur.has = s, s != ""
			out.tags = append(out.tags, *cur)
		}
		cur, text = nil, nil
	}
	for _, l := range lines {
		rest := l
		for {
			at := smTagStart(rest)
			if at < 0 {
				if cur != nil {
					text = append(text, rest)
				}
				break
			}
			if cur != nil {
				text = append(text, rest[:at])
			}
			flush()
			j := at + 1
			for j < len(rest) && (rest[j] == '_' || rest[j] == '-' || rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= 'A' && rest[j] <= 'Z' || rest[j] >= '0' && rest[j] <= '9') {
				j++
			}
			cur = &smDocTag{name: rest[at+1 : j]}
			rest = rest[j:]
		}
	}
	flush()
	return out
}

// smTagStart is where a block tag starts in a comment line: an `@` at the
// line's start or after whitespace, outside backticks.
func smTagStart(l string) int {
	tick := false
	for i := 0; i < len(l); i++ {
		switch l[i] {
		case '`':
			tick = !tick
		case '@':
			if !tick && (i == 0 || l[i-1] == ' ' || l[i-1] == '\t') && i+1 < len(l) &&
				(l[i+1] >= 'a' && l[i+1] <= 'z' || l[i+1] >= 'A' && l[i+1] <= 'Z') {
				return i
			}
		}
	}
	return -1
}

// tsDeclDocs is implemented by a scope that can give the doc comment
// written before a declaration of its module (the syntax tree keeps
// comments only for property signatures).
type tsDeclDocs interface {
	declDoc(p tsyntax.Pos) (doc string, col int)
}

// declDoc is the `/** ... */` comment before the declaration at p in the
// module's source (the cached source its syntax tree was parsed from).
func (m *tsModule) declDoc(p tsyntax.Pos) (string, int) {
	if m.prog == nil || m.prog.ev == nil || m.prog.ev.l == nil || m.mod == nil {
		return "", 0
	}
	c, ok := m.prog.ev.l.cache[m.mod.file]
	if !ok || c.mod != any(m.ast) {
		return "", 0
	}
	return smDocBefore(c.data, p.Off)
}

// smDocBefore finds the doc comment that ends just before offset off
// (skipping `export`, `default` and `declare`), and the column it starts in.
func smDocBefore(src []byte, off int) (string, int) {
	if off < 0 || off > len(src) {
		return "", 0
	}
	i := off
	for {
		for i > 0 && (src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n' || src[i-1] == '\r') {
			i--
		}
		skipped := false
		for _, kw := range []string{"export", "default", "declare", "abstract"} {
			if i >= len(kw) && string(src[i-len(kw):i]) == kw && (i == len(kw) || !smIdentByte(src[i-len(kw)-1])) {
				i -= len(kw)
				skipped = true
				break
			}
		}
		if !skipped {
			break
		}
	}
	if i < 2 || src[i-1] != '/' || src[i-2] != '*' {
		return "", 0
	}
	start := bytes.LastIndex(src[:i-2], []byte("/*"))
	if start < 0 || !bytes.HasPrefix(src[start:], []byte("/**")) || i-start < 5 {
		return "", 0
	}
	col := 1
	for j := start - 1; j >= 0 && src[j] != '\n'; j-- {
		col++
	}
	return string(src[start:i]), col
}

func smIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// declDocOf is the documentation of a project declaration (an interface,
// class or type alias), when its module's scope can give it.
func (g *schemaGen) declDocOf(decl tsyntax.Stmt) smDoc {
	if decl == nil {
		return smDoc{}
	}
	if ta, ok := decl.(*tsyntax.TypeAliasDecl); ok && g.decls.lib[ta] {
		if d, ok := smLibDocs[ta.Name]; ok && g.global[ta.Name] == ta {
			return smDoc{text: d, has: true}
		}
		if d, ok := smMarkerDocs[ta.Name]; ok {
			return smParseDoc(d, tsyntax.Pos{Line: 1, Col: 1}, 0)
		}
		return smDoc{}
	}
	sc := g.decls.scopes[decl]
	if w, ok := sc.(*schemaScope); ok {
		sc = w.inner
	}
	dd, ok := sc.(tsDeclDocs)
	if !ok {
		return smDoc{}
	}
	var p tsyntax.Pos
	switch x := decl.(type) {
	case *tsyntax.InterfaceDecl:
		p = x.P
	case *tsyntax.TypeAliasDecl:
		p = x.P
	case *tsyntax.ClassDecl:
		p = x.P
	default:
		return smDoc{}
	}
	doc, col := dd.declDoc(p)
	if doc == "" {
		return smDoc{}
	}
	return smParseDoc(doc, tsyntax.Pos{Line: p.Line, Col: col}, 0)
}
