package parser

import (
	"path"
	"sort"
	"strings"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// ttTestProject is a tiny tsScope implementation for the type reader's
// tests: modules parsed from sources, names bound by their top-level
// declarations and imports (named, default, namespace; relative modules
// resolved, `export ... from` followed), library modules as Lib bindings.
type ttTestProject struct {
	mods map[string]*ttTestModule
}

type ttTestModule struct {
	proj    *ttTestProject
	path    string
	file    *tsyntax.File
	decls   map[string]tsyntax.Stmt
	imports map[string]ttTestImport
	exports map[string]ttTestImport // `export { a as b } from`, `export { a as b }`
	stars   []string                // `export * from`
	memo    map[string]ttTestLookup // lookupType's answers (an evaluator's scope is a map too)
}

type ttTestImport struct {
	from      string // module specifier ("" for a local re-export)
	name      string // imported name ("default" for a default import)
	namespace bool
}

func newTTTestProject(files map[string]string) (*ttTestProject, error) {
	p := &ttTestProject{mods: map[string]*ttTestModule{}}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if !strings.HasSuffix(name, ".ts") {
			continue
		}
		f, err := tsyntax.Parse([]byte(files[name]))
		if err != nil {
			return nil, err
		}
		m := &ttTestModule{proj: p, path: name, file: f, decls: map[string]tsyntax.Stmt{},
			imports: map[string]ttTestImport{}, exports: map[string]ttTestImport{}}
		for _, s := range f.Stmts {
			m.bind(s)
		}
		p.mods[name] = m
	}
	return p, nil
}

func (m *ttTestModule) bind(s tsyntax.Stmt) {
	switch s := s.(type) {
	case *tsyntax.ExportDecl:
		if s.Decl != nil {
			m.bind(s.Decl)
		}
	case *tsyntax.InterfaceDecl:
		m.decls[s.Name] = s
	case *tsyntax.TypeAliasDecl:
		m.decls[s.Name] = s
	case *tsyntax.EnumDecl:
		m.decls[s.Name] = s
	case *tsyntax.ClassDecl:
		if s.Name != "" {
			m.decls[s.Name] = s
		}
	case *tsyntax.ImportDecl:
		if s.Default != "" {
			m.imports[s.Default] = ttTestImport{from: s.From, name: "default"}
		}
		if s.Namespace != "" {
			m.imports[s.Namespace] = ttTestImport{from: s.From, namespace: true}
		}
		for _, n := range s.Names {
			local := n.Name
			if n.Alias != "" {
				local = n.Alias
			}
			m.imports[local] = ttTestImport{from: s.From, name: n.Name}
		}
	case *tsyntax.ExportNames:
		if s.Star && s.StarAs == "" {
			m.stars = append(m.stars, s.From)
			return
		}
		if s.Star {
			m.exports[s.StarAs] = ttTestImport{from: s.From, namespace: true}
			return
		}
		for _, n := range s.Names {
			exported := n.Name
			if n.Alias != "" {
				exported = n.Alias
			}
			m.exports[exported] = ttTestImport{from: s.From, name: n.Name}
		}
	}
}

// ttTestScope is the tsScope of one module.
type ttTestScope struct{ m *ttTestModule }

func (s ttTestScope) file() string { return s.m.path }

func (s ttTestScope) lookupType(name string) (tsTypeBinding, bool) {
	if b, ok := s.m.memo[name]; ok {
		return b.b, b.ok
	}
	b, ok := s.m.lookup(name, 0)
	if s.m.memo == nil {
		s.m.memo = map[string]ttTestLookup{}
	}
	s.m.memo[name] = ttTestLookup{b, ok}
	return b, ok
}

type ttTestLookup struct {
	b  tsTypeBinding
	ok bool
}

func (m *ttTestModule) resolveModule(spec string) *ttTestModule {
	if !strings.HasPrefix(spec, ".") {
		return nil
	}
	base := path.Join(path.Dir(m.path), spec)
	for _, c := range []string{base + ".ts", base + "/index.ts", base} {
		if t, ok := m.proj.mods[c]; ok {
			return t
		}
	}
	return nil
}

func (m *ttTestModule) lookup(name string, depth int) (tsTypeBinding, bool) {
	if depth > 16 {
		return tsTypeBinding{}, false
	}
	head, rest, _ := strings.Cut(name, ".")
	if d, ok := m.decls[head]; ok && rest == "" {
		return tsTypeBinding{Decl: d, Scope: ttTestScope{m}}, true
	}
	if im, ok := m.imports[head]; ok {
		return m.follow(im, rest, depth)
	}
	return tsTypeBinding{}, false
}

// exported is a name as another module imports it.
func (m *ttTestModule) exported(name, rest string, depth int) (tsTypeBinding, bool) {
	if depth > 16 {
		return tsTypeBinding{}, false
	}
	if ex, ok := m.exports[name]; ok {
		if ex.from == "" {
			return m.lookup(joinDot(ex.name, rest), depth+1)
		}
		return m.follow(ex, rest, depth)
	}
	if _, ok := m.decls[name]; ok {
		return m.lookup(joinDot(name, rest), depth+1)
	}
	for _, st := range m.stars {
		if t := m.resolveModule(st); t != nil {
			if b, ok := t.exported(name, rest, depth+1); ok {
				return b, true
			}
		} else {
			return tsTypeBinding{Lib: &tsLibName{Module: st, Name: name, Member: rest}}, true
		}
	}
	return tsTypeBinding{}, false
}

func (m *ttTestModule) follow(im ttTestImport, rest string, depth int) (tsTypeBinding, bool) {
	t := m.resolveModule(im.from)
	if t == nil {
		if strings.HasPrefix(im.from, ".") {
			return tsTypeBinding{}, false
		}
		if im.namespace {
			return tsTypeBinding{Lib: &tsLibName{Module: im.from, Name: "*", Member: rest}}, true
		}
		return tsTypeBinding{Lib: &tsLibName{Module: im.from, Name: im.name, Member: rest}}, true
	}
	if im.namespace {
		if rest == "" {
			return tsTypeBinding{}, false
		}
		h, r2, _ := strings.Cut(rest, ".")
		return t.exported(h, r2, depth+1)
	}
	return t.exported(im.name, rest, depth+1)
}

func joinDot(a, b string) string {
	if b == "" {
		return a
	}
	return a + "." + b
}

// ttTestResource is a `new OlapTable<T>("name", ...)` found at a module's top level.
type ttTestResource struct {
	class string
	name  string
	typ   tsyntax.Type
	mod   *ttTestModule
}

// resources finds the module-level `new X<T>("name")` expressions.
func (p *ttTestProject) resources() []ttTestResource {
	var out []ttTestResource
	paths := make([]string, 0, len(p.mods))
	for k := range p.mods {
		paths = append(paths, k)
	}
	sort.Strings(paths)
	for _, k := range paths {
		m := p.mods[k]
		for _, s := range m.file.Stmts {
			if e, ok := s.(*tsyntax.ExportDecl); ok {
				s = e.Decl
			}
			vd, ok := s.(*tsyntax.VarDecl)
			if !ok {
				continue
			}
			for _, d := range vd.Decls {
				n, ok := d.Init.(*tsyntax.New)
				if !ok || len(n.TypeArgs) == 0 || len(n.Args) == 0 {
					continue
				}
				id, ok := n.Callee.(*tsyntax.Ident)
				if !ok {
					continue
				}
				name, ok := n.Args[0].(*tsyntax.StringLit)
				if !ok {
					continue
				}
				out = append(out, ttTestResource{class: id.Name, name: name.Value, typ: n.TypeArgs[0], mod: m})
			}
		}
	}
	return out
}
