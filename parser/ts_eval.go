package parser

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// The TypeScript front end: modules, imports and exports, and module-level
// evaluation. A TypeScript project's moose-lib objects become the same
// values the Python front end produces (ts_config.go maps their options), so
// the builders of olap.go and resources.go read both.

// tsProgram is the TypeScript project being evaluated.
type tsProgram struct {
	ev       *evaluator
	mods     map[string]*tsModule // by project-relative file
	paths    *tsPaths
	readings map[string]*tsReading // read the models the columns memo has not got (ts_memo.go)
	reading  *tsReading            // the one under way, whose lookups count as deps
	checked  map[*tsDeps]int       // how much of each dependency list is current in this load
	memoUsed map[tsMemoKey]*tsColumnsMemo
	depth    int // nesting of evaluated function calls (callPure)
}

// tsModule is one project module.
type tsModule struct {
	prog    *tsProgram
	mod     *module // the file, as the builders know it
	ast     *tsyntax.File
	running bool
	done    bool
	decls   map[string]*tsBinding // the module scope
	exports map[string]*tsExport
	stars   []*tsImport     // export * from
	valueOf map[string]bool // names used as values somewhere in the module (import elision)
}

// tsBinding is a name in a module's scope.
type tsBinding struct {
	name     string
	pos      Pos
	typeDecl tsyntax.Stmt // interface or type alias: a type only
	enum     *tsyntax.EnumDecl
	class    *tsyntax.ClassDecl
	isVar    bool // const, let, var, function: a value set when its statement runs
	set      bool
	val      value
	imp      *tsImport
	ns       *tsModule // a `namespace` declared here
}

// tsImport is a name bound to another module's export: name is the
// exported name, "*" for the namespace, "default" for the default export.
type tsImport struct {
	spec     string
	name     string
	target   *tsModule // nil for a library
	lib      string    // the library's module specifier
	typeOnly bool
	pos      Pos
	from     *tsModule
}

// tsExport is one export: a local name or a re-export.
type tsExport struct {
	local    string
	reexp    *tsImport
	typeOnly bool
}

// tsNamespace is a module object (`import * as m`).
type tsNamespace struct{ m *tsModule }

// tsObject is an object literal's value: keys in order, with positions.
type tsObject struct {
	keys []string
	vals []value
	pos  []Pos
	at   Pos
}

func (o *tsObject) get(key string) (value, Pos, bool) {
	for i := len(o.keys) - 1; i >= 0; i-- {
		if o.keys[i] == key {
			return o.vals[i], o.pos[i], true
		}
	}
	return nil, o.at, false
}

func (o *tsObject) set(key string, v value, p Pos) {
	for i, k := range o.keys {
		if k == key {
			o.vals[i], o.pos[i] = v, p
			return
		}
	}
	o.keys, o.vals, o.pos = append(o.keys, key), append(o.vals, v), append(o.pos, p)
}

// loadTypeScript evaluates the TypeScript project from its index module.
func (ev *evaluator) loadTypeScript() error {
	paths, err := readTSConfig(ev.l.root)
	if err != nil {
		return err
	}
	ev.ts = &tsProgram{ev: ev, mods: map[string]*tsModule{}, paths: paths, memoUsed: map[tsMemoKey]*tsColumnsMemo{},
		readings: map[string]*tsReading{}, checked: map[*tsDeps]int{}}
	defer func() { ev.l.tsMemo = ev.ts.memoUsed }() // what this load did not use is stale
	main := ev.mainFile
	if st, err := os.Stat(filepath.Join(ev.l.root, filepath.FromSlash(main))); err != nil || st.IsDir() {
		return fmt.Errorf("%s not found: the project's main module is missing", main)
	}
	m, err := ev.ts.module(main)
	if err != nil {
		return err
	}
	return ev.ts.run(m)
}

func tsPos(p tsyntax.Pos) Pos { return Pos{Line: p.Line, Col: p.Col} }

// parseTS parses a project file, its syntax error at file:line:col.
func parseTS(rel string, data []byte) (any, error) {
	f, err := tsyntax.Parse(data)
	if err != nil {
		if se, ok := err.(*tsyntax.Error); ok {
			return nil, &Error{File: rel, Pos: tsPos(se.Pos), Msg: se.Msg}
		}
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	return f, nil
}

// module returns the parsed and declared module of a project file.
func (pr *tsProgram) module(file string) (*tsModule, error) {
	if m, ok := pr.mods[file]; ok {
		return m, nil
	}
	parsed, err := pr.ev.l.readCached(file)
	if err != nil {
		return nil, err
	}
	m := &tsModule{prog: pr, mod: &module{name: file, file: file, ns: map[string]value{}}, ast: parsed.(*tsyntax.File),
		decls: map[string]*tsBinding{}, exports: map[string]*tsExport{}}
	pr.mods[file] = m
	if err := m.declare(); err != nil {
		return nil, err
	}
	pr.warnTarget(m)
	return m, nil
}

// run executes a module's statements once (a cycle sees the module as far
// as it has run, as CommonJS does).
func (pr *tsProgram) run(m *tsModule) error {
	if m.done || m.running {
		return nil
	}
	m.running = true
	pr.ev.loaded[m.mod.file] = true
	for _, st := range m.ast.Stmts {
		if err := m.exec(st); err != nil {
			return err
		}
	}
	m.running, m.done = false, true
	return nil
}

func (m *tsModule) errAt(p tsyntax.Pos, format string, args ...any) error {
	return &Error{File: m.mod.file, Pos: tsPos(p), Msg: fmt.Sprintf(format, args...)}
}

// ---- declarations (the first pass: every name of the module scope) ----

func (m *tsModule) bind(name string, p tsyntax.Pos) *tsBinding {
	b := &tsBinding{name: name, pos: tsPos(p)}
	if prev, ok := m.decls[name]; ok && prev.typeDecl != nil {
		// a value and a type may share a name (`const X = ...; type X = ...`)
		b.typeDecl = prev.typeDecl
	}
	m.decls[name] = b
	return b
}

func (m *tsModule) declare() error {
	m.valueOf = m.prog.ev.l.valueNamesOf(m)
	for _, st := range m.ast.Stmts {
		if err := m.declareStmt(st, false); err != nil {
			return err
		}
	}
	return nil
}

func (m *tsModule) declareStmt(st tsyntax.Stmt, exported bool) error {
	switch s := st.(type) {
	case *tsyntax.ImportDecl:
		imp := func(name, local string, typeOnly bool, p tsyntax.Pos) error {
			i, err := m.importOf(s.From, s.FromPos, name, typeOnly || s.TypeOnly, p)
			if err != nil {
				return err
			}
			m.bind(local, p).imp = i
			return nil
		}
		if s.Default != "" {
			if err := imp("default", s.Default, false, s.P); err != nil {
				return err
			}
		}
		if s.Namespace != "" {
			if err := imp("*", s.Namespace, false, s.P); err != nil {
				return err
			}
		}
		for _, n := range s.Names {
			local := n.Name
			if n.Alias != "" {
				local = n.Alias
			}
			if err := imp(n.Name, local, n.TypeOnly, n.P); err != nil {
				return err
			}
		}
		if s.Default == "" && s.Namespace == "" && len(s.Names) == 0 && !s.TypeOnly {
			// a side-effect import: checked now, run when reached
			if _, err := m.importOf(s.From, s.FromPos, "*", false, s.P); err != nil {
				return err
			}
		}
	case *tsyntax.ImportEquals:
		if s.Require != "" {
			i, err := m.importOf(s.Require, s.P, "*", false, s.P)
			if err != nil {
				return err
			}
			m.bind(s.Name, s.P).imp = i
		}
	case *tsyntax.ExportDecl:
		if s.Default {
			switch d := s.Decl.(type) {
			case *tsyntax.FuncDecl:
				if d.Name == "" {
					m.exports["default"] = &tsExport{local: "*default*"}
					b := m.bind("*default*", d.P)
					b.isVar, b.set, b.val = true, true, m.funcValue(d.Name, d.Func, d.P)
					return nil
				}
				m.exports["default"] = &tsExport{local: d.Name}
			case *tsyntax.ClassDecl:
				name := d.Name
				if name == "" {
					name = "*default*"
				}
				m.exports["default"] = &tsExport{local: name}
				if d.Name == "" {
					m.bind(name, d.P).class = d
					return nil
				}
			}
		}
		return m.declareStmt(s.Decl, !s.Default)
	case *tsyntax.ExportDefault:
		m.exports["default"] = &tsExport{local: "*default*"}
		m.bind("*default*", s.P).isVar = true
	case *tsyntax.ExportNames:
		if s.From == "" {
			for _, n := range s.Names {
				exp := n.Name
				if n.Alias != "" {
					exp = n.Alias
				}
				m.exports[exp] = &tsExport{local: n.Name, typeOnly: s.TypeOnly || n.TypeOnly}
			}
			return nil
		}
		if s.Star && s.StarAs == "" {
			i, err := m.importOf(s.From, s.FromPos, "*", s.TypeOnly, s.P)
			if err != nil {
				return err
			}
			m.stars = append(m.stars, i)
			return nil
		}
		if s.Star {
			i, err := m.importOf(s.From, s.FromPos, "*", s.TypeOnly, s.P)
			if err != nil {
				return err
			}
			m.exports[s.StarAs] = &tsExport{reexp: i, typeOnly: s.TypeOnly}
			return nil
		}
		for _, n := range s.Names {
			exp := n.Name
			if n.Alias != "" {
				exp = n.Alias
			}
			i, err := m.importOf(s.From, s.FromPos, n.Name, s.TypeOnly || n.TypeOnly, n.P)
			if err != nil {
				return err
			}
			m.exports[exp] = &tsExport{reexp: i, typeOnly: s.TypeOnly || n.TypeOnly}
		}
	case *tsyntax.VarDecl:
		for _, d := range s.Decls {
			for _, id := range patternNames(d.Name) {
				m.bind(id.Name, id.P).isVar = true
				if exported {
					m.exports[id.Name] = &tsExport{local: id.Name}
				}
			}
		}
	case *tsyntax.FuncDecl:
		if s.Name == "" {
			return nil
		}
		b := m.bind(s.Name, s.P)
		b.isVar, b.set, b.val = true, true, m.funcValue(s.Name, s.Func, s.P)
		if exported {
			m.exports[s.Name] = &tsExport{local: s.Name}
		}
	case *tsyntax.ClassDecl:
		m.bind(s.Name, s.P).class = s
		if exported {
			m.exports[s.Name] = &tsExport{local: s.Name}
		}
	case *tsyntax.InterfaceDecl:
		m.typeBinding(s.Name, s.P, s)
		if exported {
			m.exports[s.Name] = &tsExport{local: s.Name}
		}
	case *tsyntax.TypeAliasDecl:
		m.typeBinding(s.Name, s.P, s)
		if exported {
			m.exports[s.Name] = &tsExport{local: s.Name}
		}
	case *tsyntax.EnumDecl:
		m.bind(s.Name, s.P).enum = s
		if exported {
			m.exports[s.Name] = &tsExport{local: s.Name}
		}
	case *tsyntax.ModuleDecl:
		if s.Body == nil || strings.ContainsAny(s.Name, "\"'./") || s.Name == "global" {
			return nil // `declare module "x"`, `declare global`, dotted names: nothing at run time we read
		}
		ns, err := m.namespace(s)
		if err != nil {
			return err
		}
		b := m.bind(s.Name, s.P)
		b.ns, b.isVar = ns, true
		if exported {
			m.exports[s.Name] = &tsExport{local: s.Name}
		}
	}
	return nil
}

// namespace is a `namespace N { ... }` body: a scope of its own that sees
// the enclosing module's names, whose exports are the namespace's members.
func (m *tsModule) namespace(d *tsyntax.ModuleDecl) (*tsModule, error) {
	ns := &tsModule{prog: m.prog, mod: m.mod, ast: &tsyntax.File{Stmts: d.Body}, decls: map[string]*tsBinding{}, exports: map[string]*tsExport{}}
	for k, v := range m.decls {
		ns.decls[k] = v
	}
	ns.valueOf = m.valueOf
	for _, st := range d.Body {
		if err := ns.declareStmt(st, false); err != nil {
			return nil, err
		}
	}
	return ns, nil
}

// typeBinding adds a type name, keeping a value of the same name.
func (m *tsModule) typeBinding(name string, p tsyntax.Pos, decl tsyntax.Stmt) {
	if b, ok := m.decls[name]; ok && b.typeDecl == nil && b.imp == nil {
		b.typeDecl = decl
		return
	}
	m.bind(name, p).typeDecl = decl
}

// patternNames are the identifiers a binding pattern binds.
func patternNames(p tsyntax.Pattern) []*tsyntax.Ident {
	switch x := p.(type) {
	case *tsyntax.Ident:
		return []*tsyntax.Ident{x}
	case *tsyntax.ObjectPattern:
		var out []*tsyntax.Ident
		for _, pp := range x.Props {
			out = append(out, patternNames(pp.Value)...)
		}
		if x.Rest != nil {
			out = append(out, patternNames(x.Rest)...)
		}
		return out
	case *tsyntax.ArrayPattern:
		var out []*tsyntax.Ident
		for _, e := range x.Elems {
			if e != nil {
				out = append(out, patternNames(e)...)
			}
		}
		if x.Rest != nil {
			out = append(out, patternNames(x.Rest)...)
		}
		return out
	}
	return nil
}

// importOf resolves a module specifier as seen from m.
func (m *tsModule) importOf(spec string, specPos tsyntax.Pos, name string, typeOnly bool, p tsyntax.Pos) (*tsImport, error) {
	i := &tsImport{spec: spec, name: name, typeOnly: typeOnly, pos: tsPos(p), from: m}
	file, isProject, err := m.prog.resolve(m.mod.file, spec)
	if err != nil {
		return nil, m.errAt(specPos, "%v", err)
	}
	if !isProject {
		i.lib = spec
		return i, nil
	}
	target, err := m.prog.module(file)
	if err != nil {
		return nil, err
	}
	i.target = target
	return i, nil
}

// ---- module resolution ----

var tsExtensions = []string{".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"}

// resolve finds the project file of a module specifier imported from the
// file from; isProject is false for a library (a bare specifier no
// tsconfig path maps into the project).
func (pr *tsProgram) resolve(from, spec string) (file string, isProject bool, err error) {
	var candidates []string
	switch {
	case strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../") || spec == "." || spec == "..":
		candidates = []string{path.Join(path.Dir(from), spec)}
	case strings.HasPrefix(spec, "/"):
		return "", false, fmt.Errorf("import %q: absolute module paths are not supported; import relative to this file", spec)
	default:
		candidates = pr.paths.candidates(spec)
		if len(candidates) == 0 {
			return "", false, nil
		}
	}
	for _, c := range candidates {
		if f := pr.findFile(c); f != "" {
			return f, true, nil
		}
	}
	if !strings.HasPrefix(spec, ".") {
		return "", false, nil // a path alias that matches no file: a library after all
	}
	return "", false, fmt.Errorf("cannot find module %q", spec)
}

// findFile applies TypeScript's lookup to a module path: the file itself
// with a source extension (a `.js` written for its `.ts`), then the
// folder's index.
func (pr *tsProgram) findFile(p string) string {
	exists := func(rel string) bool {
		if strings.HasPrefix(rel, "../") || rel == ".." {
			return false
		}
		st, err := os.Stat(filepath.Join(pr.ev.l.root, filepath.FromSlash(rel)))
		return err == nil && !st.IsDir()
	}
	p = path.Clean(p)
	if ext := path.Ext(p); ext == ".ts" || ext == ".tsx" || ext == ".mts" || ext == ".cts" {
		if exists(p) {
			return p
		}
	}
	for _, js := range []string{".js", ".jsx", ".mjs", ".cjs"} {
		if strings.HasSuffix(p, js) {
			stem := strings.TrimSuffix(p, js)
			for _, ext := range tsExtensions {
				if exists(stem + ext) {
					return stem + ext
				}
			}
		}
	}
	for _, ext := range tsExtensions {
		if exists(p + ext) {
			return p + ext
		}
	}
	for _, ext := range tsExtensions {
		if exists(p + "/index" + ext) {
			return p + "/index" + ext
		}
	}
	return ""
}

// ---- lookups ----

// lookupType resolves a name in a type position (tsScope).
func (m *tsModule) lookupType(name string) (tsTypeBinding, bool) {
	m.prog.touch(m)
	head, rest, dotted := strings.Cut(name, ".")
	b, ok := m.decls[head]
	if !ok {
		return tsTypeBinding{}, false
	}
	if !dotted {
		return m.typeOf(b, map[*tsModule]bool{})
	}
	if b.ns != nil {
		return b.ns.lookupExportType(rest, map[*tsModule]bool{})
	}
	if b.imp != nil {
		if b.imp.target == nil {
			if b.imp.name == "*" {
				member, more, _ := strings.Cut(rest, ".")
				return tsTypeBinding{Lib: &tsLibName{Module: b.imp.lib, Name: member, Member: more}}, true
			}
			return tsTypeBinding{Lib: &tsLibName{Module: b.imp.lib, Name: b.imp.name, Member: rest}}, true
		}
		if b.imp.name == "*" {
			return b.imp.target.lookupExportType(rest, map[*tsModule]bool{})
		}
	}
	return tsTypeBinding{}, false
}

func (m *tsModule) file() string { return m.mod.file }

func (m *tsModule) typeOf(b *tsBinding, seen map[*tsModule]bool) (tsTypeBinding, bool) {
	switch {
	case b.typeDecl != nil:
		return tsTypeBinding{Decl: b.typeDecl, Scope: m}, true
	case b.enum != nil:
		return tsTypeBinding{Decl: b.enum, Scope: m}, true
	case b.class != nil:
		return tsTypeBinding{Decl: b.class, Scope: m}, true
	case b.imp != nil:
		if b.imp.target == nil {
			return tsTypeBinding{Lib: &tsLibName{Module: b.imp.lib, Name: b.imp.name}}, true
		}
		if b.imp.name == "*" {
			return tsTypeBinding{}, false
		}
		return b.imp.target.lookupExportType(b.imp.name, seen)
	}
	return tsTypeBinding{}, false
}

// lookupExportType resolves an exported type name (dotted for a
// re-exported namespace).
func (m *tsModule) lookupExportType(name string, seen map[*tsModule]bool) (tsTypeBinding, bool) {
	m.prog.touch(m)
	if seen[m] {
		return tsTypeBinding{}, false
	}
	seen[m] = true
	defer delete(seen, m)
	head, rest, dotted := strings.Cut(name, ".")
	if e, ok := m.exports[head]; ok {
		if e.reexp != nil {
			if e.reexp.target == nil {
				return tsTypeBinding{Lib: &tsLibName{Module: e.reexp.lib, Name: e.reexp.name, Member: rest}}, true
			}
			if e.reexp.name == "*" {
				if !dotted {
					return tsTypeBinding{}, false
				}
				return e.reexp.target.lookupExportType(rest, seen)
			}
			return e.reexp.target.lookupExportType(e.reexp.name, seen)
		}
		if b, ok := m.decls[e.local]; ok {
			if dotted {
				return m.lookupType(e.local + "." + rest)
			}
			return m.typeOf(b, seen)
		}
	}
	for _, s := range m.stars {
		if s.target == nil {
			continue
		}
		if tb, ok := s.target.lookupExportType(name, seen); ok {
			return tb, true
		}
	}
	return tsTypeBinding{}, false
}

// exportIsValue reports whether an export names a value (a re-export of
// a type alone is elided by the compiler, so its module is not run).
func (m *tsModule) exportIsValue(name string, seen map[*tsModule]bool) bool {
	if seen[m] {
		return false
	}
	seen[m] = true
	if e, ok := m.exports[name]; ok {
		if e.typeOnly {
			return false
		}
		if e.reexp != nil {
			if e.reexp.target == nil || e.reexp.name == "*" {
				return true
			}
			return e.reexp.target.exportIsValue(e.reexp.name, seen)
		}
		b, ok := m.decls[e.local]
		if !ok {
			return false
		}
		if b.imp != nil {
			if b.imp.typeOnly {
				return false
			}
			if b.imp.target == nil || b.imp.name == "*" {
				return true
			}
			return b.imp.target.exportIsValue(b.imp.name, seen)
		}
		return b.isVar || b.enum != nil || b.class != nil
	}
	for _, s := range m.stars {
		if s.target != nil && s.target.exportIsValue(name, seen) {
			return true
		}
	}
	return false
}

// valueNames collects the identifiers a module uses as values (outside
// type positions), which decides which imports the compiler keeps.
func valueNames(f *tsyntax.File) map[string]bool {
	out := map[string]bool{}
	for _, st := range f.Stmts {
		tsyntax.Walk(st, func(n tsyntax.Node) bool {
			switch x := n.(type) {
			case *tsyntax.ImportDecl, tsyntax.Type, *tsyntax.InterfaceDecl, *tsyntax.TypeAliasDecl:
				return false
			case *tsyntax.Ident:
				out[x.Name] = true
			case *tsyntax.ExportNames:
				if x.From == "" && !x.TypeOnly {
					for _, n := range x.Names {
						if !n.TypeOnly {
							out[n.Name] = true
						}
					}
				}
				return false
			case *tsyntax.ExportDefault:
				if id, ok := x.Expr.(*tsyntax.Ident); ok {
					out[id.Name] = true
				}
			}
			return true
		})
	}
	return out
}
