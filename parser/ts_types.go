package parser

import (
	"errors"
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// This file is the TypeScript front end's type side: what upstream's
// compiler plugin (moose-lib's typeConvert.ts, run inside the TypeScript
// checker) decides for the type argument of a resource, decided here
// statically. The user's declarations are resolved into a small structural
// model of the checker's types (ts_types_model.go, ts_types_resolve.go), the
// library's names into the structures their declarations produce
// (ts_types_lib.go), and the plugin's rules are applied to that model
// (ts_types_convert.go), in the plugin's order, with its accidents.
//
// Entry points for the evaluator: tsColumns (OlapTable, MaterializedView,
// IngestPipeline with a table), tsColumnsIndexOK (Stream, IngestApi,
// IngestPipeline with `table: false`: an index signature allowed),
// tsApiParamColumns (an Api's query parameters), tsTypeName; or the same
// through one tsTypeReader per load, which reads each shared declaration
// once. A Task's types have no columns in the map: do not convert them.
// Errors are *Error at the field (named by its path, "geo.lat") or at the
// type node when the type itself is at fault.

// tsScope is what the type reader needs from the evaluator: name lookup as seen from one module.
type tsScope interface {
	// lookupType resolves a type-position name as written in this scope ("Foo", "tags.Type", "ns.Foo").
	// ok is false when the name is not bound at all.
	lookupType(name string) (b tsTypeBinding, ok bool)
	// file is the project-relative path of the module ("app/models/x.ts"), for errors.
	file() string
}

// tsTypeBinding is what a type name refers to.
type tsTypeBinding struct {
	// Decl is a declaration in the project: *tsyntax.InterfaceDecl, *tsyntax.TypeAliasDecl, *tsyntax.EnumDecl or *tsyntax.ClassDecl;
	// nil for a library name.
	Decl tsyntax.Stmt
	// Scope resolves the names used inside Decl (its own module's scope).
	Scope tsScope
	// Lib is set for a library name: the module specifier and the exported name, e.g.
	// Lib{"@514labs/moose-lib", "Int32"}, Lib{"typia", "tags"} (then the dotted rest is in Member: "Type"),
	// Lib{"@514labs/moose-lib", "tags"} too (moose-lib re-exports typia's tags).
	// (moose-lib 0.6.533 does not: upstream's compile refuses that import, and
	// so does the type reader, with a message.)
	Lib *tsLibName
}

type tsLibName struct{ Module, Name, Member string }

// tsColumns converts the type argument of a resource (`OlapTable<T>`, `Stream<T>`, the query params of `Api<Q, R>`...)
// into upstream's columns. t is the type node as written.
//
// The columns are the plugin's output before upstream's load-time
// canonicalisation: an optional array column is `required: false` here and
// becomes required when its table is canonicalised (infra.Table.Canonicalize).
// A type with an index signature is refused, as the plugin does for tables;
// tsColumnsIndexOK is the variant for IngestApi and Stream types.
func tsColumns(s tsScope, t tsyntax.Type) ([]infra.Column, error) {
	return tsColumnsOpt(s, t, false)
}

// tsColumnsIndexOK is tsColumns for the resources whose type may carry an
// index signature (`[key: string]: any`): upstream allows one for IngestApi,
// Stream and an IngestPipeline whose table is off, and then keeps only the
// named properties as columns.
func tsColumnsIndexOK(s tsScope, t tsyntax.Type) ([]infra.Column, error) {
	return tsColumnsOpt(s, t, true)
}

func tsColumnsOpt(s tsScope, t tsyntax.Type, allowIndex bool) ([]infra.Column, error) {
	return newTSTypeReader().columns(s, t, allowIndex)
}

// tsApiParamColumns is tsColumns for the query parameters of an `Api<Q, R>`:
// upstream's typia reads Q as an HTTP query, whose properties must be
// strings, numbers, booleans (their literals, enums and tagged forms) or
// arrays of them; a Date or an object is refused at compile time.
func tsApiParamColumns(s tsScope, t tsyntax.Type) ([]infra.Column, error) {
	return newTSTypeReader().apiParams(s, t)
}

// tsTypeReader converts the types of many resources of one load, sharing
// what it resolved (a declaration used by many models is read once, a
// library type built once). The declarations and scopes it is given must
// not change while it is in use: make one per load. Not for concurrent use.
type tsTypeReader struct{ r *ttResolver }

func newTSTypeReader() *tsTypeReader { return &tsTypeReader{r: newTTResolver()} }

// apiParams is tsApiParamColumns with this reader's memory.
func (tr *tsTypeReader) apiParams(s tsScope, t tsyntax.Type) (cols []infra.Column, err error) {
	cols, err = tr.columns(s, t, false)
	if err != nil {
		return nil, err
	}
	// the model resolved fine: read its properties again (memoised) for typia's query rule
	r := tr.r
	typ, err := r.resolve(&ttCtx{scope: s}, t)
	if err != nil {
		return nil, ttError(err, s.file(), t.Position())
	}
	props, err := r.propsOf(typ)
	if err != nil {
		return nil, ttError(err, s.file(), t.Position())
	}
	for _, p := range props {
		pt, err := r.fullType(p)
		if err != nil {
			return nil, ttError(ttWithField(err, p.name, p.file, p.pos), s.file(), t.Position())
		}
		if bad := r.queryParamType(ttNonNull(pt), true); bad != nil {
			return nil, &Error{File: p.file, Pos: ttPos(p.pos), Msg: fmt.Sprintf("field %q: %s is not a query parameter type: an Api's query parameters must be strings, numbers, booleans or arrays of them (upstream's typia refuses the type)", p.name, ttShow(bad, 0))}
		}
	}
	return cols, nil
}

// queryParamType is nil when typia's HTTP query reader accepts t, else the
// part it refuses.
func (r *ttResolver) queryParamType(t ttType, arrayOK bool) ttType {
	switch x := t.(type) {
	case *ttPrim:
		switch x {
		case ttString, ttNumber, ttBoolean, ttBigint, ttAny, ttNever:
			return nil
		}
		return t
	case *ttLit, *ttEnum, *ttEnumMember, *ttTemplate:
		return nil
	case *ttUnion:
		for _, m := range x.types {
			if bad := r.queryParamType(ttNonNull(m), arrayOK); bad != nil {
				return bad
			}
		}
		return nil
	case *ttInter:
		for _, m := range x.types {
			if ttFamily(m) != "" {
				return nil // a tagged primitive
			}
		}
		return t
	case *ttObj:
		if x.kind == ttArrayK && arrayOK {
			return r.queryParamType(ttNonNull(x.elem), false)
		}
	}
	return t
}

// columns is tsColumns (allowIndex false) or tsColumnsIndexOK (true) with
// this reader's memory.
func (tr *tsTypeReader) columns(s tsScope, t tsyntax.Type, allowIndex bool) (cols []infra.Column, err error) {
	r := tr.r
	r.steps, r.depth = 0, 0
	defer func() {
		if p := recover(); p != nil {
			if b, ok := p.(ttBudget); ok {
				// the reader's state may be half-built: start afresh next time
				tr.r = newTTResolver()
				cols, err = nil, &Error{File: s.file(), Pos: ttPos(t.Position()), Msg: string(b)}
				return
			}
			panic(p)
		}
	}()
	ctx := &ttCtx{scope: s}
	typ, err := r.resolve(ctx, t)
	if err != nil {
		return nil, ttError(err, s.file(), t.Position())
	}
	c := &ttConv{r: r, stack: []ttType{typ}}
	cols, err = c.toColumns(typ, allowIndex, "", ctx, t.Position())
	if err != nil {
		return nil, ttError(err, s.file(), t.Position())
	}
	return cols, nil
}

// tsTypeName is the name upstream gives the model (the interface's or alias's name, for JSON schema titles and Nested names).
// It is the name of the declaration a type reference resolves to, without
// type arguments (`Box<number>` is "Box"); a library name or a written type
// that is not a reference (an object literal, an intersection) has none ("").
func tsTypeName(s tsScope, t tsyntax.Type) string {
	for {
		p, ok := t.(*tsyntax.ParenType)
		if !ok {
			break
		}
		t = p.Type
	}
	ref, ok := t.(*tsyntax.TypeRef)
	if !ok {
		return ""
	}
	b, ok := s.lookupType(ref.Name)
	if !ok || b.Decl == nil {
		return ""
	}
	switch d := b.Decl.(type) {
	case *tsyntax.InterfaceDecl:
		return d.Name
	case *tsyntax.TypeAliasDecl:
		return d.Name
	case *tsyntax.EnumDecl:
		return d.Name
	case *tsyntax.ClassDecl:
		return d.Name
	}
	return ""
}

// ttErr is an error of the type reader before it becomes a *Error: where,
// what, and the field it concerns once known.
type ttErr struct {
	file  string
	pos   tsyntax.Pos
	field string
	msg   string
}

func (e *ttErr) Error() string { return e.msg }

// ttBudget is the panic value that stops a resolution which exceeds the
// reader's work budget (a fuzzer's or a pathological generic type); the
// entry points turn it into an error.
type ttBudget string

func ttErrf(file string, pos tsyntax.Pos, format string, args ...any) error {
	return &ttErr{file: file, pos: pos, msg: fmt.Sprintf(format, args...)}
}

// ttWithField names the field an error concerns and places it at the
// field's declaration, unless a nested field was already named (an error
// inside a field's type, e.g. at a `tags.Type<"uint8">` in it, is reported
// at the field, which the message names). An index signature's error keeps
// its own place. Errors may be kept (a property's failed type is
// remembered), so this returns a copy rather than changing err.
func ttWithField(err error, field string, file string, pos tsyntax.Pos) error {
	var te *ttErr
	if errors.As(err, &te) {
		if te.field != "" {
			return te
		}
		c := *te
		c.field = field
		if !strings.Contains(c.msg, "has an index signature") || c.file == "" {
			c.file, c.pos = file, pos
		}
		return &c
	}
	return &ttErr{file: file, pos: pos, field: field, msg: err.Error()}
}

func ttError(err error, file string, at tsyntax.Pos) error {
	var te *ttErr
	if !errors.As(err, &te) {
		return &Error{File: file, Pos: ttPos(at), Msg: err.Error()}
	}
	if te.file == "" {
		c := *te
		c.file, c.pos = file, at
		te = &c
	}
	msg := te.msg
	if te.field != "" {
		msg = fmt.Sprintf("field %q: %s", te.field, te.msg)
	}
	return &Error{File: te.file, Pos: ttPos(te.pos), Msg: msg}
}

func ttPos(p tsyntax.Pos) Pos { return Pos{Line: p.Line, Col: p.Col} }
