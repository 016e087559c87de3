package parser

import (
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// tsQueryParamsCheck refuses an Api's query-parameter type that typia's HTTP query decoder refuses at compile time
// (a field that is an object, a Date, a nested array...), at the field, naming it and why; nil when the type is acceptable.
//
// moose-lib's plugin compiles every Api's query parameters with typia's
// HttpAssertQueryProgrammer, whose metadata validation is mirrored here:
// the type is one object, not null or undefined; a property is not an index
// signature, a tuple, a union of different kinds (a union of literals of
// one kind is fine, so is `| null`), an object or a Date; an array's
// elements are one kind of atomic or literal.
func tsQueryParamsCheck(s tsScope, t tsyntax.Type) (err error) {
	if t == nil {
		return nil
	}
	g := newSchemaGen(s)
	defer func() {
		if p := recover(); p != nil {
			if b, ok := p.(ttBudget); ok {
				err = &Error{File: s.file(), Pos: ttPos(t.Position()), Msg: string(b)}
				return
			}
			panic(p)
		}
	}()
	typ, err := g.r.resolve(&ttCtx{scope: g.wrap(s)}, t)
	if err != nil {
		return ttError(err, s.file(), t.Position())
	}
	at := smAt{file: s.file(), pos: t.Position()}
	meta, err := g.exploreAt(typ, at)
	if err != nil {
		return ttError(err, s.file(), t.Position())
	}
	refuse := func(a smAt, why string) error {
		return ttError(a.errf("typia's HTTP query decoder refuses it upstream: %s", why), s.file(), t.Position())
	}
	switch {
	case len(meta.objects) != 1 || meta.bucket() != 1:
		return refuse(at, fmt.Sprintf("the query parameters %s are not one object type", ttShow(typ, 0)))
	case meta.nullable:
		return refuse(at, "query parameters cannot be null")
	case !meta.isRequired():
		return refuse(at, "query parameters cannot be undefined")
	}
	// the properties as the metadata has them, with their declarations for positions
	obj := meta.objects[0].obj
	ps, err := g.r.propsOf(typ)
	if err != nil {
		return ttError(err, s.file(), t.Position())
	}
	where := map[string]*ttProp{}
	for _, p := range ps {
		where[p.name] = p
	}
	for _, p := range obj.props {
		pa := at
		if p.index != nil {
			pa.field = "[key]"
			return refuse(pa, "an index signature (a dynamic property) is not allowed")
		}
		pa.field = p.key
		if d := where[p.key]; d != nil && d.file != "" {
			pa.file, pa.pos = d.file, d.pos
		}
		if why := smQueryField(p.value); why != "" {
			return refuse(pa, why)
		}
	}
	return nil
}

// smQueryField is why typia's query decoder refuses a property's type ("" when it does not).
func smQueryField(m *smMeta) string {
	var why []string
	if len(m.tuples) > 0 {
		why = append(why, "a tuple type is not allowed")
	}
	if smQueryUnion(m) {
		why = append(why, "a union of different types is not allowed")
	}
	if len(m.objects) > 0 || len(m.natives) > 0 {
		what := "an object type"
		if len(m.natives) > 0 {
			what = m.natives[0].name
		}
		why = append(why, "a nested object type is not allowed ("+what+" is not a query parameter type)")
	}
	for _, a := range m.arrays {
		e := a.elem
		if len(smQueryAtomics(e)) > 1 {
			why = append(why, "a union type is not allowed in an array")
		}
		n := len(e.atomics) + len(e.templates)
		for _, c := range e.constants {
			n += len(c.values)
		}
		if e.size() != n {
			why = append(why, "only atomic or literal types are allowed in an array (no objects, Dates or nested arrays)")
		}
	}
	return strings.Join(why, "; ")
}

func smQueryAtomics(m *smMeta) map[string]bool {
	out := map[string]bool{}
	for _, a := range m.atomics {
		out[a.typ] = true
	}
	for _, c := range m.constants {
		out[c.typ] = true
	}
	if len(m.templates) > 0 {
		out["string"] = true
	}
	return out
}

func smQueryUnion(m *smMeta) bool {
	return len(smQueryAtomics(m))+len(m.arrays)+len(m.tuples)+len(m.natives)+len(m.objects) > 1
}
