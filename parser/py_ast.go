package parser

// Expr is a Python expression.
type Expr interface{ Position() Pos }

// Expression nodes. Only the forms the evaluator reads carry their parts;
// the others (comprehensions, lambdas, ...) are parsed fully and kept as
// Opaque so that evaluation can say what it met.
type (
	// Name is an identifier.
	Name struct {
		P  Pos
		ID string
	}
	// Attribute is `value.attr`.
	Attribute struct {
		P     Pos
		Value Expr
		Attr  string
	}
	// Call is `fn(args, kw=...)`.
	Call struct {
		P        Pos
		Func     Expr
		Args     []Expr
		Keywords []Keyword
	}
	// Subscript is `value[index]`; several indices make a Tuple.
	Subscript struct {
		P     Pos
		Value Expr
		Index Expr
	}
	// Str is a string or bytes literal (adjacent literals concatenated).
	Str struct {
		P       Pos
		Value   string
		IsF     bool // an f-string with replacement fields: Value is its raw body
		IsBytes bool
		Raw     bool
	}
	// Num is a numeric literal, as written.
	Num struct {
		P    Pos
		Text string
	}
	// Const is True, False, None or `...`.
	Const struct {
		P     Pos
		Value string
	}
	// List is `[a, b]`.
	List struct {
		P    Pos
		Elts []Expr
	}
	// Tuple is `(a, b)` or `a, b`.
	Tuple struct {
		P    Pos
		Elts []Expr
	}
	// Dict is `{k: v}`; a nil key is `**mapping`.
	Dict struct {
		P      Pos
		Keys   []Expr
		Values []Expr
	}
	// Set is `{a, b}`.
	Set struct {
		P    Pos
		Elts []Expr
	}
	// BinOp is `left op right`, for arithmetic and bitwise operators.
	BinOp struct {
		P           Pos
		Op          string
		Left, Right Expr
	}
	// UnaryOp is `-x`, `+x`, `~x` or `not x`.
	UnaryOp struct {
		P       Pos
		Op      string
		Operand Expr
	}
	// Starred is `*x` (or `**x` in calls).
	Starred struct {
		P     Pos
		Value Expr
	}
	// Opaque is any other expression form: parsed, never evaluated. Span
	// is its token range in the module.
	Opaque struct {
		P    Pos
		Kind string // "lambda", "comprehension", "comparison", ...
		Span [2]int
	}
)

// Keyword is `name=value` in a call; Name is empty for `**mapping`.
type Keyword struct {
	P     Pos
	Name  string
	Value Expr
}

func (e *Name) Position() Pos      { return e.P }
func (e *Attribute) Position() Pos { return e.P }
func (e *Call) Position() Pos      { return e.P }
func (e *Subscript) Position() Pos { return e.P }
func (e *Str) Position() Pos       { return e.P }
func (e *Num) Position() Pos       { return e.P }
func (e *Const) Position() Pos     { return e.P }
func (e *List) Position() Pos      { return e.P }
func (e *Tuple) Position() Pos     { return e.P }
func (e *Dict) Position() Pos      { return e.P }
func (e *Set) Position() Pos       { return e.P }
func (e *BinOp) Position() Pos     { return e.P }
func (e *UnaryOp) Position() Pos   { return e.P }
func (e *Starred) Position() Pos   { return e.P }
func (e *Opaque) Position() Pos    { return e.P }

// Stmt is a statement.
type Stmt interface{ Position() Pos }

type (
	// Import is `import a.b [as c], ...`.
	Import struct {
		P     Pos
		Names []Alias
	}
	// ImportFrom is `from [.]*module import names`.
	ImportFrom struct {
		P      Pos
		Module string
		Level  int
		Names  []Alias // a single "*" name for `import *`
	}
	// ClassDef is a class statement.
	ClassDef struct {
		P          Pos
		Name       string
		Bases      []Expr
		Keywords   []Keyword
		Body       []Stmt
		Decorators []Expr
	}
	// Assign is `t1 = t2 = value`.
	Assign struct {
		P       Pos
		Targets []Expr
		Value   Expr
	}
	// AnnAssign is `target: annotation [= value]`.
	AnnAssign struct {
		P          Pos
		Target     Expr
		Annotation Expr
		Value      Expr // nil without a value
	}
	// ExprStmt is an expression used as a statement (often a call).
	ExprStmt struct {
		P     Pos
		Value Expr
	}
	// Other is any other statement (def, if, for, try, ...): parsed, not
	// evaluated. Span is its token range; Name is a def's name; Cond an
	// if's first condition; Body a try's first block.
	Other struct {
		P    Pos
		Kind string
		Name string
		Cond Expr
		Body []Stmt
		Span [2]int
	}
)

// Alias is one imported name.
type Alias struct {
	P      Pos
	Name   string
	AsName string
}

func (s *Import) Position() Pos     { return s.P }
func (s *ImportFrom) Position() Pos { return s.P }
func (s *ClassDef) Position() Pos   { return s.P }
func (s *Assign) Position() Pos     { return s.P }
func (s *AnnAssign) Position() Pos  { return s.P }
func (s *ExprStmt) Position() Pos   { return s.P }
func (s *Other) Position() Pos      { return s.P }

// Module is a parsed file.
type Module struct {
	File string
	Body []Stmt
	Toks []Token
}
