package parser

import (
	"regexp"
	"sort"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// Lineage: the resources an API, a web app or a workflow's task reads and
// writes, as upstream's TypeScript library finds them in the handler's
// code (and in the project functions it calls): a table, view or stream
// interpolated into a template (`${table}`, `${table.columns.x}`,
// `${mv.targetTable}`) is read from, the receiver of a write method
// (insert, send, publish, emit, write) is written to, and SQL text naming a
// table after FROM or JOIN reads it, after INTO writes it. A resource only
// held in a local variable is not followed, as upstream does not.

// tsFunc is a function's syntax and the module it was written in.
type tsFunc struct {
	m *tsModule
	f *tsyntax.Func
}

var tsWriteMethods = map[string]bool{"insert": true, "send": true, "publish": true, "emit": true, "write": true}

type lineage struct {
	ev     *evaluator
	pulls  map[infra.Signature]bool
	pushes map[infra.Signature]bool
	seen   map[*tsyntax.Func]bool
}

// lineageOf walks the functions a handler value holds (a function, or an
// object's methods).
func (ev *evaluator) lineageOf(handler value) (pulls, pushes []infra.Signature) {
	l := &lineage{ev: ev, pulls: map[infra.Signature]bool{}, pushes: map[infra.Signature]bool{}, seen: map[*tsyntax.Func]bool{}}
	l.value(handler)
	return sortedSigs(l.pulls), sortedSigs(l.pushes)
}

func (l *lineage) value(v value) {
	switch x := v.(type) {
	case funcVal:
		if x.ts != nil {
			l.function(x.ts)
		}
	case listVal:
		for _, it := range x {
			l.value(it)
		}
	case *tsObject:
		for _, it := range x.vals {
			if f, ok := it.(funcVal); ok && f.ts != nil {
				l.function(f.ts)
			}
		}
	}
}

func sortedSigs(set map[infra.Signature]bool) []infra.Signature {
	out := make([]infra.Signature, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (l *lineage) function(fn *tsFunc) {
	if l.seen[fn.f] {
		return
	}
	l.seen[fn.f] = true
	local := map[string]bool{}
	for _, p := range fn.f.Params {
		for _, id := range patternNames(p.Name) {
			local[id.Name] = true
		}
	}
	var body []tsyntax.Node
	if fn.f.Body != nil {
		body = append(body, fn.f.Body)
	}
	if fn.f.ExprBody != nil {
		body = append(body, fn.f.ExprBody)
	}
	for _, b := range body {
		tsyntax.Walk(b, func(n tsyntax.Node) bool {
			if x, ok := n.(*tsyntax.VarDecl); ok {
				for _, d := range x.Decls {
					for _, id := range patternNames(d.Name) {
						local[id.Name] = true
					}
				}
			}
			return true
		})
	}
	for _, b := range body {
		tsyntax.Walk(b, func(n tsyntax.Node) bool {
			switch x := n.(type) {
			case tsyntax.Type:
				return false
			case *tsyntax.Call:
				if mem, ok := x.Callee.(*tsyntax.Member); ok && tsWriteMethods[mem.Name] {
					if id, ok := mem.X.(*tsyntax.Ident); ok && !local[id.Name] {
						if sig, ok := l.signature(fn.m.peek(id.Name)); ok {
							l.pushes[sig] = true
						}
					}
				}
				if id, ok := x.Callee.(*tsyntax.Ident); ok && !local[id.Name] {
					if f, ok := fn.m.peek(id.Name).(funcVal); ok && f.ts != nil {
						l.function(f.ts)
					}
				}
			case *tsyntax.StringLit:
				l.sqlText(x.Value)
			case *tsyntax.Template:
				for _, q := range x.Cooked {
					if q != nil {
						l.sqlText(*q)
					}
				}
				for _, e := range x.Exprs {
					if sig, ok := l.interpolated(fn.m, e, local); ok {
						l.pulls[sig] = true
					}
				}
			}
			return true
		})
	}
}

// interpolated is the resource a template interpolates: `${table}`,
// `${table.columns.x}`, `${mv.targetTable}` (its table).
func (l *lineage) interpolated(m *tsModule, e tsyntax.Expr, local map[string]bool) (infra.Signature, bool) {
	var chain []string
	for {
		switch x := e.(type) {
		case *tsyntax.Member:
			chain = append([]string{x.Name}, chain...)
			e = x.X
			continue
		case *tsyntax.Paren:
			e = x.X
			continue
		case *tsyntax.NonNull:
			e = x.X
			continue
		case *tsyntax.Ident:
			if local[x.Name] {
				return infra.Signature{}, false
			}
			v := m.peek(x.Name)
			if mv, ok := v.(mvVal); ok && len(chain) > 0 && chain[0] == "targetTable" {
				v = tableVal{mv.target}
			}
			return l.signature(v)
		}
		return infra.Signature{}, false
	}
}

// signature names a resource value as the lineage lists it.
func (l *lineage) signature(v value) (infra.Signature, bool) {
	switch x := v.(type) {
	case tableVal:
		return infra.Signature{Kind: "Table", ID: registryKey(x.t)}, true
	case streamVal:
		return infra.Signature{Kind: "Topic", ID: x.t.ID()}, true
	case viewVal:
		return infra.Signature{Kind: "View", ID: x.v.Name}, true
	case mvVal:
		return infra.Signature{Kind: "MaterializedView", ID: x.mv.Name}, true
	}
	return infra.Signature{}, false
}

// registryKey is a table's key in the library's registry: its name, with
// `_version` when versioned.
func registryKey(t *infra.Table) string {
	if t.Version != nil {
		return t.SourcePrimitive.Name + "_" + *t.Version
	}
	return t.SourcePrimitive.Name
}

var sqlTableRef = regexp.MustCompile("(?i)\\b(FROM|JOIN|INTO)\\s+(?:`?([A-Za-z_][A-Za-z0-9_]*)`?\\.)?`?([A-Za-z_][A-Za-z0-9_]*)`?")

// sqlText finds the project's tables a piece of SQL names.
func (l *lineage) sqlText(s string) {
	if !strings.ContainsAny(s, " \n\t") {
		return
	}
	for _, m := range sqlTableRef.FindAllStringSubmatch(s, -1) {
		name := m[3]
		for _, t := range l.ev.out.Tables {
			if t.Name != name {
				continue
			}
			sig := infra.Signature{Kind: "Table", ID: registryKey(t)}
			if strings.EqualFold(m[1], "INTO") {
				l.pushes[sig] = true
			} else {
				l.pulls[sig] = true
			}
		}
	}
}

// peek is the module-level value of a name, without running anything or
// failing (nil when it has none yet).
func (m *tsModule) peek(name string) value {
	b, ok := m.decls[name]
	if !ok {
		return nil
	}
	if b.imp != nil {
		if b.imp.target == nil || b.imp.name == "*" {
			return nil
		}
		return b.imp.target.peekExport(b.imp.name, map[*tsModule]bool{})
	}
	if b.isVar && b.set {
		return b.val
	}
	return nil
}

func (m *tsModule) peekExport(name string, seen map[*tsModule]bool) value {
	if seen[m] {
		return nil
	}
	seen[m] = true
	if e, ok := m.exports[name]; ok {
		if e.reexp != nil {
			if e.reexp.target == nil || e.reexp.name == "*" {
				return nil
			}
			return e.reexp.target.peekExport(e.reexp.name, seen)
		}
		return m.peek(e.local)
	}
	for _, s := range m.stars {
		if s.target != nil {
			if v := s.target.peekExport(name, seen); v != nil {
				return v
			}
		}
	}
	return nil
}
