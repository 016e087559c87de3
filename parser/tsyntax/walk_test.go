package tsyntax

import (
	"go/ast"
	goparser "go/parser"
	gotoken "go/token"
	"reflect"
	"strings"
	"testing"
)

// allNodeTypes lists a value of every struct type of ast.go; TestWalkCovers
// fails when ast.go gains a type missing here.
var allNodeTypes = []any{
	File{}, ImportDecl{}, ImportName{}, ExportDecl{}, ExportDefault{}, ExportNames{},
	ExportAsNamespace{}, ExportAssign{}, VarDecl{}, VarDeclarator{}, FuncDecl{}, ClassDecl{},
	InterfaceDecl{}, TypeAliasDecl{}, EnumDecl{}, EnumMember{}, ModuleDecl{}, ExprStmt{}, Block{},
	Control{}, Jump{}, Empty{}, ImportEquals{}, Func{}, Param{}, Class{}, ClassMember{},
	ObjectPattern{}, PatternProp{}, ArrayPattern{}, Ident{}, PrivateName{}, StringLit{},
	NumberLit{}, BoolLit{}, NullLit{}, RegexLit{}, Template{}, ArrayLit{}, Spread{}, ObjectLit{},
	Prop{}, Computed{}, FuncExpr{}, Arrow{}, ClassExpr{}, Unary{}, Binary{}, Assign{}, Cond{},
	Call{}, New{}, Member{}, Index{}, Paren{}, AsExpr{}, NonNull{}, Yield{}, MetaProp{},
	Instantiate{}, ImportCall{}, TypeRef{}, KeywordType{}, LiteralType{}, TemplateType{},
	ArrayType{}, TupleType{}, TupleElem{}, UnionType{}, IntersectionType{}, ObjectType{},
	FuncType{}, ParenType{}, TypeOperator{}, TypeQuery{}, IndexedType{}, ConditionalType{},
	InferType{}, MappedType{}, ImportType{}, PredicateType{}, TypeParam{}, PropSig{},
	MethodSig{}, CallSig{}, IndexSig{}, Pos{}, Error{},
}

// filler populates every child field of a node with distinct nodes, each
// marked by a unique offset, and records the offsets Walk must reach.
type filler struct {
	next int
	want map[int]string
}

var (
	posType  = reflect.TypeOf(Pos{})
	nodeType = reflect.TypeOf((*Node)(nil)).Elem()
)

func (f *filler) id(what string) int {
	f.next++
	f.want[f.next] = what
	return f.next
}

func (f *filler) leaf(t reflect.Type, what string) reflect.Value {
	p := Pos{Off: f.id(what)}
	var n any
	switch t {
	case reflect.TypeOf((*Stmt)(nil)).Elem():
		n = &Empty{P: p}
	case reflect.TypeOf((*Type)(nil)).Elem():
		n = &KeywordType{P: p, Name: "any"}
	case reflect.TypeOf((*TypeMember)(nil)).Elem():
		n = &PropSig{P: p}
	default: // Expr, Pattern, Node
		n = &Ident{P: p}
	}
	return reflect.ValueOf(n)
}

// fill sets the fields of the struct v (addressable).
func (f *filler) fill(v reflect.Value, path string) {
	t := v.Type()
	if _, ok := v.Addr().Interface().(Node); ok {
		v.FieldByName("P").Set(reflect.ValueOf(Pos{Off: f.id(path)}))
	}
	for i := 0; i < t.NumField(); i++ {
		fd := t.Field(i)
		fv := v.Field(i)
		name := path + "." + fd.Name
		switch {
		case fd.Type == posType:
		case fd.Type.Kind() == reflect.Interface:
			fv.Set(f.leaf(fd.Type, name))
		case fd.Type.Kind() == reflect.Pointer && fd.Type.Elem().Kind() == reflect.Struct:
			pv := reflect.New(fd.Type.Elem())
			f.fill(pv.Elem(), name)
			fv.Set(pv)
		case fd.Type.Kind() == reflect.Slice:
			et := fd.Type.Elem()
			sv := reflect.MakeSlice(fd.Type, 1, 1)
			switch {
			case et.Kind() == reflect.Interface:
				sv.Index(0).Set(f.leaf(et, name+"[0]"))
			case et.Kind() == reflect.Pointer && et.Elem().Kind() == reflect.Struct:
				pv := reflect.New(et.Elem())
				f.fill(pv.Elem(), name+"[0]")
				sv.Index(0).Set(pv)
			case et.Kind() == reflect.Struct:
				f.fill(sv.Index(0), name+"[0]")
			default:
				continue // []string, []*string
			}
			fv.Set(sv)
		}
	}
}

// TestWalkCovers builds each node type with every child field set and
// checks that Walk visits all of them, each once.
func TestWalkCovers(t *testing.T) {
	known := map[string]reflect.Type{}
	for _, v := range allNodeTypes {
		known[reflect.TypeOf(v).Name()] = reflect.TypeOf(v)
	}
	fset := gotoken.NewFileSet()
	af, err := goparser.ParseFile(fset, "ast.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range af.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, s := range gd.Specs {
			ts, ok := s.(*ast.TypeSpec)
			if !ok {
				continue
			}
			if _, isStruct := ts.Type.(*ast.StructType); isStruct && known[ts.Name.Name] == nil {
				t.Errorf("ast.go type %s is not in allNodeTypes", ts.Name.Name)
			}
		}
	}
	for _, v := range allNodeTypes {
		rt := reflect.TypeOf(v)
		pv := reflect.New(rt)
		n, ok := pv.Interface().(Node)
		if !ok {
			continue // File, PatternProp, Pos, Error: not nodes (PatternProp is reached through its pattern)
		}
		f := &filler{want: map[int]string{}}
		f.fill(pv.Elem(), rt.Name())
		seen := map[int]int{}
		Walk(n, func(n Node) bool {
			seen[n.Position().Off]++
			return true
		})
		for id, what := range f.want {
			if seen[id] != 1 {
				t.Errorf("%s: Walk visited %s %d times, want once", rt.Name(), what, seen[id])
			}
		}
		// f returning false skips the children
		count := 0
		Walk(n, func(Node) bool { count++; return false })
		if count != 1 {
			t.Errorf("%s: Walk with f returning false visited %d nodes, want 1", rt.Name(), count)
		}
	}
	// and a *File is walked statement by statement
	file := &File{Stmts: []Stmt{&Empty{P: Pos{Off: 1}}, &ExprStmt{P: Pos{Off: 2}, Expr: &Ident{P: Pos{Off: 3}}}}}
	var offs []int
	WalkFile(file, func(n Node) bool { offs = append(offs, n.Position().Off); return true })
	if !reflect.DeepEqual(offs, []int{1, 2, 3}) {
		t.Errorf("WalkFile visited %v, want [1 2 3]", offs)
	}
}

// TestWalkFindsNew finds `new X(...)` in function bodies, loops,
// conditionals, class members and nested expressions.
func TestWalkFindsNew(t *testing.T) {
	src := `
function make() { return new A() }
for (const x of xs) { new B(x) }
if (c) new C(); else { while (d) { new D() } }
class K { t = new E(); m() { return () => new F() } static { new G() } }
const h = c ? new H() : [new I(), { j: new J() }]
switch (v) { case 1: new L(); default: try { new M() } catch (e) { new N() } finally { new O() } }
label: do { new P() } while (false)
const q = ` + "`${new Q()}`" + `
export default new R()
`
	f := mustParse(t, src)
	var got []string
	WalkFile(f, func(n Node) bool {
		if nw, ok := n.(*New); ok {
			got = append(got, nw.Callee.(*Ident).Name)
		}
		return true
	})
	if want := "A B C D E F G H I J L M N O P Q R"; strings.Join(got, " ") != want {
		t.Errorf("found %q, want %q", strings.Join(got, " "), want)
	}
}
