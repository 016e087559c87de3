package parser

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// ---- statements ----

func (m *tsModule) exec(st tsyntax.Stmt) error {
	switch s := st.(type) {
	case *tsyntax.ImportDecl:
		return m.runImport(s)
	case *tsyntax.ImportEquals:
		if b := m.decls[s.Name]; b != nil && b.imp != nil && b.imp.target != nil && m.valueOf[s.Name] {
			return m.prog.run(b.imp.target)
		}
	case *tsyntax.ExportNames:
		if s.From == "" || s.TypeOnly {
			return nil
		}
		if s.Star {
			if t := m.starTarget(s); t != nil {
				return m.prog.run(t)
			}
			return nil
		}
		for _, n := range s.Names {
			if e := m.exports[exportName(n)]; e != nil && e.reexp != nil && e.reexp.target != nil && !e.typeOnly &&
				e.reexp.target.exportIsValue(e.reexp.name, map[*tsModule]bool{}) {
				return m.prog.run(e.reexp.target)
			}
		}
	case *tsyntax.ExportDecl:
		if s.Default {
			if f, ok := s.Decl.(*tsyntax.FuncDecl); ok && f.Name == "" {
				return nil
			}
		}
		return m.exec(s.Decl)
	case *tsyntax.ExportDefault:
		v, err := m.eval(s.Expr)
		if err != nil {
			return err
		}
		b := m.decls["*default*"]
		b.set, b.val = true, v
	case *tsyntax.VarDecl:
		for _, d := range s.Decls {
			var v value = noneVal{}
			if d.Init != nil {
				var err error
				if v, err = m.eval(d.Init); err != nil {
					return err
				}
			}
			if err := m.assign(d.Name, v); err != nil {
				return err
			}
		}
	case *tsyntax.ExprStmt:
		_, err := m.eval(s.Expr)
		return err
	case *tsyntax.Control:
		return m.refuseInside(s, article(s.Kind)+" "+s.Kind+" statement")
	case *tsyntax.Block:
		return m.refuseInside(s, "a block")
	case *tsyntax.ClassDecl:
		return m.refuseStatic(s.Class)
	case *tsyntax.ModuleDecl:
		b := m.decls[s.Name]
		if b == nil || b.ns == nil {
			return nil
		}
		ns := b.ns
		ns.running = true
		for _, st := range ns.ast.Stmts {
			if err := ns.exec(st); err != nil {
				return err
			}
		}
		ns.running, ns.done = false, true
		b.set, b.val = true, tsNamespace{ns}
	}
	return nil
}

// refuseStatic refuses a resource built by a class's static initialisers
// (they run when the class is defined, but only a module-level statement
// is read); methods run later and may build what they like.
func (m *tsModule) refuseStatic(c *tsyntax.Class) error {
	for _, mem := range c.Members {
		static := mem.Kind == "static-block"
		for _, mod := range mem.Modifiers {
			static = static || mod == "static"
		}
		if !static || (mem.Kind != "property" && mem.Kind != "static-block") {
			continue
		}
		for _, part := range []tsyntax.Node{mem.Init, mem.Body} {
			if part == nil || part == tsyntax.Node((*tsyntax.Block)(nil)) {
				continue
			}
			if err := m.refuseInside(part, "a class's static initialiser"); err != nil {
				return err
			}
		}
	}
	return nil
}

func exportName(n tsyntax.ImportName) string {
	if n.Alias != "" {
		return n.Alias
	}
	return n.Name
}

func (m *tsModule) starTarget(s *tsyntax.ExportNames) *tsModule {
	if s.StarAs != "" {
		if e := m.exports[s.StarAs]; e != nil && e.reexp != nil {
			return e.reexp.target
		}
		return nil
	}
	for _, i := range m.stars {
		if i.spec == s.From && i.target != nil {
			return i.target
		}
	}
	return nil
}

// runImport runs the imported module unless the compiler would elide the
// import: one whose names are all types, or unused as values.
func (m *tsModule) runImport(s *tsyntax.ImportDecl) error {
	if s.TypeOnly {
		return nil
	}
	file, isProject, _ := m.prog.resolve(m.mod.file, s.From)
	if !isProject {
		return nil
	}
	target := m.prog.mods[file]
	keep := s.Default == "" && s.Namespace == "" && len(s.Names) == 0 // a side-effect import
	if s.Default != "" && m.valueOf[s.Default] {
		keep = true
	}
	if s.Namespace != "" && m.valueOf[s.Namespace] {
		keep = true
	}
	for _, n := range s.Names {
		local := n.Name
		if n.Alias != "" {
			local = n.Alias
		}
		if !n.TypeOnly && m.valueOf[local] && target.exportIsValue(n.Name, map[*tsModule]bool{}) {
			keep = true
		}
	}
	if !keep {
		return nil
	}
	return m.prog.run(target)
}

// assign binds a declaration's pattern to a value.
func (m *tsModule) assign(p tsyntax.Pattern, v value) error {
	switch x := p.(type) {
	case *tsyntax.Ident:
		b := m.decls[x.Name]
		b.set, b.val = true, v
	case *tsyntax.ObjectPattern:
		for _, pp := range x.Props {
			key := propKey(pp.Key)
			part := m.member(v, key, pp.Key.Position())
			if _, none := part.(noneVal); none && pp.Default != nil {
				var err error
				if part, err = m.eval(pp.Default); err != nil {
					return err
				}
			}
			if err := m.assign(pp.Value, part); err != nil {
				return err
			}
		}
		if x.Rest != nil {
			if err := m.assign(x.Rest, unknownVal{pos: tsPos(x.P), why: "a rest pattern"}); err != nil {
				return err
			}
		}
	case *tsyntax.ArrayPattern:
		items, _ := elements(v)
		for i, e := range x.Elems {
			if e == nil {
				continue
			}
			var part value = unknownVal{pos: tsPos(e.Position()), why: "an element of " + describe(v)}
			if i < len(items) {
				part = items[i]
			}
			if err := m.assign(e, part); err != nil {
				return err
			}
		}
		if x.Rest != nil {
			if err := m.assign(x.Rest, unknownVal{pos: tsPos(x.P), why: "a rest pattern"}); err != nil {
				return err
			}
		}
	}
	return nil
}

// refuseInside refuses a moose-lib resource built inside a statement that
// runs conditionally, repeatedly or later: its existence is known only at
// run time.
func (m *tsModule) refuseInside(n tsyntax.Node, what string) error {
	if p, name, ok := m.createsResource(n); ok {
		return m.errAt(p, "%s inside %s is created at run time: moose-dev reads resources only from module-level statements; define each one at module level", name, what)
	}
	return nil
}

// createsResource finds the first `new <moose-lib resource>` or stream
// method call inside a node.
func (m *tsModule) createsResource(n tsyntax.Node) (tsyntax.Pos, string, bool) {
	var at tsyntax.Pos
	var name string
	tsyntax.Walk(n, func(x tsyntax.Node) bool {
		if name != "" {
			return false
		}
		switch e := x.(type) {
		case *tsyntax.New:
			if q := m.staticRef(e.Callee); tsResourceClasses[q] {
				at, name = e.P, strings.TrimPrefix(q, "moose_lib.")
				return false
			}
		case *tsyntax.Call:
			if mem, ok := e.Callee.(*tsyntax.Member); ok && tsFlowMethods[mem.Name] {
				at, name = e.P, mem.Name+"(...)"
				return false
			}
		}
		return true
	})
	return at, name, name != ""
}

var tsFlowMethods = map[string]bool{"addTransform": true, "addConsumer": true, "addMultiTransform": true}

// staticRef names what an identifier or member chain refers to in the
// library, without evaluating anything ("" when it is not a library name).
func (m *tsModule) staticRef(e tsyntax.Expr) string {
	switch x := e.(type) {
	case *tsyntax.Ident:
		if b, ok := m.decls[x.Name]; ok && b.imp != nil && b.imp.target == nil {
			return libQual(b.imp.lib, b.imp.name)
		}
	case *tsyntax.Member:
		if base := m.staticRef(x.X); base != "" {
			return base + "." + x.Name
		}
	case *tsyntax.Paren:
		return m.staticRef(x.X)
	}
	return ""
}

// libQual is the canonical name of a library export: moose-lib's names
// are the values the Python front end knows as moose_lib.X.
func libQual(lib, name string) string {
	root := lib
	if isMooseLib(lib) {
		root = "moose_lib"
	}
	if name == "*" || name == "" {
		return root
	}
	return root + "." + name
}

func isMooseLib(spec string) bool {
	return spec == "@514labs/moose-lib" || strings.HasPrefix(spec, "@514labs/moose-lib/")
}

// ---- values ----

// funcValue is a function defined in the project: calling it at module
// level is refused when its body builds a resource.
func (m *tsModule) funcValue(name string, f *tsyntax.Func, p tsyntax.Pos) value {
	fv := funcVal{name: name, file: m.mod.file}
	if f != nil {
		fv.ts = &tsFunc{m: m, f: f}
		for _, part := range []tsyntax.Node{f.Body, f.ExprBody} {
			if part == nil || part == tsyntax.Node((*tsyntax.Block)(nil)) {
				continue
			}
			if at, what, ok := m.createsResource(part); ok && fv.creates == nil {
				fv.creates = &Token{Text: what, Pos: tsPos(at)}
			}
		}
	}
	if fv.name == "" {
		fv.name = "an anonymous function"
	}
	return fv
}

func (m *tsModule) lookupValue(id *tsyntax.Ident) (value, error) {
	b, ok := m.decls[id.Name]
	if !ok {
		if v := tsGlobal(id); v != nil {
			return v, nil
		}
		return nil, m.errAt(id.P, "cannot find name %q: it is neither declared nor imported in this file", id.Name)
	}
	switch {
	case b.imp != nil:
		return m.importValue(b.imp, id.P)
	case b.isVar:
		if !b.set {
			return nil, m.errAt(id.P, "%s is used before its declaration has run", id.Name)
		}
		return b.val, nil
	case b.enum != nil:
		return m.enumValue(b.enum)
	case b.class != nil:
		return classVal{name: b.class.Name}, nil
	}
	return nil, m.errAt(id.P, "%s is a type, used here as a value", id.Name)
}

// tsGlobal is a name the JavaScript runtime provides (nil for an unknown
// name).
func tsGlobal(id *tsyntax.Ident) value {
	switch id.Name {
	case "undefined":
		return noneVal{}
	case "NaN":
		return floatVal(math.NaN())
	case "Infinity":
		return floatVal(math.Inf(1))
	}
	if jsGlobals[id.Name] {
		return extRef{"js." + id.Name}
	}
	return nil
}

var jsGlobals = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`globalThis this super arguments console process require module exports __dirname __filename
		JSON Math Date Object Array String Number Boolean Symbol BigInt Promise Error TypeError RangeError SyntaxError
		Map Set WeakMap WeakSet WeakRef RegExp Reflect Proxy Intl ArrayBuffer SharedArrayBuffer DataView Atomics
		Int8Array Uint8Array Uint8ClampedArray Int16Array Uint16Array Int32Array Uint32Array Float32Array Float64Array
		BigInt64Array BigUint64Array parseInt parseFloat isNaN isFinite encodeURI encodeURIComponent decodeURI
		decodeURIComponent escape unescape eval setTimeout clearTimeout setInterval clearInterval setImmediate
		clearImmediate queueMicrotask structuredClone Buffer URL URLSearchParams TextEncoder TextDecoder fetch
		Headers Request Response AbortController AbortSignal crypto performance atob btoa Event EventTarget
		FormData Blob File ReadableStream WritableStream TransformStream global`) {
		jsGlobals[n] = true
	}
}

func (m *tsModule) importValue(i *tsImport, at tsyntax.Pos) (value, error) {
	if i.target == nil {
		return extRef{libQual(i.lib, i.name)}, nil
	}
	if i.name == "*" {
		return tsNamespace{i.target}, nil
	}
	return i.target.exportValue(i.name, at, map[*tsModule]bool{}, m)
}

// exportValue reads an export of a module (running it first when the
// compiler had elided the import that should have run it).
func (m *tsModule) exportValue(name string, at tsyntax.Pos, seen map[*tsModule]bool, from *tsModule) (value, error) {
	if seen[m] {
		return nil, from.errAt(at, "%q is exported in a cycle of re-exports", name)
	}
	seen[m] = true
	if !m.done && !m.running {
		if err := m.prog.run(m); err != nil {
			return nil, err
		}
	}
	if e, ok := m.exports[name]; ok {
		if e.reexp != nil {
			return e.reexp.from.importValue(e.reexp, at)
		}
		b, ok := m.decls[e.local]
		if !ok {
			return nil, from.errAt(at, "%s exports %q, which it does not define", m.mod.file, name)
		}
		if b.imp != nil {
			return m.importValue(b.imp, at)
		}
		if b.isVar && !b.set {
			return nil, from.errAt(at, "%q from %s is used before its declaration has run (an import cycle?)", name, m.mod.file)
		}
		if b.isVar {
			return b.val, nil
		}
		if b.enum != nil {
			return m.enumValue(b.enum)
		}
		if b.class != nil {
			return classVal{name: b.class.Name}, nil
		}
		return nil, from.errAt(at, "%q from %s is a type, used here as a value", name, m.mod.file)
	}
	for _, s := range m.stars {
		if s.target != nil && s.target.hasExport(name, map[*tsModule]bool{}) {
			return s.target.exportValue(name, at, seen, from)
		}
		if s.target == nil {
			continue
		}
	}
	return nil, from.errAt(at, "module %s has no export %q", m.mod.file, name)
}

func (m *tsModule) hasExport(name string, seen map[*tsModule]bool) bool {
	if seen[m] {
		return false
	}
	seen[m] = true
	if _, ok := m.exports[name]; ok {
		return true
	}
	for _, s := range m.stars {
		if s.target != nil && s.target.hasExport(name, seen) {
			return true
		}
	}
	return false
}

// enumValue evaluates a TS enum: numeric members count up from the last
// number, string members are as written.
func (m *tsModule) enumValue(d *tsyntax.EnumDecl) (value, error) {
	ev := &enumVal{name: d.Name}
	next, numeric := int64(0), true
	for _, mem := range d.Members {
		if mem.Init == nil {
			if !numeric {
				return nil, m.errAt(mem.P, "enum %s: member %s needs a value after a string member", d.Name, mem.Name)
			}
			ev.members = append(ev.members, infra.EnumMember{Name: mem.Name, Value: infra.EnumValue{Int: &[]int64{next}[0]}})
			next++
			continue
		}
		v, err := m.eval(mem.Init)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case intVal:
			n := int64(x)
			ev.members = append(ev.members, infra.EnumMember{Name: mem.Name, Value: infra.EnumValue{Int: &n}})
			next, numeric = n+1, true
		case strVal:
			s := string(x)
			ev.members = append(ev.members, infra.EnumMember{Name: mem.Name, Value: infra.EnumValue{Str: &s}})
			numeric = false
		default:
			return nil, m.errAt(mem.P, "enum %s: member %s must be a number or a string known before the program runs, found %s", d.Name, mem.Name, describe(v))
		}
	}
	return ev, nil
}

// ---- expressions ----

func (m *tsModule) eval(e tsyntax.Expr) (value, error) {
	switch x := e.(type) {
	case *tsyntax.Ident:
		return m.lookupValue(x)
	case *tsyntax.StringLit:
		return strVal(x.Value), nil
	case *tsyntax.NumberLit:
		return tsNumber(x.Text), nil
	case *tsyntax.BoolLit:
		return boolVal(x.Value), nil
	case *tsyntax.NullLit:
		return noneVal{}, nil
	case *tsyntax.Paren:
		return m.eval(x.X)
	case *tsyntax.AsExpr:
		return m.eval(x.X)
	case *tsyntax.NonNull:
		return m.eval(x.X)
	case *tsyntax.Template:
		return m.template(x)
	case *tsyntax.ArrayLit:
		out := listVal{}
		for _, el := range x.Elems {
			if el == nil {
				out = append(out, noneVal{})
				continue
			}
			if sp, ok := el.(*tsyntax.Spread); ok {
				v, err := m.eval(sp.Arg)
				if err != nil {
					return nil, err
				}
				items, ok := elements(v)
				if !ok {
					return unknownVal{pos: tsPos(sp.P), why: "a spread of " + describe(v)}, nil
				}
				out = append(out, items...)
				continue
			}
			v, err := m.eval(el)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case *tsyntax.ObjectLit:
		return m.object(x)
	case *tsyntax.Member:
		base, err := m.eval(x.X)
		if err != nil {
			return nil, err
		}
		return m.member(base, x.Name, x.NamePos), nil
	case *tsyntax.Index:
		base, err := m.eval(x.X)
		if err != nil {
			return nil, err
		}
		idx, err := m.eval(x.Index)
		if err != nil {
			return nil, err
		}
		switch k := idx.(type) {
		case strVal:
			return m.member(base, string(k), x.Index.Position()), nil
		case intVal:
			if items, ok := elements(base); ok && int(k) >= 0 && int(k) < len(items) {
				return items[k], nil
			}
		}
		return unknownVal{pos: tsPos(x.P), why: "an element of " + describe(base)}, nil
	case *tsyntax.Binary:
		return m.binary(x)
	case *tsyntax.Unary:
		v, err := m.eval(x.X)
		if err != nil {
			return nil, err
		}
		switch n := v.(type) {
		case intVal:
			if x.Op == "-" {
				return -n, nil
			}
			if x.Op == "+" {
				return n, nil
			}
		case floatVal:
			if x.Op == "-" {
				return -n, nil
			}
			if x.Op == "+" {
				return n, nil
			}
		case boolVal:
			if x.Op == "!" {
				return !n, nil
			}
		}
		return unknownVal{pos: tsPos(x.P), why: "the result of " + x.Op + " " + describe(v)}, nil
	case *tsyntax.Cond:
		test, err := m.eval(x.Test)
		if err != nil {
			return nil, err
		}
		if t, ok := truthy(test); ok {
			if t {
				return m.eval(x.Then)
			}
			return m.eval(x.Else)
		}
		for _, branch := range []tsyntax.Expr{x.Then, x.Else} {
			if err := m.refuseInside(branch, "a conditional expression"); err != nil {
				return nil, err
			}
		}
		return unknownVal{pos: tsPos(x.P), why: "a condition known only at run time"}, nil
	case *tsyntax.Arrow:
		return m.funcValue("", x.Func, x.P), nil
	case *tsyntax.FuncExpr:
		return m.funcValue(x.Name, x.Func, x.P), nil
	case *tsyntax.ClassExpr:
		if err := m.refuseStatic(x.Class); err != nil {
			return nil, err
		}
		return classVal{name: x.Name}, nil
	case *tsyntax.New:
		return m.construct(x)
	case *tsyntax.Call:
		return m.call(x)
	case *tsyntax.Assign:
		if err := m.refuseInside(x.Value, "an assignment"); err != nil {
			return nil, err
		}
		return unknownVal{pos: tsPos(x.P), why: "an assignment"}, nil
	case *tsyntax.Spread:
		return m.eval(x.Arg)
	case *tsyntax.RegexLit:
		return unknownVal{pos: tsPos(x.P), why: "a regular expression"}, nil
	}
	if err := m.refuseInside(e, "an expression evaluated at run time"); err != nil {
		return nil, err
	}
	return unknownVal{pos: tsPos(e.Position()), why: "an expression evaluated at run time"}, nil
}

// tsNumber is a numeric literal's value: integers stay integers, as the
// builders expect them.
func tsNumber(text string) value {
	clean := strings.ReplaceAll(text, "_", "")
	if strings.HasSuffix(clean, "n") {
		clean = strings.TrimSuffix(clean, "n")
	}
	if n, err := strconv.ParseInt(clean, 0, 64); err == nil {
		return intVal(n)
	}
	if len(clean) > 2 && clean[0] == '0' && (clean[1] >= '0' && clean[1] <= '7') {
		if n, err := strconv.ParseInt(clean[1:], 8, 64); err == nil {
			return intVal(n)
		}
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil {
		return unknownVal{why: "number " + text}
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return intVal(int64(f))
	}
	return floatVal(f)
}

func truthy(v value) (bool, bool) {
	switch x := v.(type) {
	case boolVal:
		return bool(x), true
	case noneVal:
		return false, true
	case strVal:
		return x != "", true
	case intVal:
		return x != 0, true
	case floatVal:
		return x != 0 && !math.IsNaN(float64(x)), true
	case tableVal, streamVal, pipelineVal, mvVal, viewVal, resourceVal, *tsObject, listVal:
		return true, true
	}
	return false, false
}

func propKey(k tsyntax.Expr) string {
	switch x := k.(type) {
	case *tsyntax.Ident:
		return x.Name
	case *tsyntax.StringLit:
		return x.Value
	case *tsyntax.NumberLit:
		if n, ok := tsNumber(x.Text).(intVal); ok {
			return strconv.FormatInt(int64(n), 10)
		}
		return x.Text
	}
	return ""
}

func (m *tsModule) object(x *tsyntax.ObjectLit) (value, error) {
	o := &tsObject{at: tsPos(x.P)}
	for _, p := range x.Props {
		switch p.Kind {
		case "init", "shorthand":
			key := propKey(p.Key)
			if c, ok := p.Key.(*tsyntax.Computed); ok {
				kv, err := m.eval(c.Expr)
				if err != nil {
					return nil, err
				}
				s, ok := kv.(strVal)
				if !ok {
					return unknownVal{pos: tsPos(c.P), why: "a computed key " + describe(kv)}, nil
				}
				key = string(s)
			}
			v, err := m.eval(p.Value)
			if err != nil {
				return nil, err
			}
			o.set(key, v, tsPos(p.P))
		case "spread":
			v, err := m.eval(p.Value)
			if err != nil {
				return nil, err
			}
			switch s := v.(type) {
			case *tsObject:
				for i, k := range s.keys {
					o.set(k, s.vals[i], s.pos[i])
				}
			case noneVal:
			default:
				return unknownVal{pos: tsPos(p.P), why: "a spread of " + describe(v)}, nil
			}
		default: // methods and accessors
			o.set(propKey(p.Key), m.funcValue(propKey(p.Key), p.Func, p.P), tsPos(p.P))
		}
	}
	return o, nil
}

func (m *tsModule) binary(x *tsyntax.Binary) (value, error) {
	l, err := m.eval(x.X)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case "??":
		if _, none := l.(noneVal); none {
			return m.eval(x.Y)
		}
		if _, unknown := l.(unknownVal); !unknown {
			return l, nil
		}
	case "||", "&&":
		if t, ok := truthy(l); ok {
			if t == (x.Op == "||") {
				return l, nil
			}
			return m.eval(x.Y)
		}
	}
	r, err := m.eval(x.Y)
	if err != nil {
		return nil, err
	}
	if x.Op == "+" {
		ls, lok := tsString(l)
		rs, rok := tsString(r)
		_, lstr := l.(strVal)
		_, rstr := r.(strVal)
		if lok && rok && (lstr || rstr) {
			return strVal(ls + rs), nil
		}
	}
	if li, ok := l.(intVal); ok {
		if ri, ok := r.(intVal); ok {
			switch x.Op {
			case "+":
				return li + ri, nil
			case "-":
				return li - ri, nil
			case "*":
				return li * ri, nil
			}
		}
	}
	lf, lok := tsFloat(l)
	rf, rok := tsFloat(r)
	if lok && rok {
		switch x.Op {
		case "+":
			return tsNumberOf(lf + rf), nil
		case "-":
			return tsNumberOf(lf - rf), nil
		case "*":
			return tsNumberOf(lf * rf), nil
		case "/":
			return tsNumberOf(lf / rf), nil
		case "**":
			return tsNumberOf(math.Pow(lf, rf)), nil
		}
	}
	if ls, ok := l.(strVal); ok {
		if rs, ok := r.(strVal); ok {
			switch x.Op {
			case "===", "==":
				return boolVal(ls == rs), nil
			case "!==", "!=":
				return boolVal(ls != rs), nil
			}
		}
	}
	return unknownVal{pos: tsPos(x.P), why: fmt.Sprintf("the result of %s %s %s", describe(l), x.Op, describe(r))}, nil
}

func tsNumberOf(f float64) value {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return intVal(int64(f))
	}
	return floatVal(f)
}

func tsFloat(v value) (float64, bool) {
	switch x := v.(type) {
	case intVal:
		return float64(x), true
	case floatVal:
		return float64(x), true
	}
	return 0, false
}

// tsString is JavaScript's String(v) for the values a config may hold.
func tsString(v value) (string, bool) {
	switch x := v.(type) {
	case strVal:
		return string(x), true
	case intVal:
		return strconv.FormatInt(int64(x), 10), true
	case floatVal:
		return strconv.FormatFloat(float64(x), 'g', -1, 64), true
	case boolVal:
		return strconv.FormatBool(bool(x)), true
	case noneVal:
		return "undefined", true
	}
	return "", false
}

// template is an untagged template literal (its cooked text with the
// values' strings) or a `sql` tagged one.
func (m *tsModule) template(x *tsyntax.Template) (value, error) {
	if x.Tag != nil {
		tag, err := m.eval(x.Tag)
		if err != nil {
			return nil, err
		}
		if ref, ok := tag.(extRef); ok && (ref.qual == "moose_lib.sql" || ref.qual == "moose_lib.sql.statement" || ref.qual == "moose_lib.sql.fragment") {
			return m.sqlTemplate(x)
		}
		return unknownVal{pos: tsPos(x.P), why: "a template tagged with " + describe(tag)}, nil
	}
	var sb strings.Builder
	for i, q := range x.Cooked {
		if q != nil {
			sb.WriteString(*q)
		}
		if i < len(x.Exprs) {
			v, err := m.eval(x.Exprs[i])
			if err != nil {
				return nil, err
			}
			s, ok := tsString(v)
			if !ok {
				if t, isTable := v.(tableVal); isTable {
					s, ok = t.t.Name, true
				}
			}
			if !ok {
				return unknownVal{pos: tsPos(x.Exprs[i].Position()), why: "a template with " + describe(v)}, nil
			}
			sb.WriteString(s)
		}
	}
	return strVal(sb.String()), nil
}

// member is `base.name`.
func (m *tsModule) member(base value, name string, p tsyntax.Pos) value {
	pos := tsPos(p)
	switch b := base.(type) {
	case extRef:
		if b.qual == "js.process.env" {
			return unknownVal{pos: pos, why: fmt.Sprintf("process.env.%s, read from the environment at run time (use mooseRuntimeEnv.get(%q) for a value the database needs)", name, name)}
		}
		return extRef{b.qual + "." + name}
	case tsNamespace:
		v, err := b.m.exportValue(name, p, map[*tsModule]bool{}, m)
		if err != nil {
			return unknownVal{pos: pos, why: err.Error()}
		}
		return v
	case *tsObject:
		if v, _, ok := b.get(name); ok {
			return v
		}
		return noneVal{}
	case *enumVal:
		for _, mem := range b.members {
			if mem.Name == name {
				if mem.Value.Int != nil {
					return intVal(*mem.Value.Int)
				}
				return strVal(*mem.Value.Str)
			}
		}
		return noneVal{}
	case tableVal:
		switch name {
		case "name":
			return strVal(b.t.Name)
		case "columns", "cols":
			return tsColumnsVal{b.t}
		}
	case tsColumnsVal:
		for _, c := range b.t.Columns {
			if c.Name == name {
				return tsColumnRef{c}
			}
		}
		return unknownVal{pos: pos, why: fmt.Sprintf("column %q, which table %s does not have", name, b.t.Name)}
	case pipelineVal, mvVal, viewVal:
		// the shared attributes, spelt as Python's library spells them
		return resourceAttr(b, snakeCase(name), tsPos(p))
	case streamVal:
		switch name {
		case "name":
			return strVal(b.t.Name)
		case "addTransform", "addConsumer", "addMultiTransform":
			return methodVal{recv: b, name: name}
		}
	case strVal:
		if name == "length" {
			return intVal(len(b))
		}
	case listVal:
		if name == "length" {
			return intVal(len(b))
		}
	}
	return unknownVal{pos: pos, why: fmt.Sprintf("property %q of %s", name, describe(base))}
}

// tsColumnsVal is `table.columns`; tsColumnRef one of its columns.
type (
	tsColumnsVal struct{ t *infra.Table }
	tsColumnRef  struct{ c infra.Column }
)
