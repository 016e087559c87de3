package tsyntax

// Walk visits n and every node below it depth-first in source order,
// calling f for each (a *File's statements when n is a *File). When f
// returns false the node's children are skipped. Value members of slices
// (VarDeclarator, ImportName, EnumMember, TupleElem) are visited as
// pointers into their slice; a PatternProp is not a node, its parts are.
// A shorthand property (`{k}`, `{k = d}`) is visited through its value,
// which holds the key, so the key is visited once.
func Walk(n Node, f func(Node) bool) {
	if n == nil {
		return
	}
	w := walker{f}
	w.node(n)
}

// WalkFile visits every statement of a file (see Walk).
func WalkFile(file *File, f func(Node) bool) {
	w := walker{f}
	for _, s := range file.Stmts {
		w.node(s)
	}
}

type walker struct{ f func(Node) bool }

func (w walker) exprs(xs []Expr) {
	for _, x := range xs {
		if x != nil {
			w.node(x)
		}
	}
}

func (w walker) stmts(xs []Stmt) {
	for _, x := range xs {
		if x != nil {
			w.node(x)
		}
	}
}

func (w walker) types(xs []Type) {
	for _, x := range xs {
		if x != nil {
			w.node(x)
		}
	}
}

func (w walker) opt(n Node) {
	if n != nil {
		w.node(n)
	}
}

func (w walker) expr(x Expr) {
	if x != nil {
		w.node(x)
	}
}

func (w walker) typ(t Type) {
	if t != nil {
		w.node(t)
	}
}

func (w walker) pat(p Pattern) {
	if p != nil {
		w.node(p)
	}
}

func (w walker) fn(f *Func) {
	if f != nil {
		w.node(f)
	}
}

func (w walker) class(c *Class) {
	if c != nil {
		w.node(c)
	}
}

func (w walker) members(ms []TypeMember) {
	for _, m := range ms {
		if m != nil {
			w.node(m)
		}
	}
}

func (w walker) typeParams(tps []*TypeParam) {
	for _, tp := range tps {
		if tp != nil {
			w.node(tp)
		}
	}
}

func (w walker) typeRefs(rs []*TypeRef) {
	for _, r := range rs {
		if r != nil {
			w.node(r)
		}
	}
}

func (w walker) names(ns []ImportName) {
	for i := range ns {
		w.node(&ns[i])
	}
}

func (w walker) node(n Node) {
	if !w.f(n) {
		return
	}
	switch n := n.(type) {
	// statements
	case *ImportDecl:
		w.names(n.Names)
	case *ImportName, *Empty, *ExportAsNamespace:
	case *ExportDecl:
		w.opt(n.Decl)
	case *ExportDefault:
		w.expr(n.Expr)
	case *ExportNames:
		w.names(n.Names)
	case *ExportAssign:
		w.expr(n.Expr)
	case *VarDecl:
		for i := range n.Decls {
			w.node(&n.Decls[i])
		}
	case *VarDeclarator:
		w.pat(n.Name)
		w.typ(n.Type)
		w.expr(n.Init)
	case *FuncDecl:
		w.fn(n.Func)
	case *ClassDecl:
		w.class(n.Class)
	case *InterfaceDecl:
		w.typeParams(n.TypeParams)
		w.typeRefs(n.Extends)
		w.members(n.Members)
	case *TypeAliasDecl:
		w.typeParams(n.TypeParams)
		w.typ(n.Type)
	case *EnumDecl:
		for i := range n.Members {
			w.node(&n.Members[i])
		}
	case *EnumMember:
		w.expr(n.Init)
	case *ModuleDecl:
		w.stmts(n.Body)
	case *ExprStmt:
		w.expr(n.Expr)
	case *Block:
		w.stmts(n.Stmts)
	case *Control:
		w.pat(n.Param)
		// Exprs and Body are each in source order; merge them by position
		// (`do body while (c)` has its expression last, a for-of its
		// declaration first).
		i, j := 0, 0
		for i < len(n.Exprs) || j < len(n.Body) {
			switch {
			case i < len(n.Exprs) && n.Exprs[i] == nil:
				i++
			case j < len(n.Body) && n.Body[j] == nil:
				j++
			case j >= len(n.Body) || i < len(n.Exprs) && n.Exprs[i].Position().Off < n.Body[j].Position().Off:
				w.node(n.Exprs[i])
				i++
			default:
				w.node(n.Body[j])
				j++
			}
		}
	case *Jump:
		w.expr(n.Expr)
	case *ImportEquals:
		w.expr(n.Ref)

	// classes and functions
	case *Func:
		w.typeParams(n.TypeParams)
		for _, p := range n.Params {
			if p != nil {
				w.node(p)
			}
		}
		w.typ(n.Return)
		if n.Body != nil {
			w.node(n.Body)
		}
		w.expr(n.ExprBody)
	case *Param:
		w.exprs(n.Decorators)
		w.pat(n.Name)
		w.typ(n.Type)
		w.expr(n.Default)
	case *Class:
		w.exprs(n.Decorators)
		w.typeParams(n.TypeParams)
		w.expr(n.Extends)
		w.types(n.ExtendsArg)
		w.typeRefs(n.Implements)
		for _, m := range n.Members {
			if m != nil {
				w.node(m)
			}
		}
	case *ClassMember:
		w.exprs(n.Decorators)
		w.expr(n.Name)
		w.typ(n.IndexKey)
		w.typ(n.Type)
		w.expr(n.Init)
		w.fn(n.Func)
		if n.Body != nil {
			w.node(n.Body)
		}

	// patterns
	case *ObjectPattern:
		for _, pp := range n.Props {
			w.expr(pp.Key)
			if pp.Value != nil && Node(pp.Value) != Node(pp.Key) {
				w.node(pp.Value)
			}
			w.expr(pp.Default)
		}
		w.pat(n.Rest)
	case *ArrayPattern:
		for i, el := range n.Elems {
			w.pat(el)
			if i < len(n.Defs) {
				w.expr(n.Defs[i])
			}
		}
		w.pat(n.Rest)

	// expressions
	case *Ident, *PrivateName, *StringLit, *NumberLit, *BoolLit, *NullLit, *RegexLit, *MetaProp:
	case *Template:
		w.expr(n.Tag)
		w.types(n.TypeArgs)
		w.exprs(n.Exprs)
	case *ArrayLit:
		w.exprs(n.Elems)
	case *Spread:
		w.expr(n.Arg)
	case *ObjectLit:
		for _, p := range n.Props {
			if p != nil {
				w.node(p)
			}
		}
	case *Prop:
		if n.Kind == "shorthand" && n.Value != nil { // the value holds the key: `k` or `k = d`
			w.node(n.Value)
			break
		}
		w.expr(n.Key)
		if n.Value != nil && n.Value != n.Key {
			w.node(n.Value)
		}
		w.fn(n.Func)
	case *Computed:
		w.expr(n.Expr)
	case *FuncExpr:
		w.fn(n.Func)
	case *Arrow:
		w.fn(n.Func)
	case *ClassExpr:
		w.class(n.Class)
	case *Unary:
		w.expr(n.X)
	case *Binary:
		w.expr(n.X)
		w.expr(n.Y)
	case *Assign:
		w.expr(n.Target)
		w.expr(n.Value)
	case *Cond:
		w.expr(n.Test)
		w.expr(n.Then)
		w.expr(n.Else)
	case *Call:
		w.expr(n.Callee)
		w.types(n.TypeArgs)
		w.exprs(n.Args)
	case *New:
		w.expr(n.Callee)
		w.types(n.TypeArgs)
		w.exprs(n.Args)
	case *Member:
		w.expr(n.X)
	case *Index:
		w.expr(n.X)
		w.expr(n.Index)
	case *Paren:
		w.expr(n.X)
	case *AsExpr:
		if n.Type != nil && n.X != nil && n.Type.Position().Off < n.X.Position().Off { // `<T>x`
			w.typ(n.Type)
			w.expr(n.X)
		} else {
			w.expr(n.X)
			w.typ(n.Type)
		}
	case *NonNull:
		w.expr(n.X)
	case *Yield:
		w.expr(n.X)
	case *ImportCall:
		w.expr(n.Arg)
	case *Instantiate:
		w.expr(n.X)
		w.types(n.TypeArgs)

	// types
	case *TypeRef:
		w.types(n.Args)
	case *KeywordType:
	case *LiteralType:
		w.expr(n.Lit)
	case *TemplateType:
		w.types(n.Types)
	case *ArrayType:
		w.typ(n.Elem)
	case *TupleType:
		for i := range n.Elems {
			w.node(&n.Elems[i])
		}
	case *TupleElem:
		w.typ(n.Type)
	case *UnionType:
		w.types(n.Types)
	case *IntersectionType:
		w.types(n.Types)
	case *ObjectType:
		w.members(n.Members)
	case *FuncType:
		w.fn(n.Func)
	case *ParenType:
		w.typ(n.Type)
	case *TypeOperator:
		w.typ(n.Type)
	case *TypeQuery:
		w.expr(n.Expr)
		w.types(n.Args)
	case *IndexedType:
		w.typ(n.Object)
		w.typ(n.Index)
	case *ConditionalType:
		w.typ(n.Check)
		w.typ(n.Extends)
		w.typ(n.Then)
		w.typ(n.Else)
	case *InferType:
		w.typ(n.Constraint)
	case *MappedType:
		w.typ(n.In)
		w.typ(n.As)
		w.typ(n.Value)
	case *ImportType:
		w.types(n.Args)
	case *PredicateType:
		w.typ(n.Type)
	case *TypeParam:
		w.typ(n.Constraint)
		w.typ(n.Default)
	case *PropSig:
		w.expr(n.Computed)
		w.typ(n.Type)
	case *MethodSig:
		w.expr(n.Computed)
		w.fn(n.Func)
	case *CallSig:
		w.fn(n.Func)
	case *IndexSig:
		w.typ(n.Key)
		w.typ(n.Value)
	}
}
