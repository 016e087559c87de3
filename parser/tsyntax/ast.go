// Package tsyntax is a TypeScript tokenizer and parser in pure Go: the whole
// syntax a Moose project's modules may contain (declarations, classes,
// generics, decorators, arrow functions, template and regular-expression
// literals, automatic semicolon insertion; not JSX), into a syntax tree
// whose module-level parts a static reader evaluates. Positions are 1-based
// lines and columns counted in bytes (a byte order mark is not counted in
// the columns of the first line; offsets count it); every node's P is the
// position of its first token, decorators and modifiers included.
//
// Parse builds the tree; Walk visits it. The error of Parse is an *Error
// whose Msg reads like a compiler's ("expected ')' after arguments ...",
// "unterminated string literal", "unexpected token '}'") and whose Pos is
// where the problem was found.
//
// It imports nothing of ours.
package tsyntax

// Pos is a position in a source file: 1-based line and column (bytes), and
// the 0-based byte offset.
type Pos struct{ Line, Col, Off int }

// Error is a syntax error at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// File is a parsed module.
type File struct {
	Stmts []Stmt
}

// Node is any syntax tree node.
type Node interface{ Position() Pos }

// Stmt is a statement.
type Stmt interface {
	Node
	stmt()
}

// Expr is an expression.
type Expr interface {
	Node
	expr()
}

// Type is a type expression.
type Type interface {
	Node
	typ()
}

// ---- statements ----

type (
	// ImportDecl is `import ...`. Default, Namespace and Names are each set
	// when present; a side-effect import (`import "./x"`) has none.
	ImportDecl struct {
		P         Pos
		TypeOnly  bool         // `import type ...`
		Default   string       // `import X from`
		Namespace string       // `import * as X from`
		Names     []ImportName // `import { a, b as c, type d } from`
		From      string       // the module specifier, cooked
		FromPos   Pos
	}
	// ImportName is one `a as b` of an import or export list; Local is the
	// name in this module (for exports: the name exported from here, or the
	// name in the source module for `export {a as b} from`).
	ImportName struct {
		P        Pos
		Name     string // the imported (or, for exports, the local) name; "default" allowed
		Alias    string // `as` name, or "" when absent
		TypeOnly bool   // `type a` inside the braces
	}
	// ExportDecl is `export <declaration>`; Default is set for
	// `export default <declaration>` (class, function or interface; the
	// class or function possibly unnamed). For `@dec export class C {}`,
	// the export, the class declaration and its Class all start at '@'.
	ExportDecl struct {
		P       Pos
		Default bool
		Decl    Stmt
	}
	// ExportDefault is `export default <expression>;`.
	ExportDefault struct {
		P    Pos
		Expr Expr
	}
	// ExportNames is `export { a, b as c }` (From == "") or
	// `export { a as b } from "./x"`, `export * from "./x"` (Star, no
	// Names) and `export * as ns from "./x"` (Star, StarAs).
	ExportNames struct {
		P        Pos
		TypeOnly bool // `export type { ... }`
		Star     bool
		StarAs   string
		Names    []ImportName
		From     string
		FromPos  Pos
	}
	// ExportAsNamespace is `export as namespace Name;` (UMD declarations).
	ExportAsNamespace struct {
		P    Pos
		Name string
	}
	// ExportAssign is `export = expr;`.
	ExportAssign struct {
		P    Pos
		Expr Expr
	}
	// VarDecl is `const|let|var a = 1, {b} = c;` (Declare for `declare const`).
	VarDecl struct {
		P       Pos
		Kind    string // "const", "let", "var", "using", "await using"
		Declare bool
		Decls   []VarDeclarator
	}
	// VarDeclarator is one binding of a VarDecl.
	VarDeclarator struct {
		P    Pos
		Name Pattern // *Ident for `a`, or a destructuring pattern
		Type Type    // nil when absent
		Init Expr    // nil when absent
		Def  bool    // definite assignment `a!: T`
	}
	// FuncDecl is a function declaration (also an overload signature or a
	// `declare function`, with a nil Body).
	FuncDecl struct {
		P     Pos
		Name  string // "" for `export default function () {}`
		Async bool
		Gen   bool
		Func  *Func
	}
	// ClassDecl is a class declaration.
	ClassDecl struct {
		P     Pos
		Name  string
		Class *Class
	}
	// InterfaceDecl is `interface Name<T> extends A, B<C> { ... }`.
	InterfaceDecl struct {
		P          Pos
		Name       string
		NamePos    Pos
		TypeParams []*TypeParam
		Extends    []*TypeRef
		Members    []TypeMember
		Declare    bool
	}
	// TypeAliasDecl is `type Name<T> = Type;`.
	TypeAliasDecl struct {
		P          Pos
		Name       string
		NamePos    Pos
		TypeParams []*TypeParam
		Type       Type
		Declare    bool
	}
	// EnumDecl is `[const] enum Name { A = 1, B, C = "c" }`.
	EnumDecl struct {
		P       Pos
		Name    string
		Const   bool
		Declare bool
		Members []EnumMember
	}
	// EnumMember is one member; Init is nil when the value is implicit.
	EnumMember struct {
		P    Pos
		Name string // identifier or cooked string name
		Init Expr
	}
	// ModuleDecl is `namespace A.B { ... }`, `module "x" { ... }` or
	// `declare global { ... }`; Body is nil for `declare module "x";`.
	ModuleDecl struct {
		P       Pos
		Name    string // dotted for namespaces; the cooked string for `module "x"`
		Declare bool
		Body    []Stmt
	}
	// ExprStmt is an expression statement.
	ExprStmt struct {
		P    Pos
		Expr Expr
	}
	// Block is `{ ... }`.
	Block struct {
		P     Pos
		Stmts []Stmt
	}
	// Control is any control-flow statement: if, for, for-in, for-of, while,
	// do, switch, try, labelled, with. Kind names it: "if", "for",
	// "for-in", "for-of" (Await for `for await`), "while", "do", "switch",
	// "try", "label", "with", and for the parts of a switch or a try
	// "case", "default", "catch", "finally".
	// Its parts are kept so that a reader can find what it contains: Exprs
	// are its expressions in source order (conditions, the initialiser,
	// test and update of a `for` when they are expressions, the object of
	// a for-in/of, a case test; never nil entries), Body its statements in
	// source order:
	//   - if: the branches, each a *Block (a branch that is a single
	//     statement is wrapped in a *Block at its position; `else if` is a
	//     *Block holding the inner "if");
	//   - for, for-in, for-of, while, do, with: a declaration head
	//     (`for (const x of xs)`, `for (let i = 0; ...)`) as a *VarDecl
	//     first, then the body as a *Block;
	//   - switch: one "case" or "default" Control per clause (Exprs: the
	//     test; Body: the clause's statements);
	//   - try: the try *Block, then a "catch" Control (Param: the binding,
	//     nil for `catch {`; Body: its *Block) and/or a "finally" Control
	//     (Body: its *Block);
	//   - label: Label, and the labelled statement as is.
	Control struct {
		P     Pos
		Kind  string
		Exprs []Expr
		Body  []Stmt
		Label string  // "label": the label
		Await bool    // `for await (... of ...)`
		Param Pattern // "catch": the binding, or nil
	}
	// Jump is return, break, continue or throw (Expr may be nil).
	Jump struct {
		P     Pos
		Kind  string
		Label string
		Expr  Expr
	}
	// Empty is `;` or a `debugger;` statement.
	Empty struct{ P Pos }
	// ImportEquals is `import a = require("x")` or `import a = B.C`.
	ImportEquals struct {
		P       Pos
		Name    string
		Require string // the module specifier of require(...), or ""
		Ref     Expr   // the entity name otherwise
	}
)

// ---- classes and functions ----

type (
	// Func is the shared part of functions, methods and arrows; P is the
	// position of its type parameters or parameters (for `x => x`, of x).
	Func struct {
		P          Pos
		TypeParams []*TypeParam
		Params     []*Param
		Return     Type   // nil when absent
		Body       *Block // nil for a signature; for an arrow with an expression body: nil and ExprBody set
		ExprBody   Expr   // an arrow's expression body
	}
	// Param is one parameter.
	Param struct {
		P          Pos
		Name       Pattern
		Type       Type
		Default    Expr
		Optional   bool
		Rest       bool
		Modifiers  []string // public, private, protected, readonly, override (constructor parameter properties)
		Decorators []Expr
	}
	// Class is a class body with its heritage; P is that of the class
	// declaration or expression (its first decorator, `abstract` or `class`).
	Class struct {
		P          Pos
		Abstract   bool
		Declare    bool // `declare class`
		Decorators []Expr
		TypeParams []*TypeParam
		Extends    Expr // nil when absent
		ExtendsArg []Type
		Implements []*TypeRef
		Members    []*ClassMember
	}
	// ClassMember is a property, method, accessor, constructor, index
	// signature or static block.
	ClassMember struct {
		P          Pos
		Kind       string   // "property", "method", "get", "set", "constructor", "index", "static-block"
		Name       Expr     // *Ident, *StringLit, *NumberLit, *PrivateName or *Computed; nil for constructor/index/static-block
		Modifiers  []string // public private protected static readonly abstract override declare accessor, as written
		Decorators []Expr
		Async      bool // `async m() {}`
		Gen        bool // `*m() {}`
		Optional   bool
		Def        bool   // definite assignment `x!: T`
		Type       Type   // property type or index signature value type
		Init       Expr   // property initialiser
		Func       *Func  // methods, accessors, constructors
		Body       *Block // static blocks
		IndexParam string // index signature `[IndexParam: IndexKey]: Type`
		IndexKey   Type
	}
)

// ---- patterns (binding targets) ----

// Pattern is a binding target: *Ident, *ObjectPattern or *ArrayPattern.
type Pattern interface{ Node }

type (
	// ObjectPattern is `{a, b: c, ...rest}`.
	ObjectPattern struct {
		P     Pos
		Props []PatternProp
		Rest  Pattern
	}
	// PatternProp is `key: value = default` in an object pattern.
	PatternProp struct {
		Key     Expr
		Value   Pattern
		Default Expr
	}
	// ArrayPattern is `[a, , b = 1, ...rest]` (nil elements for holes).
	ArrayPattern struct {
		P     Pos
		Elems []Pattern
		Defs  []Expr
		Rest  Pattern
	}
)

// ---- expressions ----

type (
	// Ident is an identifier (also `this`, `super` in expressions).
	Ident struct {
		P    Pos
		Name string
	}
	// PrivateName is `#x` (Name includes the '#').
	PrivateName struct {
		P    Pos
		Name string
	}
	// StringLit is a string literal; Value is cooked.
	StringLit struct {
		P     Pos
		Value string
	}
	// NumberLit is a number or bigint literal as written (`1_000`, `0x1f`, `10n`).
	NumberLit struct {
		P    Pos
		Text string
	}
	// BoolLit is true or false.
	BoolLit struct {
		P     Pos
		Value bool
	}
	// NullLit is null.
	NullLit struct{ P Pos }
	// RegexLit is `/body/flags`.
	RegexLit struct {
		P           Pos
		Body, Flags string
	}
	// Template is a template literal; Tag is nil when untagged. Quasis has
	// one more element than Exprs. Cooked is nil for a part whose escapes
	// are invalid (allowed in tagged templates); Raw is as written, with
	// CRLF and CR normalised to LF as the language does.
	Template struct {
		P        Pos
		Tag      Expr
		TypeArgs []Type
		Cooked   []*string
		Raw      []string
		Exprs    []Expr
	}
	// ArrayLit is `[a, ...b, , c]` (a nil element for a hole).
	ArrayLit struct {
		P     Pos
		Elems []Expr
	}
	// Spread is `...x` in an array, call arguments or an object literal.
	Spread struct {
		P   Pos
		Arg Expr
	}
	// ObjectLit is `{...}`.
	ObjectLit struct {
		P     Pos
		Props []*Prop
	}
	// Prop is one object literal member. Kind "init" (`k: v`), "shorthand"
	// (`k`; Value is the same *Ident as Key; for `k = d`, only valid in a
	// destructuring assignment, an *Assign of Key), "spread" (`...v`; Key
	// nil), "method", "get", "set".
	Prop struct {
		P     Pos
		Kind  string
		Key   Expr // *Ident, *StringLit, *NumberLit or *Computed
		Value Expr
		Func  *Func // methods and accessors
		Async bool  // `async m() {}`
		Gen   bool  // `*m() {}`
	}
	// Computed is a `[expr]` property key.
	Computed struct {
		P    Pos
		Expr Expr
	}
	// FuncExpr is a function expression (Name may be "").
	FuncExpr struct {
		P     Pos
		Name  string
		Async bool
		Gen   bool
		Func  *Func
	}
	// Arrow is an arrow function.
	Arrow struct {
		P     Pos
		Async bool
		Func  *Func
	}
	// ClassExpr is a class expression.
	ClassExpr struct {
		P     Pos
		Name  string
		Class *Class
	}
	// Unary is a prefix operator: ! ~ + - typeof void delete await ++ -- (Op),
	// or a postfix ++/-- (Postfix).
	Unary struct {
		P       Pos
		Op      string
		X       Expr
		Postfix bool
	}
	// Binary is a binary operator, including logical ones, `in`,
	// `instanceof` and `,`.
	Binary struct {
		P    Pos
		Op   string
		X, Y Expr
	}
	// Assign is `x = y`, `x += y`, ... (Op is the operator as written).
	Assign struct {
		P      Pos
		Op     string
		Target Expr
		Value  Expr
	}
	// Cond is `a ? b : c`.
	Cond struct {
		P                Pos
		Test, Then, Else Expr
	}
	// Call is `f<T>(args)` or `f?.(args)`.
	Call struct {
		P        Pos
		Callee   Expr
		TypeArgs []Type
		Args     []Expr
		Optional bool
	}
	// New is `new C<T>(args)`; Args is nil for `new C` without parentheses.
	New struct {
		P        Pos
		Callee   Expr
		TypeArgs []Type
		Args     []Expr
	}
	// Member is `x.name`, `x?.name` or `x.#name` (Name "#name").
	Member struct {
		P        Pos
		X        Expr
		Name     string
		NamePos  Pos
		Optional bool
	}
	// Index is `x[i]` or `x?.[i]`.
	Index struct {
		P        Pos
		X, Index Expr
		Optional bool
	}
	// Paren is `(x)`, kept so that positions and `(a, b)` stay visible.
	Paren struct {
		P Pos
		X Expr
	}
	// AsExpr is `x as T` (Const for `x as const`), `x satisfies T`
	// (Satisfies) or `<T>x`.
	AsExpr struct {
		P         Pos
		X         Expr
		Type      Type // nil for `as const`
		Const     bool
		Satisfies bool
	}
	// NonNull is `x!`.
	NonNull struct {
		P Pos
		X Expr
	}
	// Yield is `yield x` / `yield* x`.
	Yield struct {
		P        Pos
		Delegate bool
		X        Expr
	}
	// MetaProp is `new.target` or `import.meta`.
	MetaProp struct {
		P          Pos
		Meta, Prop string
	}
	// Instantiate is an instantiation expression `f<T>` (type arguments
	// not followed by a call).
	Instantiate struct {
		P        Pos
		X        Expr
		TypeArgs []Type
	}
	// ImportCall is `import("x")` (an options argument is not kept).
	ImportCall struct {
		P   Pos
		Arg Expr
	}
)

// ---- types ----

type (
	// TypeRef is a (possibly qualified) type name with type arguments:
	// `tags.Type<"int32">`. Name is dotted.
	TypeRef struct {
		P    Pos
		Name string
		Args []Type
	}
	// KeywordType is string, number, boolean, bigint, symbol, any, unknown,
	// never, void, undefined, null, object, this, intrinsic.
	KeywordType struct {
		P    Pos
		Name string
	}
	// LiteralType is a string, number, bigint, boolean literal type (Lit is
	// a *StringLit, *NumberLit, *BoolLit; a negative number is a *Unary).
	LiteralType struct {
		P   Pos
		Lit Expr
	}
	// TemplateType is a template literal type `` `a${T}b` `` (Quasis cooked,
	// one more than Types).
	TemplateType struct {
		P      Pos
		Quasis []string
		Types  []Type
	}
	// ArrayType is `T[]`.
	ArrayType struct {
		P    Pos
		Elem Type
	}
	// TupleType is `[A, B?, ...C]` (elements possibly named `x: A`).
	TupleType struct {
		P     Pos
		Elems []TupleElem
	}
	// TupleElem is one tuple element.
	TupleElem struct {
		P        Pos
		Name     string
		Type     Type
		Optional bool
		Rest     bool
	}
	// UnionType is `A | B | C` (a leading `|` allowed).
	UnionType struct {
		P     Pos
		Types []Type
	}
	// IntersectionType is `A & B & C`.
	IntersectionType struct {
		P     Pos
		Types []Type
	}
	// ObjectType is a type literal `{ ... }`.
	ObjectType struct {
		P       Pos
		Members []TypeMember
	}
	// FuncType is `(a: A) => R` or `new (a: A) => R` (Ctor).
	FuncType struct {
		P    Pos
		Ctor bool
		Func *Func
	}
	// ParenType is `(T)`.
	ParenType struct {
		P    Pos
		Type Type
	}
	// TypeOperator is `keyof T`, `unique symbol`, `readonly T[]`.
	TypeOperator struct {
		P    Pos
		Op   string
		Type Type
	}
	// TypeQuery is `typeof x.y<T>`.
	TypeQuery struct {
		P    Pos
		Expr Expr
		Args []Type
	}
	// IndexedType is `T["k"]`.
	IndexedType struct {
		P             Pos
		Object, Index Type
	}
	// ConditionalType is `C extends E ? T : F`.
	ConditionalType struct {
		P                          Pos
		Check, Extends, Then, Else Type
	}
	// InferType is `infer U [extends C]`.
	InferType struct {
		P          Pos
		Name       string
		Constraint Type
	}
	// MappedType is `{ [K in T as N]?: V }`.
	MappedType struct {
		P        Pos
		Readonly string // "", "+", "-" or "readonly"
		Param    string
		In       Type
		As       Type
		Optional string // "", "?", "+?", "-?"
		Value    Type
	}
	// ImportType is `import("x").A.B<T>`.
	ImportType struct {
		P    Pos
		From string
		Name string // dotted qualifier, may be ""
		Args []Type
	}
	// PredicateType is `x is T` or `asserts x [is T]` in a return position.
	PredicateType struct {
		P       Pos
		Asserts bool
		Param   string
		Type    Type
	}
)

// TypeParam is `T extends C = D` (with `in`/`out`/`const` modifiers).
type TypeParam struct {
	P          Pos
	Name       string
	Constraint Type
	Default    Type
	Modifiers  []string
}

// TypeMember is one member of an interface or type literal.
type TypeMember interface {
	Node
	member()
}

type (
	// PropSig is `readonly name?: Type;` with the `/** ... */` comment that
	// precedes it (Doc: the whole comment text, delimiters included, or "").
	PropSig struct {
		P        Pos
		Name     string // identifier, the cooked string key, or a number key as written
		Computed Expr   // set for `[expr]: T` keys; Name is then ""
		Optional bool
		Readonly bool
		Type     Type // nil when absent (implicitly any)
		Doc      string
	}
	// MethodSig is `name?<T>(params): R;`, also get/set accessors.
	MethodSig struct {
		P        Pos
		Name     string
		Computed Expr
		Optional bool
		Kind     string // "method", "get", "set"
		Func     *Func
	}
	// CallSig is `(params): R;` or `new (params): R;` (Ctor).
	CallSig struct {
		P    Pos
		Ctor bool
		Func *Func
	}
	// IndexSig is `[key: K]: V;`.
	IndexSig struct {
		P        Pos
		Param    string
		Key      Type
		Value    Type
		Readonly bool
	}
)
