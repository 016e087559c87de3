package parser

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// Resolution of written types into the model: names through the
// evaluator's scopes, generics by substitution, the global utility types
// the checker's lib.d.ts declares, mapped, indexed, conditional and
// template-literal types as far as a model's types use them.

// ttCtx is where a type node is read: the module's scope and the type
// parameters bound around it.
type ttCtx struct {
	scope tsScope
	env   map[string]ttType
}

func (c *ttCtx) file() string { return c.scope.file() }

// The work budget of one conversion: enough for any real model by orders
// of magnitude, small enough that a pathological or fuzzed type stops fast.
const (
	ttMaxSteps = 200000
	ttMaxDepth = 100
)

type ttResolver struct {
	steps int
	depth int
	inst  map[string]ttType // instantiations of declarations, by declaration and arguments
	busy  map[string]bool   // alias instantiations being resolved
	enums map[*tsyntax.EnumDecl]*ttEnum
	ids   map[any]int
	libs  map[string]ttType // library types by name and arguments
	tags  map[ttType]*ttTagInfo
	plain map[tsyntax.Stmt]ttType // instantiations of declarations without type arguments
}

func newTTResolver() *ttResolver {
	return &ttResolver{inst: map[string]ttType{}, busy: map[string]bool{},
		enums: map[*tsyntax.EnumDecl]*ttEnum{}, ids: map[any]int{}, libs: map[string]ttType{},
		tags: map[ttType]*ttTagInfo{}, plain: map[tsyntax.Stmt]ttType{}}
}

func (r *ttResolver) step() {
	r.steps++
	if r.steps > ttMaxSteps {
		panic(ttBudget("the type is too complex to read statically (the reader's work budget ran out; is it infinitely recursive?)"))
	}
}

func (r *ttResolver) id(p any) int {
	if n, ok := r.ids[p]; ok {
		return n
	}
	n := len(r.ids) + 1
	r.ids[p] = n
	return n
}

// key is an identity for a type, for memoising instantiations.
func (r *ttResolver) key(t ttType, depth int) string {
	if depth > 8 {
		return "…"
	}
	switch x := t.(type) {
	case *ttPrim:
		return x.name
	case *ttLit:
		return ttLitKey(x)
	case *ttTemplate:
		return "t" + x.text
	case *ttUnion, *ttInter:
		var parts []ttType
		op := "U"
		if u, ok := x.(*ttUnion); ok {
			parts = u.types
		} else {
			parts = x.(*ttInter).types
			op = "I"
		}
		var b strings.Builder
		b.WriteString(op + "(")
		for _, p := range parts {
			b.WriteString(r.key(p, depth+1))
			b.WriteString(",")
		}
		b.WriteString(")")
		return b.String()
	case *ttObj:
		switch x.kind {
		case ttArrayK:
			return "A(" + r.key(x.elem, depth+1) + ")"
		case ttTupleK:
			var b strings.Builder
			b.WriteString("T(")
			for _, e := range x.elems {
				b.WriteString(r.key(e.typ, depth+1))
				if e.optional {
					b.WriteString("?")
				}
				b.WriteString(",")
			}
			b.WriteString(")")
			return b.String()
		}
	}
	return "#" + strconv.Itoa(r.id(t))
}

// resolve reads a type node.
func (r *ttResolver) resolve(ctx *ttCtx, n tsyntax.Type) (ttType, error) {
	r.step()
	if r.depth >= ttMaxDepth {
		return nil, ttErrf(ctx.file(), n.Position(), "the type nests more than %d levels deep (is it infinitely recursive?)", ttMaxDepth)
	}
	r.depth++
	t, err := r.resolve1(ctx, n)
	r.depth--
	return t, err
}

func (r *ttResolver) resolve1(ctx *ttCtx, n tsyntax.Type) (ttType, error) {
	switch n := n.(type) {
	case *tsyntax.KeywordType:
		if p, ok := ttPrims[n.Name]; ok {
			return p, nil
		}
		return nil, ttErrf(ctx.file(), n.P, "the type %s cannot be a column's type", n.Name)
	case *tsyntax.LiteralType:
		return ttLiteral(ctx, n)
	case *tsyntax.TemplateType:
		return r.template(ctx, n)
	case *tsyntax.ParenType:
		return r.resolve(ctx, n.Type)
	case *tsyntax.ArrayType:
		e, err := r.resolve(ctx, n.Elem)
		if err != nil {
			return nil, err
		}
		return ttArray(e), nil
	case *tsyntax.TupleType:
		var el []ttTupleElem
		for _, e := range n.Elems {
			t, err := r.resolve(ctx, e.Type)
			if err != nil {
				return nil, err
			}
			if e.Rest {
				// `...T[]`: the element type is what the rest holds
				if a, ok := t.(*ttObj); ok && a.kind == ttArrayK {
					t = a.elem
				}
			}
			el = append(el, ttTupleElem{typ: t, optional: e.Optional, rest: e.Rest})
		}
		return ttTuple(el), nil
	case *tsyntax.UnionType:
		ts := make([]ttType, 0, len(n.Types))
		for _, m := range n.Types {
			t, err := r.resolve(ctx, m)
			if err != nil {
				return nil, err
			}
			ts = append(ts, t)
		}
		return ttMkUnion(ts...), nil
	case *tsyntax.IntersectionType:
		ts := make([]ttType, 0, len(n.Types))
		for _, m := range n.Types {
			t, err := r.resolve(ctx, m)
			if err != nil {
				return nil, err
			}
			ts = append(ts, t)
		}
		return ttMkInter(ts...), nil
	case *tsyntax.ObjectType:
		o := &ttObj{kind: ttPlain, name: "__type", file: ctx.file(), pos: n.P}
		o.init = func() error { return r.initMembers(o, n.Members, ctx, n.P.Line) }
		return o, nil
	case *tsyntax.FuncType:
		return ttFunc(), nil
	case *tsyntax.TypeOperator:
		switch n.Op {
		case "readonly":
			t, err := r.resolve(ctx, n.Type)
			if err != nil {
				return nil, err
			}
			if a, ok := t.(*ttObj); ok && (a.kind == ttArrayK || a.kind == ttTupleK) {
				c := *a
				c.readonly = true
				return &c, nil
			}
			return t, nil
		case "keyof":
			t, err := r.resolve(ctx, n.Type)
			if err != nil {
				return nil, err
			}
			return r.keyof(t)
		case "unique":
			return ttSymbol, nil
		}
		return nil, ttErrf(ctx.file(), n.P, "the type operator %s is not supported in a model", n.Op)
	case *tsyntax.IndexedType:
		return r.indexed(ctx, n)
	case *tsyntax.ConditionalType:
		return r.conditional(ctx, n)
	case *tsyntax.MappedType:
		return r.mapped(ctx, n)
	case *tsyntax.TypeRef:
		return r.ref(ctx, n)
	case *tsyntax.TypeQuery:
		return nil, ttErrf(ctx.file(), n.P, "typeof in a model's type is not supported statically; write the type out")
	case *tsyntax.ImportType:
		return nil, ttErrf(ctx.file(), n.P, "import(%q) types are not supported in a model; import the type by name", n.From)
	case *tsyntax.InferType:
		return nil, ttErrf(ctx.file(), n.P, "infer is not supported in a model's type")
	case *tsyntax.PredicateType:
		return nil, ttErrf(ctx.file(), n.P, "a type predicate cannot be a column's type")
	case nil:
		return ttAny, nil
	}
	return nil, ttErrf(ctx.file(), n.Position(), "this type is not supported in a model")
}

func ttLiteral(ctx *ttCtx, n *tsyntax.LiteralType) (ttType, error) {
	switch l := n.Lit.(type) {
	case *tsyntax.StringLit:
		return ttStr(l.Value), nil
	case *tsyntax.BoolLit:
		return ttBoolLit(l.Value), nil
	case *tsyntax.NumberLit:
		return ttNumberLit(ctx, l, false)
	case *tsyntax.Unary:
		if nl, ok := l.X.(*tsyntax.NumberLit); ok && l.Op == "-" {
			return ttNumberLit(ctx, nl, true)
		}
	case *tsyntax.NullLit:
		return ttNull, nil
	case *tsyntax.Template:
		if len(l.Exprs) == 0 && len(l.Cooked) == 1 && l.Cooked[0] != nil {
			return ttStr(*l.Cooked[0]), nil
		}
	}
	return nil, ttErrf(ctx.file(), n.P, "this literal type is not supported")
}

func ttNumberLit(ctx *ttCtx, l *tsyntax.NumberLit, neg bool) (ttType, error) {
	text := strings.ReplaceAll(l.Text, "_", "")
	if strings.HasSuffix(text, "n") {
		if neg {
			return ttBigLit("-" + text), nil
		}
		return ttBigLit(text), nil
	}
	v, ok := ttParseNumber(text)
	if !ok {
		return nil, ttErrf(ctx.file(), l.P, "cannot read the number %s", l.Text)
	}
	if neg {
		v = -v
	}
	return ttNum(v), nil
}

// ttParseNumber reads a JavaScript numeric literal (separators removed).
func ttParseNumber(text string) (float64, bool) {
	lower := strings.ToLower(text)
	base := 0
	switch {
	case strings.HasPrefix(lower, "0x"):
		base = 16
	case strings.HasPrefix(lower, "0b"):
		base = 2
	case strings.HasPrefix(lower, "0o"):
		base = 8
	}
	if base != 0 {
		u, err := strconv.ParseUint(lower[2:], base, 64)
		if err != nil {
			return 0, false
		}
		return float64(u), true
	}
	if len(text) > 1 && text[0] == '0' && text[1] >= '0' && text[1] <= '9' && !strings.ContainsAny(text, ".eE") {
		// legacy octal
		if u, err := strconv.ParseUint(text[1:], 8, 64); err == nil {
			return float64(u), true
		}
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// template reads a template literal type: a union of string literals when
// every hole is a finite set of literals (as the checker expands it),
// otherwise a pattern, which is a string.
func (r *ttResolver) template(ctx *ttCtx, n *tsyntax.TemplateType) (ttType, error) {
	out := []string{""}
	if len(n.Quasis) > 0 {
		out[0] = n.Quasis[0]
	}
	finite := true
	var shown strings.Builder
	shown.WriteString("`")
	if len(n.Quasis) > 0 {
		shown.WriteString(n.Quasis[0])
	}
	for i, h := range n.Types {
		t, err := r.resolve(ctx, h)
		if err != nil {
			return nil, err
		}
		shown.WriteString("${" + ttShow(t, 0) + "}")
		tail := ""
		if i+1 < len(n.Quasis) {
			tail = n.Quasis[i+1]
		}
		shown.WriteString(tail)
		if !finite {
			continue
		}
		vals, ok := ttLiteralTexts(t)
		if !ok || len(out)*len(vals) > 1000 {
			finite = false
			continue
		}
		var next []string
		for _, o := range out {
			for _, v := range vals {
				next = append(next, o+v+tail)
			}
		}
		out = next
	}
	shown.WriteString("`")
	if !finite {
		return &ttTemplate{text: shown.String()}, nil
	}
	lits := make([]ttType, len(out))
	for i, s := range out {
		lits[i] = ttStr(s)
	}
	return ttMkUnion(lits...), nil
}

// ttLiteralTexts is the strings a literal-like type stands for in a template hole.
func ttLiteralTexts(t ttType) ([]string, bool) {
	switch x := t.(type) {
	case *ttLit:
		switch x.kind {
		case 's':
			return []string{x.s}, true
		case 'n':
			return []string{ttNumText(x.n)}, true
		case 'b':
			return []string{strconv.FormatBool(x.b)}, true
		}
		return []string{strings.TrimSuffix(x.s, "n")}, true
	case *ttEnumMember:
		if x.str {
			return []string{x.s}, true
		}
		return []string{ttNumText(x.n)}, true
	case *ttEnum:
		var out []string
		for _, m := range x.values {
			s, _ := ttLiteralTexts(m)
			out = append(out, s...)
		}
		return out, len(out) > 0
	case *ttPrim:
		switch x {
		case ttNull:
			return []string{"null"}, true
		case ttUndefined:
			return []string{"undefined"}, true
		case ttBoolean:
			return []string{"false", "true"}, true
		}
	case *ttUnion:
		var out []string
		for _, m := range x.types {
			s, ok := ttLiteralTexts(m)
			if !ok {
				return nil, false
			}
			out = append(out, s...)
		}
		return out, true
	}
	return nil, false
}

// ---- references ----

func (r *ttResolver) args(ctx *ttCtx, ns []tsyntax.Type) ([]ttType, error) {
	out := make([]ttType, len(ns))
	for i, a := range ns {
		t, err := r.resolve(ctx, a)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

func (r *ttResolver) ref(ctx *ttCtx, n *tsyntax.TypeRef) (ttType, error) {
	name := n.Name
	if !strings.Contains(name, ".") {
		if t, ok := ctx.env[name]; ok {
			if len(n.Args) > 0 {
				return nil, ttErrf(ctx.file(), n.P, "the type parameter %s takes no type arguments", name)
			}
			return t, nil
		}
	}
	b, ok := ctx.scope.lookupType(name)
	if head, rest, dotted := strings.Cut(name, "."); dotted {
		if hb, hok := ctx.scope.lookupType(head); hok {
			switch {
			case hb.Lib != nil && (!ok || b.Lib == nil && b.Decl == nil):
				member := rest
				if hb.Lib.Member != "" {
					member = hb.Lib.Member + "." + rest
				}
				b, ok = tsTypeBinding{Lib: &tsLibName{Module: hb.Lib.Module, Name: hb.Lib.Name, Member: member}}, true
			case hb.Decl != nil:
				if ed, isEnum := hb.Decl.(*tsyntax.EnumDecl); isEnum && !strings.Contains(rest, ".") {
					e := r.enumOf(ed, hb.Scope)
					m, found := e.byName[rest]
					if !found {
						return nil, ttErrf(ctx.file(), n.P, "the enum %s has no member %s", ed.Name, rest)
					}
					return m, nil
				}
			}
		}
	}
	args, err := r.args(ctx, n.Args)
	if err != nil {
		return nil, err
	}
	if ok {
		switch {
		case b.Lib != nil:
			return r.lib(ctx, n, b.Lib, args)
		case b.Decl != nil:
			scope := b.Scope
			if scope == nil {
				scope = ctx.scope
			}
			return r.decl(ctx, n, b.Decl, scope, args)
		}
		return nil, ttErrf(ctx.file(), n.P, "%s is not a type", name)
	}
	return r.global(ctx, n, args)
}

// decl instantiates a project declaration.
func (r *ttResolver) decl(ctx *ttCtx, n *tsyntax.TypeRef, d tsyntax.Stmt, scope tsScope, args []ttType) (ttType, error) {
	if e, ok := d.(*tsyntax.ExportDecl); ok && e.Decl != nil {
		d = e.Decl
	}
	if len(args) == 0 {
		if t, ok := r.plain[d]; ok {
			return t, nil
		}
		t, err := r.decl1(ctx, n, d, scope, args)
		if err == nil {
			r.plain[d] = t
		}
		return t, err
	}
	return r.decl1(ctx, n, d, scope, args)
}

func (r *ttResolver) decl1(ctx *ttCtx, n *tsyntax.TypeRef, d tsyntax.Stmt, scope tsScope, args []ttType) (ttType, error) {
	switch d := d.(type) {
	case *tsyntax.InterfaceDecl:
		env, err := r.bind(ctx, n, d.Name, d.TypeParams, args, scope)
		if err != nil {
			return nil, err
		}
		k := fmt.Sprintf("i%d<%s>", r.id(d), r.keys(args))
		if t, ok := r.inst[k]; ok {
			return t, nil
		}
		o := &ttObj{kind: ttPlain, name: d.Name, iface: true, display: ttDisplay(d.Name, args), file: scope.file(), pos: d.P}
		dctx := &ttCtx{scope: scope, env: env}
		o.init = func() error { return r.initInterface(o, d, dctx) }
		r.inst[k] = o
		return o, nil
	case *tsyntax.TypeAliasDecl:
		env, err := r.bind(ctx, n, d.Name, d.TypeParams, args, scope)
		if err != nil {
			return nil, err
		}
		k := fmt.Sprintf("a%d<%s>", r.id(d), r.keys(args))
		if t, ok := r.inst[k]; ok {
			return t, nil
		}
		if r.busy[k] {
			return nil, ttErrf(ctx.file(), n.P, "the type alias %s refers to itself (a recursive type has no ClickHouse type)", d.Name)
		}
		r.busy[k] = true
		t, err := r.resolve(&ttCtx{scope: scope, env: env}, d.Type)
		delete(r.busy, k)
		if err != nil {
			return nil, err
		}
		if o, ok := t.(*ttObj); ok && o.kind == ttPlain && o.display == "" {
			o.display = ttDisplay(d.Name, args)
		}
		r.inst[k] = t
		return t, nil
	case *tsyntax.EnumDecl:
		if len(args) > 0 {
			return nil, ttErrf(ctx.file(), n.P, "the enum %s takes no type arguments", d.Name)
		}
		return r.enumOf(d, scope), nil
	case *tsyntax.ClassDecl:
		if d.Class == nil {
			return nil, ttErrf(ctx.file(), n.P, "the class %s has no body", d.Name)
		}
		env, err := r.bind(ctx, n, d.Name, d.Class.TypeParams, args, scope)
		if err != nil {
			return nil, err
		}
		k := fmt.Sprintf("c%d<%s>", r.id(d), r.keys(args))
		if t, ok := r.inst[k]; ok {
			return t, nil
		}
		o := &ttObj{kind: ttPlain, name: d.Name, iface: true, display: ttDisplay(d.Name, args), file: scope.file(), pos: d.P}
		dctx := &ttCtx{scope: scope, env: env}
		o.init = func() error { return r.initClass(o, d.Class, dctx) }
		r.inst[k] = o
		return o, nil
	}
	return nil, ttErrf(ctx.file(), n.P, "%s is not a type", n.Name)
}

func (r *ttResolver) keys(args []ttType) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = r.key(a, 0)
	}
	return strings.Join(parts, ",")
}

func ttDisplay(name string, args []ttType) string {
	if len(args) == 0 {
		return name
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = ttShow(a, 1)
	}
	return name + "<" + strings.Join(parts, ", ") + ">"
}

// bind pairs a declaration's type parameters with the arguments, defaults
// filling the missing ones.
func (r *ttResolver) bind(ctx *ttCtx, n *tsyntax.TypeRef, name string, params []*tsyntax.TypeParam, args []ttType, scope tsScope) (map[string]ttType, error) {
	if len(args) > len(params) {
		if len(params) == 0 {
			return nil, ttErrf(ctx.file(), n.P, "%s is not generic", name)
		}
		return nil, ttErrf(ctx.file(), n.P, "%s takes %d type argument(s), not %d", name, len(params), len(args))
	}
	if len(params) == 0 {
		return nil, nil
	}
	env := make(map[string]ttType, len(params))
	for i, p := range params {
		if i < len(args) {
			env[p.Name] = args[i]
			continue
		}
		if p.Default == nil {
			return nil, ttErrf(ctx.file(), n.P, "%s needs %d type argument(s)", name, len(params))
		}
		t, err := r.resolve(&ttCtx{scope: scope, env: env}, p.Default)
		if err != nil {
			return nil, err
		}
		env[p.Name] = t
	}
	return env, nil
}

// ---- members ----

// ensure reads an object's members once.
func (r *ttResolver) ensure(o *ttObj) error {
	if o.initDone {
		return o.initErr
	}
	if o.busy {
		return ttErrf(o.file, o.pos, "%s is defined in terms of itself (it extends itself, directly or through its bases)", ttShow(o, 0))
	}
	o.busy = true
	r.step()
	err := o.init()
	o.busy = false
	o.initDone, o.initErr = true, err
	return err
}

// initMembers reads the members of an interface body or type literal.
// prevLine is the line of the token before the first member, for the
// checker's rule that a doc comment counts only after a line break.
func (r *ttResolver) initMembers(o *ttObj, members []tsyntax.TypeMember, ctx *ttCtx, prevLine int) error {
	seen := ttPropSet{list: &o.props}
	for _, m := range members {
		switch m := m.(type) {
		case *tsyntax.PropSig:
			name, ok := ttMemberName(m.Name, m.Computed)
			if ok && seen.get(name) == nil {
				p := r.lazyProp(ctx, name, m.Optional, m.Type, m.P)
				p.readonly = m.Readonly
				p.docs = ttDocOf(m.Doc, m.P, prevLine)
				seen.add(p)
			}
			prevLine = m.P.Line
		case *tsyntax.MethodSig:
			name, ok := ttMemberName(m.Name, m.Computed)
			if ok && seen.get(name) == nil {
				var p *ttProp
				switch {
				case m.Kind == "get" && m.Func != nil && m.Func.Return != nil:
					p = r.lazyProp(ctx, name, m.Optional, m.Func.Return, m.P)
				case m.Kind == "set" && m.Func != nil && len(m.Func.Params) == 1 && m.Func.Params[0].Type != nil:
					p = r.lazyProp(ctx, name, m.Optional, m.Func.Params[0].Type, m.P)
				default:
					p = &ttProp{name: name, optional: m.Optional, typ: ttFunc(), done: true, file: ctx.file(), pos: m.P}
				}
				seen.add(p)
			}
			prevLine = m.P.Line
		case *tsyntax.IndexSig:
			k, err := r.resolve(ctx, m.Key)
			if err != nil {
				return err
			}
			vn := m.Value
			o.index = append(o.index, ttIndex{key: k, value: r.lazyType(ctx, vn), file: ctx.file(), pos: m.P})
			prevLine = m.P.Line
		default:
			prevLine = m.Position().Line
		}
	}
	return nil
}

// ttMemberName is a member's property name: an identifier, string or
// number key, or a computed key that is a string or number literal.
func ttMemberName(name string, computed tsyntax.Expr) (string, bool) {
	if computed == nil {
		return name, true
	}
	switch c := computed.(type) {
	case *tsyntax.StringLit:
		return c.Value, true
	case *tsyntax.NumberLit:
		if v, ok := ttParseNumber(strings.ReplaceAll(c.Text, "_", "")); ok {
			return ttNumText(v), true
		}
	case *tsyntax.Template:
		if len(c.Exprs) == 0 && len(c.Cooked) == 1 && c.Cooked[0] != nil {
			return *c.Cooked[0], true
		}
	}
	return "", false
}

func (r *ttResolver) lazyProp(ctx *ttCtx, name string, optional bool, node tsyntax.Type, pos tsyntax.Pos) *ttProp {
	p := &ttProp{name: name, optional: optional, node: node, file: ctx.file(), pos: pos, ctx: ctx}
	if node == nil {
		p.typ, p.done = ttAny, true
	}
	return p
}

func (r *ttResolver) lazyType(ctx *ttCtx, n tsyntax.Type) func() (ttType, error) {
	var t ttType
	var err error
	done := false
	return func() (ttType, error) {
		if !done {
			done = true
			if n == nil {
				t = ttAny
			} else {
				t, err = r.resolve(ctx, n)
			}
		}
		return t, err
	}
}

// propType is a property's declared type (without the undefined its
// optionality adds).
func (r *ttResolver) propType(p *ttProp) (ttType, error) {
	if !p.done {
		if p.busy {
			return nil, ttErrf(p.file, p.pos, "the type of %s refers to itself", p.name)
		}
		p.busy = true
		if p.lazy != nil {
			p.typ, p.err = p.lazy()
		} else {
			p.typ, p.err = r.resolve(p.ctx, p.node)
		}
		p.busy, p.done = false, true
	}
	return p.typ, p.err
}

// fullType is a property's type as the checker reads it at its declaration.
func (r *ttResolver) fullType(p *ttProp) (ttType, error) {
	if p.full != nil {
		return p.full, nil
	}
	t, err := r.propType(p)
	if err != nil {
		return nil, err
	}
	p.full = ttWithUndefined(t, p.optional)
	return p.full, nil
}

func (r *ttResolver) initInterface(o *ttObj, d *tsyntax.InterfaceDecl, ctx *ttCtx) error {
	if err := r.initMembers(o, d.Members, ctx, d.P.Line); err != nil {
		return err
	}
	var bases []ttType
	for _, ref := range d.Extends {
		bt, err := r.resolve(ctx, ref)
		if err != nil {
			return err
		}
		bases = append(bases, bt)
	}
	return r.inherit(o, bases)
}

// inherit adds the bases' properties an object does not declare itself,
// after its own, base by base (the checker's order); a property declared
// again keeps its own position and, without a doc comment of its own, the
// base's documentation (as the language service's lookup does).
func (r *ttResolver) inherit(o *ttObj, bases []ttType) error {
	own := ttPropSet{list: &o.props}
	ownCount := len(o.props)
	for _, bt := range bases {
		if r.isDate(bt) {
			o.dateLike = true
			continue
		}
		bprops, err := r.propsOf(bt)
		if err != nil {
			return err
		}
		for _, bp := range bprops {
			if p := own.get(bp.name); p != nil {
				if p.docs == nil && p.inheritedFrom == nil && r.indexOfProp(o, p) < ownCount {
					p.inheritedFrom = bp
				}
				continue
			}
			own.add(bp)
		}
		bidx, err := r.indexOf(bt)
		if err != nil {
			return err
		}
		for _, bi := range bidx {
			dup := false
			for _, oi := range o.index {
				if ttFamily(oi.key) == ttFamily(bi.key) {
					dup = true
				}
			}
			if !dup {
				o.index = append(o.index, bi)
			}
		}
	}
	return nil
}

func (r *ttResolver) indexOfProp(o *ttObj, p *ttProp) int {
	for i, q := range o.props {
		if q == p {
			return i
		}
	}
	return -1
}

// docsOf is a property's documentation: its own, or what it inherits.
func (r *ttResolver) docsOf(p *ttProp) []string {
	for i := 0; p != nil && i < 64; i++ {
		if p.docs != nil {
			return p.docs
		}
		p = p.inheritedFrom
	}
	return nil
}

func (r *ttResolver) initClass(o *ttObj, c *tsyntax.Class, ctx *ttCtx) error {
	seen := map[string]bool{}
	add := func(p *ttProp) {
		if seen[p.name] {
			return
		}
		seen[p.name] = true
		o.props = append(o.props, p)
	}
	prevLine := c.P.Line
	for _, m := range c.Members {
		static := false
		private := false
		for _, mod := range m.Modifiers {
			if mod == "static" {
				static = true
			}
		}
		if _, ok := m.Name.(*tsyntax.PrivateName); ok {
			private = true
		}
		switch {
		case m.Kind == "constructor" && m.Func != nil:
			for _, prm := range m.Func.Params {
				if len(prm.Modifiers) == 0 {
					continue
				}
				id, ok := prm.Name.(*tsyntax.Ident)
				if !ok {
					continue
				}
				p := r.lazyProp(ctx, id.Name, prm.Optional, prm.Type, prm.P)
				if prm.Type == nil && prm.Default != nil {
					p.typ, p.lazy = nil, nil
					p.done = false
					dflt := prm.Default
					p.lazy = func() (ttType, error) { return ttInferInit(ctx, dflt, id.Name) }
				}
				add(p)
			}
		case static || private || m.Kind == "index" || m.Kind == "static-block":
		case m.Kind == "property":
			name, ok := ttClassMemberName(m.Name)
			if !ok {
				break
			}
			var p *ttProp
			if m.Type == nil && m.Init != nil {
				p = &ttProp{name: name, optional: m.Optional, file: ctx.file(), pos: m.P}
				init := m.Init
				p.lazy = func() (ttType, error) { return ttInferInit(ctx, init, name) }
			} else {
				p = r.lazyProp(ctx, name, m.Optional, m.Type, m.P)
			}
			add(p)
		case m.Kind == "get" || m.Kind == "set":
			name, ok := ttClassMemberName(m.Name)
			if !ok || m.Func == nil {
				break
			}
			var tn tsyntax.Type
			if m.Kind == "get" {
				tn = m.Func.Return
			} else if len(m.Func.Params) == 1 {
				tn = m.Func.Params[0].Type
			}
			if tn == nil {
				add(&ttProp{name: name, typ: ttAny, done: true, file: ctx.file(), pos: m.P})
			} else {
				add(r.lazyProp(ctx, name, false, tn, m.P))
			}
		case m.Kind == "method":
			name, ok := ttClassMemberName(m.Name)
			if ok {
				add(&ttProp{name: name, optional: m.Optional, typ: ttFunc(), done: true, file: ctx.file(), pos: m.P})
			}
		}
		prevLine = m.P.Line
	}
	_ = prevLine
	if c.Extends != nil {
		name := ttExprName(c.Extends)
		if name == "" {
			return ttErrf(ctx.file(), c.Extends.Position(), "a class that extends an expression cannot be read statically")
		}
		bt, err := r.ref(ctx, &tsyntax.TypeRef{P: c.Extends.Position(), Name: name, Args: c.ExtendsArg})
		if err != nil {
			return err
		}
		return r.inherit(o, []ttType{bt})
	}
	return nil
}

func ttClassMemberName(e tsyntax.Expr) (string, bool) {
	switch n := e.(type) {
	case *tsyntax.Ident:
		return n.Name, true
	case *tsyntax.StringLit:
		return n.Value, true
	case *tsyntax.NumberLit:
		return ttMemberName("", n)
	case *tsyntax.Computed:
		return ttMemberName("", n.Expr)
	}
	return "", false
}

// ttExprName is the dotted name of an identifier or member expression.
func ttExprName(e tsyntax.Expr) string {
	switch n := e.(type) {
	case *tsyntax.Ident:
		return n.Name
	case *tsyntax.Member:
		if h := ttExprName(n.X); h != "" {
			return h + "." + n.Name
		}
	case *tsyntax.Paren:
		return ttExprName(n.X)
	}
	return ""
}

// ttInferInit is the type the checker infers for a class property from its
// initialiser, for the simple cases (literals widen to their primitive).
func ttInferInit(ctx *ttCtx, e tsyntax.Expr, name string) (ttType, error) {
	switch x := e.(type) {
	case *tsyntax.StringLit, *tsyntax.Template:
		return ttString, nil
	case *tsyntax.NumberLit:
		if strings.HasSuffix(x.Text, "n") {
			return ttBigint, nil
		}
		return ttNumber, nil
	case *tsyntax.BoolLit:
		return ttBoolean, nil
	case *tsyntax.Unary:
		if x.Op == "-" || x.Op == "+" {
			return ttInferInit(ctx, x.X, name)
		}
		if x.Op == "!" {
			return ttBoolean, nil
		}
	case *tsyntax.New:
		if id, ok := x.Callee.(*tsyntax.Ident); ok && id.Name == "Date" {
			return ttDate(), nil
		}
	case *tsyntax.ArrayLit:
		if len(x.Elems) > 0 && x.Elems[0] != nil {
			t, err := ttInferInit(ctx, x.Elems[0], name)
			if err != nil {
				return nil, err
			}
			return ttArray(t), nil
		}
	case *tsyntax.AsExpr:
		if x.Type != nil {
			r := newTTResolver()
			return r.resolve(ctx, x.Type)
		}
	}
	return nil, ttErrf(ctx.file(), e.Position(), "the property %s needs a type annotation (its initialiser's type is not inferred statically)", name)
}

// ---- properties of a type (the checker's getPropertiesOfType) ----

func (r *ttResolver) propsOf(t ttType) ([]*ttProp, error) {
	r.step()
	switch x := t.(type) {
	case *ttObj:
		if x.kind != ttPlain {
			return nil, nil
		}
		if err := r.ensure(x); err != nil {
			return nil, err
		}
		return x.props, nil
	case *ttInter:
		if !x.cache.done {
			x.cache.props, x.cache.err = r.interProps(x)
			x.cache.done = true
		}
		return x.cache.props, x.cache.err
	case *ttUnion:
		if !x.cache.done {
			x.cache.props, x.cache.err = r.unionProps(x)
			x.cache.done = true
		}
		return x.cache.props, x.cache.err
	}
	return nil, nil
}

func (r *ttResolver) interProps(x *ttInter) ([]*ttProp, error) {
	{
		var order []string
		groups := map[string][]*ttProp{}
		for _, m := range x.types {
			ps, err := r.propsOf(m)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				if _, ok := groups[p.name]; !ok {
					order = append(order, p.name)
				}
				groups[p.name] = append(groups[p.name], p)
			}
		}
		out := make([]*ttProp, 0, len(order))
		for _, name := range order {
			g := groups[name]
			if len(g) == 1 {
				out = append(out, g[0])
				continue
			}
			out = append(out, r.mergeProps(g, true))
		}
		return out, nil
	}
}

func (r *ttResolver) unionProps(x *ttUnion) ([]*ttProp, error) {
	{
		var first []*ttProp
		var rest [][]*ttProp
		for i, m := range x.types {
			ps, err := r.propsOf(m)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				first = ps
			} else {
				rest = append(rest, ps)
			}
		}
		var out []*ttProp
		for _, p := range first {
			g := []*ttProp{p}
			all := true
			for _, ps := range rest {
				var found *ttProp
				for _, q := range ps {
					if q.name == p.name {
						found = q
						break
					}
				}
				if found == nil {
					all = false
					break
				}
				g = append(g, found)
			}
			if all {
				out = append(out, r.mergeProps(g, false))
			}
		}
		return out, nil
	}
}

// mergeProps is the property of an intersection (or union) that several
// constituents declare: its type the intersection (union) of theirs, its
// declaration the first one's, its documentation all of theirs.
func (r *ttResolver) mergeProps(g []*ttProp, inter bool) *ttProp {
	if len(g) == 1 {
		return g[0]
	}
	m := &ttProp{name: g[0].name, node: g[0].node, file: g[0].file, pos: g[0].pos}
	m.optional = inter
	for _, p := range g {
		if inter {
			m.optional = m.optional && p.optional
		} else {
			m.optional = m.optional || p.optional
		}
		for _, d := range r.docsOf(p) {
			dup := false
			for _, e := range m.docs {
				if e == d {
					dup = true
				}
			}
			if !dup {
				m.docs = append(m.docs, d)
			}
		}
	}
	m.lazy = func() (ttType, error) {
		ts := make([]ttType, 0, len(g))
		for _, p := range g {
			t, err := r.propType(p)
			if err != nil {
				return nil, err
			}
			ts = append(ts, t)
		}
		if inter {
			return ttMkInter(ts...), nil
		}
		return ttMkUnion(ts...), nil
	}
	return m
}

// getProperty is the checker's Type.getProperty.
func (r *ttResolver) getProperty(t ttType, name string) (*ttProp, error) {
	ps, err := r.propsOf(t)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.name == name {
			return p, nil
		}
	}
	return nil, nil
}

// getPropertyDeep is the plugin's getPropertyDeep (a direct property, else
// one of an intersection's constituents').
func (r *ttResolver) getPropertyDeep(t ttType, name string) (*ttProp, error) {
	p, err := r.getProperty(t, name)
	if p != nil || err != nil {
		return p, err
	}
	if i, ok := t.(*ttInter); ok {
		for _, m := range i.types {
			if p, err := r.getPropertyDeep(m, name); p != nil || err != nil {
				return p, err
			}
		}
	}
	return nil, nil
}

// markerType is the non-nullable type of a property, the way the plugin
// reads every marker: nil when the property is absent.
func (r *ttResolver) markerType(p *ttProp) (ttType, error) {
	if p == nil {
		return nil, nil
	}
	t, err := r.fullType(p)
	if err != nil {
		return nil, err
	}
	return ttNonNull(t), nil
}

// indexOf is the checker's getIndexInfosOfType.
func (r *ttResolver) indexOf(t ttType) ([]ttIndex, error) {
	switch x := t.(type) {
	case *ttObj:
		switch x.kind {
		case ttPlain:
			if err := r.ensure(x); err != nil {
				return nil, err
			}
			return x.index, nil
		case ttArrayK, ttTupleK:
			// an array's or tuple's number index, made once
			if x.index == nil {
				v := x.elem
				if x.kind == ttTupleK {
					v = ttTupleUnion(x)
				}
				x.index = []ttIndex{{key: ttNumber, value: func() (ttType, error) { return v, nil }}}
			}
			return x.index, nil
		}
	case *ttInter:
		var out []ttIndex
		for _, m := range x.types {
			is, err := r.indexOf(m)
			if err != nil {
				return nil, err
			}
			for _, ix := range is {
				merged := false
				for j, o := range out {
					if ttFamily(o.key) == ttFamily(ix.key) {
						a, b := o.value, ix.value
						out[j].value = func() (ttType, error) {
							av, err := a()
							if err != nil {
								return nil, err
							}
							bv, err := b()
							if err != nil {
								return nil, err
							}
							return ttMkInter(av, bv), nil
						}
						merged = true
					}
				}
				if !merged {
					out = append(out, ix)
				}
			}
		}
		return out, nil
	case *ttUnion:
		var out []ttIndex
		for i, m := range x.types {
			is, err := r.indexOf(m)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				out = append(out, is...)
				continue
			}
			var keep []ttIndex
			for _, o := range out {
				for _, ix := range is {
					if ttFamily(o.key) == ttFamily(ix.key) {
						a, b := o.value, ix.value
						keep = append(keep, ttIndex{key: o.key, value: func() (ttType, error) {
							av, err := a()
							if err != nil {
								return nil, err
							}
							bv, err := b()
							if err != nil {
								return nil, err
							}
							return ttMkUnion(av, bv), nil
						}})
					}
				}
			}
			out = keep
		}
		return out, nil
	}
	return nil, nil
}

// ttTupleUnion is a tuple's element type: the union of its elements
// (optional ones with undefined).
func ttTupleUnion(x *ttObj) ttType {
	ts := make([]ttType, 0, len(x.elems))
	for _, e := range x.elems {
		ts = append(ts, ttWithUndefined(e.typ, e.optional))
	}
	return ttMkUnion(ts...)
}

// numberIndexType is the checker's getNumberIndexType.
func (r *ttResolver) numberIndexType(t ttType) (ttType, error) {
	is, err := r.indexOf(t)
	if err != nil {
		return nil, err
	}
	for _, ix := range is {
		if ttFamily(ix.key) == "number" {
			return ix.value()
		}
	}
	return nil, nil
}

// ---- the checks the plugin asks the checker for ----

// assignPrim is isTypeAssignableTo(t, string|number|boolean).
func (r *ttResolver) assignPrim(t ttType, fam string) bool {
	switch x := t.(type) {
	case *ttPrim:
		return x == ttNever || x == ttAny || x.name == fam
	case *ttLit, *ttEnumMember, *ttTemplate:
		return ttFamily(t) == fam
	case *ttEnum:
		if len(x.values) == 0 {
			return fam == "number"
		}
		for _, m := range x.values {
			if ttFamily(m) != fam {
				return false
			}
		}
		return true
	case *ttUnion:
		for _, m := range x.types {
			if !r.assignPrim(m, fam) {
				return false
			}
		}
		return true
	case *ttInter:
		for _, m := range x.types {
			if r.assignPrim(m, fam) {
				return true
			}
		}
	}
	return false
}

// isDate is isTypeAssignableTo(t, Date).
func (r *ttResolver) isDate(t ttType) bool {
	switch x := t.(type) {
	case *ttPrim:
		return x == ttNever || x == ttAny
	case *ttObj:
		if x.kind == ttDateK {
			return true
		}
		if x.kind == ttPlain && x.iface {
			if r.ensure(x) == nil {
				return x.dateLike
			}
		}
	case *ttUnion:
		for _, m := range x.types {
			if !r.isDate(m) {
				return false
			}
		}
		return true
	case *ttInter:
		for _, m := range x.types {
			if r.isDate(m) {
				return true
			}
		}
	}
	return false
}

// isLitStr is the plugin's isStringLiteral: assignable to the literal type.
func (r *ttResolver) isLitStr(t ttType, s string) bool {
	switch x := t.(type) {
	case *ttPrim:
		return x == ttNever || x == ttAny
	case *ttLit:
		return x.kind == 's' && x.s == s
	case *ttUnion:
		for _, m := range x.types {
			if !r.isLitStr(m, s) {
				return false
			}
		}
		return true
	case *ttInter:
		for _, m := range x.types {
			if r.isLitStr(m, s) {
				return true
			}
		}
	}
	return false
}

// ---- keyof, indexed access, conditional and mapped types ----

func (r *ttResolver) keyof(t ttType) (ttType, error) {
	ps, err := r.propsOf(t)
	if err != nil {
		return nil, err
	}
	var ks []ttType
	for _, p := range ps {
		ks = append(ks, ttStr(p.name))
	}
	is, err := r.indexOf(t)
	if err != nil {
		return nil, err
	}
	for _, ix := range is {
		switch ttFamily(ix.key) {
		case "string":
			ks = append(ks, ttString, ttNumber)
		case "number":
			ks = append(ks, ttNumber)
		}
	}
	return ttMkUnion(ks...), nil
}

func (r *ttResolver) indexed(ctx *ttCtx, n *tsyntax.IndexedType) (ttType, error) {
	obj, err := r.resolve(ctx, n.Object)
	if err != nil {
		return nil, err
	}
	idx, err := r.resolve(ctx, n.Index)
	if err != nil {
		return nil, err
	}
	return r.access(ctx, n, obj, idx)
}

func (r *ttResolver) access(ctx *ttCtx, n *tsyntax.IndexedType, obj, idx ttType) (ttType, error) {
	switch ix := idx.(type) {
	case *ttUnion:
		var out []ttType
		for _, m := range ix.types {
			t, err := r.access(ctx, n, obj, m)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		return ttMkUnion(out...), nil
	case *ttLit:
		name := ix.s
		if ix.kind == 'n' {
			if o, ok := obj.(*ttObj); ok && o.kind == ttTupleK {
				i := int(ix.n)
				if float64(i) == ix.n && i >= 0 && i < len(o.elems) {
					return ttWithUndefined(o.elems[i].typ, o.elems[i].optional), nil
				}
				return nil, ttErrf(ctx.file(), n.P, "the tuple has no element %s", ttNumText(ix.n))
			}
			name = ttNumText(ix.n)
		} else if ix.kind != 's' {
			break
		}
		p, err := r.getProperty(obj, name)
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, ttErrf(ctx.file(), n.P, "%s has no property %q", ttShow(obj, 0), name)
		}
		return r.fullType(p)
	case *ttPrim:
		if ix == ttNumber || ix == ttString {
			if ix == ttNumber {
				if t, err := r.numberIndexType(obj); t != nil || err != nil {
					return t, err
				}
			}
			is, err := r.indexOf(obj)
			if err != nil {
				return nil, err
			}
			for _, i := range is {
				if ttFamily(i.key) == ix.name {
					return i.value()
				}
			}
		}
	}
	return nil, ttErrf(ctx.file(), n.P, "this indexed access type cannot be read statically")
}

func (r *ttResolver) conditional(ctx *ttCtx, n *tsyntax.ConditionalType) (ttType, error) {
	check, err := r.resolve(ctx, n.Check)
	if err != nil {
		return nil, err
	}
	// distributive over a naked type parameter
	if ref, ok := n.Check.(*tsyntax.TypeRef); ok && len(ref.Args) == 0 {
		if _, isParam := ctx.env[ref.Name]; isParam {
			if u, ok := check.(*ttUnion); ok {
				var out []ttType
				for _, m := range u.types {
					env := make(map[string]ttType, len(ctx.env))
					for k, v := range ctx.env {
						env[k] = v
					}
					env[ref.Name] = m
					t, err := r.conditional(&ttCtx{scope: ctx.scope, env: env}, n)
					if err != nil {
						return nil, err
					}
					out = append(out, t)
				}
				return ttMkUnion(out...), nil
			}
			if check == ttNever {
				return ttNever, nil
			}
		}
	}
	ext, err := r.resolve(ctx, n.Extends)
	if err != nil {
		return nil, err
	}
	ok, known := r.assignable(check, ext, 0)
	if !known {
		return nil, ttErrf(ctx.file(), n.P, "this conditional type cannot be decided statically (%s extends %s)", ttShow(check, 0), ttShow(ext, 0))
	}
	if ok {
		return r.resolve(ctx, n.Then)
	}
	return r.resolve(ctx, n.Else)
}

// assignable is a partial isTypeAssignableTo for conditional types and
// Exclude/Extract: known is false where the answer needs more of the
// checker than this model has.
func (r *ttResolver) assignable(a, b ttType, depth int) (ok, known bool) {
	if depth > 16 {
		return false, false
	}
	if a == b {
		return true, true
	}
	if b == ttAny || b == ttUnknown || a == ttNever {
		return true, true
	}
	if a == ttAny {
		return false, false
	}
	if ua, isU := a.(*ttUnion); isU {
		for _, m := range ua.types {
			ok, known := r.assignable(m, b, depth+1)
			if !known || !ok {
				return ok, known
			}
		}
		return true, true
	}
	if e, isE := a.(*ttEnum); isE {
		for _, m := range e.values {
			ok, known := r.assignable(m, b, depth+1)
			if !known || !ok {
				return ok, known
			}
		}
		return true, true
	}
	switch y := b.(type) {
	case *ttUnion:
		for _, m := range y.types {
			ok, known := r.assignable(a, m, depth+1)
			if !known {
				return false, false
			}
			if ok {
				return true, true
			}
		}
		return false, true
	case *ttEnum:
		if m, isM := a.(*ttEnumMember); isM {
			return m.enum == y, true
		}
		return false, true
	case *ttPrim:
		switch y {
		case ttString, ttNumber, ttBoolean, ttBigint, ttSymbol:
			if ttFamily(a) == y.name {
				return true, true
			}
			if ia, isI := a.(*ttInter); isI {
				return r.assignPrim(ia, y.name), true
			}
			return false, true
		case ttNull, ttUndefined, ttVoid:
			return a == y || (y == ttVoid && a == ttUndefined), true
		case ttNever:
			return false, true
		case ttObjectKw:
			switch a.(type) {
			case *ttObj:
				return true, true
			}
			return false, true
		}
	case *ttLit:
		if la, isL := a.(*ttLit); isL {
			return ttLitKey(la) == ttLitKey(y), true
		}
		return false, true
	case *ttEnumMember:
		return a == y, true
	case *ttObj:
		ao, isO := a.(*ttObj)
		if !isO {
			if ttFamily(a) != "" {
				// a primitive is assignable to an object type only through its apparent type
				if y.kind == ttPlain && r.ensure(y) == nil && len(y.props) == 0 && len(y.index) == 0 {
					return a != ttNull && a != ttUndefined, true
				}
				return false, y.kind != ttPlain
			}
			return false, false
		}
		if y.kind == ttDateK {
			return r.isDate(ao), true
		}
		if y.kind == ttArrayK {
			if ao.kind != ttArrayK && ao.kind != ttTupleK {
				return false, true
			}
			return r.assignable(ttTupleOrElem(ao), y.elem, depth+1)
		}
		if y.kind != ttPlain {
			return false, false
		}
		ps, err := r.propsOf(y)
		if err != nil {
			return false, false
		}
		for _, p := range ps {
			q, err := r.getProperty(ao, p.name)
			if err != nil {
				return false, false
			}
			if q == nil {
				if p.optional {
					continue
				}
				return false, true
			}
			qt, err1 := r.fullType(q)
			pt, err2 := r.fullType(p)
			if err1 != nil || err2 != nil {
				return false, false
			}
			ok, known := r.assignable(qt, pt, depth+1)
			if !known || !ok {
				return ok, known
			}
		}
		return true, true
	}
	return false, false
}

func ttTupleOrElem(o *ttObj) ttType {
	if o.kind == ttArrayK {
		return o.elem
	}
	return ttTupleUnion(o)
}

// mapped reads `{ [K in T]: V }`: over `keyof X` it keeps X's properties,
// their order, declarations and modifiers (a homomorphic mapped type);
// over a union of literals it makes one property each; over string or
// number an index signature.
func (r *ttResolver) mapped(ctx *ttCtx, n *tsyntax.MappedType) (ttType, error) {
	if n.As != nil {
		return nil, ttErrf(ctx.file(), n.P, "a mapped type with an `as` clause is not supported in a model")
	}
	var source ttType // the X of `keyof X`
	if op, ok := n.In.(*tsyntax.TypeOperator); ok && op.Op == "keyof" {
		x, err := r.resolve(ctx, op.Type)
		if err != nil {
			return nil, err
		}
		source = x
	}
	var keys ttType
	if source == nil {
		k, err := r.resolve(ctx, n.In)
		if err != nil {
			return nil, err
		}
		keys = k
	}
	o := &ttObj{kind: ttPlain, name: "__type"}
	template := func(key ttType) (ttType, error) {
		env := make(map[string]ttType, len(ctx.env)+1)
		for k, v := range ctx.env {
			env[k] = v
		}
		env[n.Param] = key
		return r.resolve(&ttCtx{scope: ctx.scope, env: env}, n.Value)
	}
	o.init = func() error {
		if source != nil {
			ps, err := r.propsOf(source)
			if err != nil {
				return err
			}
			for _, p := range ps {
				p := p
				np := &ttProp{name: p.name, node: p.node, docs: r.docsOf(p), file: p.file, pos: p.pos}
				np.optional = ttMapOptional(n.Optional, p.optional)
				if ix, ok := n.Value.(*tsyntax.IndexedType); ok && ttIsParamRef(ix.Index, n.Param) && ttSameSource(ctx, ix.Object, n.In) {
					np.lazy = func() (ttType, error) {
						t, err := r.propType(p)
						if err != nil {
							return nil, err
						}
						if n.Optional == "-?" && p.optional {
							t = ttWithoutUndefined(t)
						}
						return t, nil
					}
				} else {
					name := p.name
					np.lazy = func() (ttType, error) { return template(ttStr(name)) }
				}
				o.props = append(o.props, np)
			}
			is, err := r.indexOf(source)
			if err != nil {
				return err
			}
			for _, ix := range is {
				k := ix.key
				o.index = append(o.index, ttIndex{key: k, value: func() (ttType, error) { return template(k) }})
			}
			return nil
		}
		return r.mappedKeys(o, keys, n.Optional, template, ctx, n.P)
	}
	return o, nil
}

func (r *ttResolver) mappedKeys(o *ttObj, keys ttType, optional string, template func(ttType) (ttType, error), ctx *ttCtx, pos tsyntax.Pos) error {
	var list []ttType
	if u, ok := keys.(*ttUnion); ok {
		list = u.types
	} else {
		list = []ttType{keys}
	}
	seen := map[string]bool{}
	for _, k := range list {
		switch x := k.(type) {
		case *ttLit:
			if x.kind != 's' && x.kind != 'n' {
				return ttErrf(ctx.file(), pos, "a mapped type over %s is not supported", ttShow(k, 0))
			}
			name := x.s
			if x.kind == 'n' {
				name = ttNumText(x.n)
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			kk := k
			o.props = append(o.props, &ttProp{name: name, optional: ttMapOptional(optional, false), file: ctx.file(), pos: pos,
				lazy: func() (ttType, error) { return template(kk) }})
		case *ttEnumMember:
			name := x.s
			if !x.str {
				name = ttNumText(x.n)
			}
			kk := k
			o.props = append(o.props, &ttProp{name: name, optional: ttMapOptional(optional, false), file: ctx.file(), pos: pos,
				lazy: func() (ttType, error) { return template(kk) }})
		case *ttEnum:
			if err := r.mappedKeys(o, &ttUnion{types: ttEnumValues(x)}, optional, template, ctx, pos); err != nil {
				return err
			}
		case *ttPrim:
			switch x {
			case ttString, ttNumber:
				kk := k
				o.index = append(o.index, ttIndex{key: k, value: func() (ttType, error) { return template(kk) }})
			case ttNever:
			default:
				return ttErrf(ctx.file(), pos, "a mapped type over %s is not supported", x.name)
			}
		default:
			return ttErrf(ctx.file(), pos, "a mapped type over %s is not supported", ttShow(k, 0))
		}
	}
	return nil
}

func ttEnumValues(e *ttEnum) []ttType {
	out := make([]ttType, len(e.values))
	for i, m := range e.values {
		out[i] = m
	}
	return out
}

func ttMapOptional(mod string, orig bool) bool {
	switch mod {
	case "?", "+?":
		return true
	case "-?":
		return false
	}
	return orig
}

func ttIsParamRef(n tsyntax.Type, param string) bool {
	ref, ok := n.(*tsyntax.TypeRef)
	return ok && ref.Name == param && len(ref.Args) == 0
}

// ttSameSource reports whether obj is the X of `keyof X` (written the same).
func ttSameSource(ctx *ttCtx, obj tsyntax.Type, in tsyntax.Type) bool {
	op, ok := in.(*tsyntax.TypeOperator)
	if !ok {
		return false
	}
	a, ok1 := obj.(*tsyntax.TypeRef)
	b, ok2 := op.Type.(*tsyntax.TypeRef)
	return ok1 && ok2 && a.Name == b.Name && len(a.Args) == 0 && len(b.Args) == 0
}

func ttWithoutUndefined(t ttType) ttType {
	if u, ok := t.(*ttUnion); ok {
		var keep []ttType
		for _, m := range u.types {
			if m != ttUndefined {
				keep = append(keep, m)
			}
		}
		return ttMkUnion(keep...)
	}
	if t == ttUndefined {
		return ttNever
	}
	return t
}

// ---- enums ----

type ttConst struct {
	str bool
	s   string
	n   float64
}

// enumOf reads an enum declaration: members numbered from 0 or from the
// previous number plus one, initialisers evaluated as constants.
func (r *ttResolver) enumOf(d *tsyntax.EnumDecl, scope tsScope) *ttEnum {
	if e, ok := r.enums[d]; ok {
		return e
	}
	e := &ttEnum{name: d.Name, byName: map[string]*ttEnumMember{}}
	r.enums[d] = e
	file := ""
	if scope != nil {
		file = scope.file()
	}
	vals := map[string]ttConst{}
	var prev *ttConst
	hasStr, hasNum := false, false
	for _, m := range d.Members {
		r.step()
		var v ttConst
		switch {
		case m.Init == nil && prev == nil:
			v = ttConst{n: 0}
		case m.Init == nil && !prev.str:
			v = ttConst{n: prev.n + 1}
		case m.Init == nil:
			e.bad = fmt.Sprintf("the member %s needs an initialiser (it follows a string member)", m.Name)
			e.badFile, e.badPos = file, m.P
			return e
		default:
			c, ok := ttConstEval(m.Init, vals, d.Name, 0)
			if !ok {
				e.bad = fmt.Sprintf("the member %s has a computed value (upstream's plugin accepts only enums of literal values)", m.Name)
				e.badFile, e.badPos = file, m.P
				return e
			}
			v = c
		}
		if v.str {
			hasStr = true
		} else {
			hasNum = true
			if v.n != math.Trunc(v.n) || math.IsInf(v.n, 0) || math.IsNaN(v.n) {
				if e.bad == "" {
					e.bad = fmt.Sprintf("the member %s is %s, not an integer (upstream's plugin accepts only integer or string values)", m.Name, ttNumText(v.n))
					e.badFile, e.badPos = file, m.P
				}
			}
		}
		vals[m.Name] = v
		vv := v
		prev = &vv
		var member *ttEnumMember
		for _, x := range e.values {
			if x.str == v.str && x.s == v.s && (v.str || x.n == v.n) {
				member = x
				break
			}
		}
		if member == nil {
			member = &ttEnumMember{enum: e, name: m.Name, str: v.str, s: v.s, n: v.n}
			e.values = append(e.values, member)
		}
		e.byName[m.Name] = member
	}
	if hasStr && hasNum && e.bad == "" {
		e.bad = "it mixes string and number members (upstream's plugin accepts an enum whose values are all strings or all integers)"
		e.badFile, e.badPos = file, d.P
	}
	return e
}

// ttConstEval evaluates an enum member's initialiser as the checker's
// constant enum evaluation does.
func ttConstEval(e tsyntax.Expr, vals map[string]ttConst, enum string, depth int) (ttConst, bool) {
	if depth > 64 {
		return ttConst{}, false
	}
	switch x := e.(type) {
	case *tsyntax.NumberLit:
		if strings.HasSuffix(x.Text, "n") {
			return ttConst{}, false
		}
		v, ok := ttParseNumber(strings.ReplaceAll(x.Text, "_", ""))
		return ttConst{n: v}, ok
	case *tsyntax.StringLit:
		return ttConst{str: true, s: x.Value}, true
	case *tsyntax.Template:
		if len(x.Exprs) == 0 && len(x.Cooked) == 1 && x.Cooked[0] != nil && x.Tag == nil {
			return ttConst{str: true, s: *x.Cooked[0]}, true
		}
		if x.Tag != nil || len(x.Cooked) != len(x.Exprs)+1 {
			return ttConst{}, false
		}
		var b strings.Builder
		for i, q := range x.Cooked {
			if q == nil {
				return ttConst{}, false
			}
			b.WriteString(*q)
			if i < len(x.Exprs) {
				v, ok := ttConstEval(x.Exprs[i], vals, enum, depth+1)
				if !ok {
					return ttConst{}, false
				}
				b.WriteString(ttConstText(v))
			}
		}
		return ttConst{str: true, s: b.String()}, true
	case *tsyntax.Paren:
		return ttConstEval(x.X, vals, enum, depth+1)
	case *tsyntax.Ident:
		v, ok := vals[x.Name]
		return v, ok
	case *tsyntax.Member:
		if id, ok := x.X.(*tsyntax.Ident); ok && id.Name == enum {
			v, ok := vals[x.Name]
			return v, ok
		}
	case *tsyntax.Index:
		if id, ok := x.X.(*tsyntax.Ident); ok && id.Name == enum {
			if s, ok := x.Index.(*tsyntax.StringLit); ok {
				v, ok := vals[s.Value]
				return v, ok
			}
		}
	case *tsyntax.Unary:
		v, ok := ttConstEval(x.X, vals, enum, depth+1)
		if !ok || v.str {
			return ttConst{}, false
		}
		switch x.Op {
		case "-":
			return ttConst{n: -v.n}, true
		case "+":
			return v, true
		case "~":
			return ttConst{n: float64(^ttToInt32(v.n))}, true
		}
	case *tsyntax.Binary:
		a, ok1 := ttConstEval(x.X, vals, enum, depth+1)
		b, ok2 := ttConstEval(x.Y, vals, enum, depth+1)
		if !ok1 || !ok2 {
			return ttConst{}, false
		}
		if x.Op == "+" && (a.str || b.str) {
			return ttConst{str: true, s: ttConstText(a) + ttConstText(b)}, true
		}
		if a.str || b.str {
			return ttConst{}, false
		}
		switch x.Op {
		case "+":
			return ttConst{n: a.n + b.n}, true
		case "-":
			return ttConst{n: a.n - b.n}, true
		case "*":
			return ttConst{n: a.n * b.n}, true
		case "/":
			return ttConst{n: a.n / b.n}, true
		case "%":
			return ttConst{n: math.Mod(a.n, b.n)}, true
		case "**":
			return ttConst{n: math.Pow(a.n, b.n)}, true
		case "|":
			return ttConst{n: float64(ttToInt32(a.n) | ttToInt32(b.n))}, true
		case "&":
			return ttConst{n: float64(ttToInt32(a.n) & ttToInt32(b.n))}, true
		case "^":
			return ttConst{n: float64(ttToInt32(a.n) ^ ttToInt32(b.n))}, true
		case "<<":
			return ttConst{n: float64(ttToInt32(a.n) << (uint32(ttToInt32(b.n)) & 31))}, true
		case ">>":
			return ttConst{n: float64(ttToInt32(a.n) >> (uint32(ttToInt32(b.n)) & 31))}, true
		case ">>>":
			return ttConst{n: float64(uint32(ttToInt32(a.n)) >> (uint32(ttToInt32(b.n)) & 31))}, true
		}
	}
	return ttConst{}, false
}

func ttConstText(v ttConst) string {
	if v.str {
		return v.s
	}
	return ttNumText(v.n)
}

// ttToInt32 is JavaScript's ToInt32.
func ttToInt32(f float64) int32 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return int32(uint32(int64(math.Mod(math.Trunc(f), 4294967296))))
}

// ttPropSet appends properties to a list, looking names up by scanning
// while the list is short (a model's usual size) and through an index after.
type ttPropSet struct {
	list  *[]*ttProp
	index map[string]*ttProp
}

func (s *ttPropSet) get(name string) *ttProp {
	if s.index != nil {
		return s.index[name]
	}
	for _, p := range *s.list {
		if p.name == name {
			return p
		}
	}
	return nil
}

func (s *ttPropSet) add(p *ttProp) {
	*s.list = append(*s.list, p)
	if s.index == nil && len(*s.list) > 32 {
		s.index = make(map[string]*ttProp, 64)
		for _, q := range *s.list {
			if _, ok := s.index[q.name]; !ok {
				s.index[q.name] = q
			}
		}
		return
	}
	if s.index != nil {
		if _, ok := s.index[p.name]; !ok {
			s.index[p.name] = p
		}
	}
}
