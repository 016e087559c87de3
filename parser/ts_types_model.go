package parser

import (
	"strconv"
	"strings"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// The model of the checker's types that the plugin's rules are applied to.
// It keeps what those rules look at: primitive and literal kinds, enum
// identity, union and intersection constituents in the checker's order,
// object types with their properties (declaration node and documentation
// kept, for the rules that read the syntax), index signatures, arrays and
// tuples. Library markers are ordinary phantom properties here, as they are
// for the checker, so that a user's own aliases over them compose.

type ttType interface{ ttKind() string }

// ttPrim is a keyword type: string number boolean bigint symbol any unknown
// never null undefined void object.
type ttPrim struct{ name string }

var (
	ttString    = &ttPrim{"string"}
	ttNumber    = &ttPrim{"number"}
	ttBoolean   = &ttPrim{"boolean"}
	ttBigint    = &ttPrim{"bigint"}
	ttSymbol    = &ttPrim{"symbol"}
	ttAny       = &ttPrim{"any"}
	ttUnknown   = &ttPrim{"unknown"}
	ttNever     = &ttPrim{"never"}
	ttNull      = &ttPrim{"null"}
	ttUndefined = &ttPrim{"undefined"}
	ttVoid      = &ttPrim{"void"}
	ttObjectKw  = &ttPrim{"object"}
)

var ttPrims = map[string]*ttPrim{}

func init() {
	for _, p := range []*ttPrim{ttString, ttNumber, ttBoolean, ttBigint, ttSymbol, ttAny, ttUnknown,
		ttNever, ttNull, ttUndefined, ttVoid, ttObjectKw} {
		ttPrims[p.name] = p
	}
}

// ttLit is a literal type. kind: 's' string, 'n' number, 'b' boolean, 'i' bigint (text kept).
type ttLit struct {
	kind byte
	s    string
	n    float64
	b    bool
}

// ttEnum is a declared enum: the union of its members' literal types. Its
// values are the distinct ones, each named after the first member that has
// it (the checker gives members of equal value one literal type).
type ttEnum struct {
	name    string
	values  []*ttEnumMember
	byName  map[string]*ttEnumMember
	bad     string // why the plugin refuses it, "" when it is a union enum of literals
	badPos  tsyntax.Pos
	badFile string
}

// ttEnumMember is an enum member's literal type.
type ttEnumMember struct {
	enum *ttEnum
	name string
	str  bool
	s    string
	n    float64
}

// ttUnion and ttInter cache what the plugin's rules ask of them repeatedly
// (their properties, their non-nullable form); a constructed type is never
// changed afterwards.
type ttUnion struct {
	types   []ttType
	cache   ttPropsCache
	nonNull ttType
}
type ttInter struct {
	types []ttType
	cache ttPropsCache
}

type ttPropsCache struct {
	done  bool
	props []*ttProp
	err   error
}

// ttTemplate is a template literal type with a non-literal hole (`user-${string}`): a string.
type ttTemplate struct{ text string }

type ttObjKind int

const (
	ttPlain ttObjKind = iota
	ttArrayK
	ttTupleK
	ttFuncK
	ttDateK
)

// ttObj is an object type: an interface, class, type literal, mapped type,
// array, tuple, function or the global Date.
type ttObj struct {
	kind    ttObjKind
	name    string // the checker's symbol name: the interface's or class's, "__type" for a literal or mapped type
	iface   bool   // a class or interface
	display string // how messages print it ("GeoFix", "Box<number>")
	file    string // where it is declared, for errors
	pos     tsyntax.Pos

	// members, filled by init on first use
	init     func() error
	initErr  error
	initDone bool
	busy     bool
	props    []*ttProp
	index    []ttIndex
	dateLike bool // an interface or class that extends Date

	elem     ttType // array element
	elems    []ttTupleElem
	readonly bool
}

type ttTupleElem struct {
	typ      ttType
	optional bool
	rest     bool
}

// ttIndex is an index signature: key string or number.
type ttIndex struct {
	key   ttType
	value func() (ttType, error)
	file  string // where the signature is written ("" when not in the project)
	pos   tsyntax.Pos
}

// ttProp is a property. Its declared type is resolved lazily, so that
// recursive interfaces can be read and refused only where used.
type ttProp struct {
	name     string
	optional bool
	typ      ttType
	lazy     func() (ttType, error)
	done     bool
	err      error
	node     tsyntax.Type // the first declaration's type node (nil: none)
	docs     []string     // documentation of the declarations, cooked
	file     string
	pos      tsyntax.Pos
	readonly bool

	// inheritedFrom is the base property a redeclared property takes its
	// documentation from when it has none of its own.
	inheritedFrom *ttProp
	full          ttType // the type with optionality's undefined, once read
	busy          bool   // its type is being resolved
	ctx           *ttCtx // where node is read, when lazy is nil
}

func (*ttPrim) ttKind() string       { return "prim" }
func (*ttLit) ttKind() string        { return "lit" }
func (*ttEnum) ttKind() string       { return "enum" }
func (*ttEnumMember) ttKind() string { return "member" }
func (*ttUnion) ttKind() string      { return "union" }
func (*ttInter) ttKind() string      { return "inter" }
func (*ttTemplate) ttKind() string   { return "template" }
func (*ttObj) ttKind() string        { return "obj" }

func ttStr(s string) *ttLit    { return &ttLit{kind: 's', s: s} }
func ttNum(n float64) *ttLit   { return &ttLit{kind: 'n', n: n} }
func ttBoolLit(b bool) *ttLit  { return &ttLit{kind: 'b', b: b} }
func ttBigLit(t string) *ttLit { return &ttLit{kind: 'i', s: t} }
func ttArray(e ttType) *ttObj  { return &ttObj{kind: ttArrayK, name: "Array", elem: e, initDone: true} }
func ttFunc() *ttObj           { return &ttObj{kind: ttFuncK, name: "__type", initDone: true} }
func ttDate() *ttObj           { return &ttObj{kind: ttDateK, name: "Date", iface: true, initDone: true} }
func ttTuple(el []ttTupleElem) *ttObj {
	return &ttObj{kind: ttTupleK, name: "__type", elems: el, initDone: true}
}

// ttObjOf is a type literal with the given properties, all resolved.
func ttObjOf(props ...*ttProp) *ttObj {
	return &ttObj{kind: ttPlain, name: "__type", props: props, initDone: true}
}

// ttPhantom is a resolved optional property, the shape of every marker.
func ttPhantom(name string, t ttType) *ttProp {
	return &ttProp{name: name, optional: true, typ: t, done: true}
}

// ---- construction: the checker's normalisations ----

// ttMkUnion builds a union as the checker does: nested unions flattened,
// never dropped, duplicates removed, literals absorbed by their primitive,
// true|false made boolean; an enum stays one constituent (so that stripping
// null from `E | null` gives back E, as the checker's origin tracking does).
func ttMkUnion(types ...ttType) ttType {
	if len(types) == 2 && (types[1] == ttUndefined || types[1] == ttNull) {
		// the common `T | undefined` of an optional property
		switch a := types[0].(type) {
		case *ttObj, *ttInter, *ttEnum, *ttTemplate:
			return &ttUnion{types: []ttType{a, types[1]}}
		case *ttPrim:
			switch a {
			case ttString, ttNumber, ttBoolean, ttBigint, ttSymbol, ttObjectKw:
				return &ttUnion{types: []ttType{a, types[1]}}
			}
		}
	}
	flat := make([]ttType, 0, len(types)+2)
	for _, t := range types {
		if u, ok := t.(*ttUnion); ok {
			flat = append(flat, u.types...)
		} else {
			flat = append(flat, t)
		}
	}
	var hasString, hasNumber, hasBoolean, hasBigint bool
	var enums []*ttEnum
	for _, t := range flat {
		switch t := t.(type) {
		case *ttPrim:
			switch t {
			case ttAny:
				return ttAny
			case ttUnknown:
				return ttUnknown
			case ttString:
				hasString = true
			case ttNumber:
				hasNumber = true
			case ttBoolean:
				hasBoolean = true
			case ttBigint:
				hasBigint = true
			}
		case *ttEnum:
			enums = append(enums, t)
		}
	}
	out := make([]ttType, 0, len(flat))
	hasTrue, hasFalse := false, false
	for _, t := range flat {
		switch x := t.(type) {
		case *ttPrim:
			if x == ttNever {
				continue
			}
		case *ttLit:
			switch {
			case x.kind == 's' && hasString, x.kind == 'n' && hasNumber,
				x.kind == 'b' && hasBoolean, x.kind == 'i' && hasBigint:
				continue
			}
			dup := false
			for _, o := range out {
				if ol, ok := o.(*ttLit); ok && ttSameLit(ol, x) {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			if x.kind == 'b' {
				if x.b {
					hasTrue = true
				} else {
					hasFalse = true
				}
			}
		case *ttEnumMember:
			if (x.str && hasString) || (!x.str && hasNumber) {
				continue
			}
			inEnum := false
			for _, e := range enums {
				if e == x.enum {
					inEnum = true
				}
			}
			if inEnum {
				continue
			}
		case *ttTemplate:
			if hasString {
				continue
			}
		}
		dup := false
		for _, o := range out {
			if o == t {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, t)
		}
	}
	if hasTrue && hasFalse && !hasBoolean {
		o2 := out[:0:0]
		placed := false
		for _, t := range out {
			if l, ok := t.(*ttLit); ok && l.kind == 'b' {
				if !placed {
					o2 = append(o2, ttBoolean)
					placed = true
				}
				continue
			}
			o2 = append(o2, t)
		}
		out = o2
	}
	switch len(out) {
	case 0:
		return ttNever
	case 1:
		return out[0]
	}
	return &ttUnion{types: out}
}

func ttSameLit(a, b *ttLit) bool {
	return a.kind == b.kind && a.s == b.s && a.b == b.b && (a.n == b.n || a.n != a.n && b.n != b.n)
}

func ttLitKey(l *ttLit) string {
	switch l.kind {
	case 's':
		return "s" + l.s
	case 'n':
		return "n" + strconv.FormatFloat(l.n, 'g', -1, 64)
	case 'b':
		return "b" + strconv.FormatBool(l.b)
	}
	return "i" + l.s
}

// ttMkInter builds an intersection as the checker does: flattened, unions
// distributed (`(A | null) & M` is `A & M`), never and any absorbing,
// disjoint primitives and literals reduced to never, duplicates removed,
// order kept.
func ttMkInter(types ...ttType) ttType {
	flat := types
	for _, t := range types {
		if _, ok := t.(*ttInter); ok {
			flat = make([]ttType, 0, len(types)+4)
			for _, t := range types {
				if i, ok := t.(*ttInter); ok {
					flat = append(flat, i.types...)
				} else {
					flat = append(flat, t)
				}
			}
			break
		}
	}
	size := 1
	for _, t := range flat {
		switch u := t.(type) {
		case *ttUnion:
			size *= len(u.types)
		case *ttEnum:
			if len(flat) > 1 {
				size *= len(u.values)
			}
		}
		if size > 256 {
			panic(ttBudget("an intersection of unions with more than 256 combinations is too large to read statically"))
		}
	}
	for i, t := range flat {
		switch u := t.(type) {
		case *ttUnion:
			var alts []ttType
			for _, m := range u.types {
				parts := make([]ttType, 0, len(flat))
				parts = append(parts, flat[:i]...)
				parts = append(parts, m)
				parts = append(parts, flat[i+1:]...)
				alts = append(alts, ttMkInter(parts...))
			}
			return ttMkUnion(alts...)
		case *ttEnum:
			if len(flat) > 1 {
				var alts []ttType
				for _, m := range u.values {
					parts := make([]ttType, 0, len(flat))
					parts = append(parts, flat[:i]...)
					parts = append(parts, m)
					parts = append(parts, flat[i+1:]...)
					alts = append(alts, ttMkInter(parts...))
				}
				return ttMkUnion(alts...)
			}
		}
	}
	var out []ttType
	kind := "" // the primitive family present
	var lit ttType
	for _, t := range flat {
		switch x := t.(type) {
		case *ttPrim:
			switch x {
			case ttNever:
				return ttNever
			case ttAny:
				return ttAny
			case ttUnknown:
				continue
			}
		}
		fam := ttFamily(t)
		if fam != "" {
			if kind != "" && kind != fam {
				return ttNever
			}
			kind = fam
			if ttIsUnit(t) {
				if lit != nil && !ttSameUnit(lit, t) {
					return ttNever
				}
				lit = t
			}
		}
		dup := false
		for _, o := range out {
			if o == t {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, t)
		}
	}
	if kind == "null" || kind == "undefined" || kind == "void" {
		for _, t := range out {
			if _, ok := t.(*ttObj); ok {
				return ttNever
			}
		}
	}
	if lit != nil {
		// a literal absorbs its primitive
		var o2 []ttType
		for _, t := range out {
			if p, ok := t.(*ttPrim); ok && ttFamily(p) == kind {
				continue
			}
			if _, ok := t.(*ttTemplate); ok {
				continue
			}
			o2 = append(o2, t)
		}
		out = o2
	}
	switch len(out) {
	case 0:
		return ttUnknown
	case 1:
		return out[0]
	}
	return &ttInter{types: out}
}

// ttFamily is the primitive family of a primitive, literal or enum member ("" for others).
func ttFamily(t ttType) string {
	switch x := t.(type) {
	case *ttPrim:
		switch x {
		case ttString, ttNumber, ttBoolean, ttBigint, ttSymbol, ttNull, ttUndefined, ttVoid:
			if x == ttVoid {
				return "undefined"
			}
			return x.name
		}
	case *ttLit:
		switch x.kind {
		case 's':
			return "string"
		case 'n':
			return "number"
		case 'b':
			return "boolean"
		}
		return "bigint"
	case *ttEnumMember:
		if x.str {
			return "string"
		}
		return "number"
	case *ttTemplate:
		return "string"
	}
	return ""
}

func ttIsUnit(t ttType) bool {
	switch t.(type) {
	case *ttLit, *ttEnumMember:
		return true
	}
	return false
}

func ttSameUnit(a, b ttType) bool {
	if a == b {
		return true
	}
	la, ok1 := a.(*ttLit)
	lb, ok2 := b.(*ttLit)
	return ok1 && ok2 && ttLitKey(la) == ttLitKey(lb)
}

// ttNonNull is the checker's getNonNullableType: null and undefined removed.
// unknown is refused by the caller before (its non-nullable form crashes the plugin).
func ttNonNull(t ttType) ttType {
	switch x := t.(type) {
	case *ttPrim:
		if x == ttNull || x == ttUndefined || x == ttVoid {
			return ttNever
		}
	case *ttUnion:
		if x.nonNull != nil {
			return x.nonNull
		}
		var keep []ttType
		for _, m := range x.types {
			if m == ttNull || m == ttUndefined || m == ttVoid {
				continue
			}
			keep = append(keep, m)
		}
		if len(keep) == len(x.types) {
			x.nonNull = t
		} else {
			x.nonNull = ttMkUnion(keep...)
		}
		return x.nonNull
	}
	return t
}

// ttWithUndefined is a property's type as read: optional adds undefined.
func ttWithUndefined(t ttType, optional bool) ttType {
	if !optional {
		return t
	}
	return ttMkUnion(t, ttUndefined)
}

// ---- printing, for messages ----

func ttShow(t ttType, depth int) string {
	if depth > 6 {
		return "..."
	}
	switch x := t.(type) {
	case *ttPrim:
		return x.name
	case *ttLit:
		switch x.kind {
		case 's':
			return strconv.Quote(x.s)
		case 'n':
			return ttNumText(x.n)
		case 'b':
			return strconv.FormatBool(x.b)
		}
		return x.s
	case *ttEnum:
		return x.name
	case *ttEnumMember:
		return x.enum.name + "." + x.name
	case *ttTemplate:
		return x.text
	case *ttUnion:
		parts := make([]string, len(x.types))
		for i, m := range x.types {
			parts[i] = ttShowIn(m, depth+1)
		}
		return strings.Join(parts, " | ")
	case *ttInter:
		parts := make([]string, len(x.types))
		for i, m := range x.types {
			parts[i] = ttShowIn(m, depth+1)
		}
		return strings.Join(parts, " & ")
	case *ttObj:
		switch x.kind {
		case ttArrayK:
			return ttShowIn(x.elem, depth+1) + "[]"
		case ttTupleK:
			parts := make([]string, len(x.elems))
			for i, e := range x.elems {
				parts[i] = ttShow(e.typ, depth+1)
				if e.optional {
					parts[i] += "?"
				}
				if e.rest {
					parts[i] = "..." + parts[i] + "[]"
				}
			}
			return "[" + strings.Join(parts, ", ") + "]"
		case ttFuncK:
			return "a function"
		case ttDateK:
			return "Date"
		}
		if x.display != "" {
			return x.display
		}
		if x.name != "__type" {
			return x.name
		}
		if x.initDone && x.initErr == nil {
			var b strings.Builder
			b.WriteString("{ ")
			for i, p := range x.props {
				if i == 6 {
					b.WriteString("...; ")
					break
				}
				b.WriteString(p.name)
				if p.optional {
					b.WriteString("?")
				}
				b.WriteString(": ")
				if p.done && p.typ != nil {
					b.WriteString(ttShow(p.typ, depth+1))
				} else {
					b.WriteString("...")
				}
				b.WriteString("; ")
			}
			b.WriteString("}")
			return b.String()
		}
		return "an object type"
	}
	return "?"
}

func ttShowIn(t ttType, depth int) string {
	switch t.(type) {
	case *ttUnion, *ttInter:
		return "(" + ttShow(t, depth) + ")"
	}
	return ttShow(t, depth)
}

// ttNumText prints a number as JavaScript does for the common cases.
func ttNumText(n float64) string {
	if n == float64(int64(n)) && n < 1e21 && n > -1e21 {
		return strconv.FormatInt(int64(n), 10)
	}
	return strconv.FormatFloat(n, 'g', -1, 64)
}
