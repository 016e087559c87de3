package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// module is one evaluated project module.
type module struct {
	name    string // dotted, e.g. "app.models"
	file    string // relative to the project root
	pkg     string // the package relative imports start from
	toks    []Token
	ns      map[string]value
	loading bool
}

// evaluator turns moose-lib objects into the infra.Map, for both front
// ends: the builders (olap.go, resources.go) are shared, the reading of
// modules is the language's (loadPython, loadTypeScript).
type evaluator struct {
	l         *Loader
	lang      *language
	defaultDB string
	modules   map[string]*module // Python modules by dotted name
	ts        *tsProgram         // TypeScript modules
	out       *infra.Map
	defined   map[string]definition // "kind:key" -> where it was defined
	flows     map[*infra.Topic]*flow
	mainFile  string // "app/main.py", "app/index.ts": the executable of processes
	flowOrder []*infra.Topic
	loaded    map[string]bool // the project files read
	warnings  []string
	// each Python model's columns, worked out once: a table and a stream
	// of one model share them (columns are never written into, see
	// infra.Table.Canonicalize), and the annotations are the class's, as
	// Python evaluates them when the class is defined
	modelColumns map[*modelVal][]infra.Column
}

// loadPython evaluates the Python project from its main module.
func (ev *evaluator) loadPython() error {
	_, err := ev.importModule(ev.l.sourceDir+".main", Pos{}, "")
	return err
}

// moduleFile finds the file of a dotted project module, or "" when the
// module is not part of the project.
func (l *Loader) moduleFile(name string) (file string, isPkg bool) {
	if name != l.sourceDir && !strings.HasPrefix(name, l.sourceDir+".") {
		return "", false
	}
	rel := strings.ReplaceAll(name, ".", "/")
	if st, err := os.Stat(filepath.Join(l.root, rel+".py")); err == nil && !st.IsDir() {
		return rel + ".py", false
	}
	if st, err := os.Stat(filepath.Join(l.root, rel)); err == nil && st.IsDir() {
		return rel + "/__init__.py", true
	}
	return "", false
}

func (ev *evaluator) errAt(file string, p Pos, format string, args ...any) error {
	return &Error{File: file, Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// importModule loads a project module by dotted name. It returns nil (no
// error) when the name is not a project module.
func (ev *evaluator) importModule(name string, at Pos, fromFile string) (*module, error) {
	if m, ok := ev.modules[name]; ok {
		return m, nil // a cycle returns the partly loaded module, as Python does
	}
	// Python runs a module's parent packages first (app/__init__.py before
	// app/main.py).
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if _, err := ev.importModule(name[:i], at, fromFile); err != nil {
			return nil, err
		}
		if m, ok := ev.modules[name]; ok { // the parent imported it
			return m, nil
		}
	}
	file, isPkg := ev.l.moduleFile(name)
	if file == "" {
		if name == ev.l.sourceDir+".main" {
			return nil, fmt.Errorf("%s/main.py not found: the project's main module is missing", ev.l.sourceDir)
		}
		if strings.HasPrefix(name, ev.l.sourceDir+".") {
			return nil, ev.errAt(fromFile, at, "module %q not found in the project", name)
		}
		return nil, nil
	}
	pkg := name
	if !isPkg {
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			pkg = name[:i]
		} else {
			pkg = ""
		}
	}
	m := &module{name: name, file: file, pkg: pkg, ns: map[string]value{}, loading: true}
	ev.modules[name] = m
	ev.loaded[file] = true
	if isPkg {
		if _, err := os.Stat(filepath.Join(ev.l.root, filepath.FromSlash(file))); err != nil {
			m.loading = false
			return m, nil // a namespace package
		}
	}
	parsed, err := ev.l.readCached(file)
	if err != nil {
		return nil, err
	}
	ast := parsed.(*Module)
	m.toks = ast.Toks
	for _, st := range ast.Body {
		if err := ev.exec(m, st); err != nil {
			return nil, err
		}
	}
	m.loading = false
	return m, nil
}

func (ev *evaluator) exec(m *module, st Stmt) error {
	switch st := st.(type) {
	case *Import:
		for _, a := range st.Names {
			if a.AsName != "" {
				v, err := ev.importValue(m, a.Name, a.P)
				if err != nil {
					return err
				}
				m.ns[a.AsName] = v
				continue
			}
			top := strings.SplitN(a.Name, ".", 2)[0]
			// import the whole chain so that attribute access finds it
			if _, err := ev.importValue(m, a.Name, a.P); err != nil {
				return err
			}
			v, err := ev.importValue(m, top, a.P)
			if err != nil {
				return err
			}
			m.ns[top] = v
		}
	case *ImportFrom:
		base := st.Module
		if st.Level > 0 {
			parts := strings.Split(m.pkg, ".")
			if st.Level-1 >= len(parts) || m.pkg == "" {
				return ev.errAt(m.file, st.P, "relative import goes beyond the project's top-level package")
			}
			parts = parts[:len(parts)-(st.Level-1)]
			base = strings.Join(parts, ".")
			if st.Module != "" {
				base += "." + st.Module
			}
		}
		src, err := ev.importModule(base, st.P, m.file)
		if err != nil {
			return err
		}
		for _, a := range st.Names {
			if a.Name == "*" {
				if src != nil {
					for k, v := range src.ns {
						if !strings.HasPrefix(k, "_") {
							m.ns[k] = v
						}
					}
				}
				continue
			}
			bind := a.Name
			if a.AsName != "" {
				bind = a.AsName
			}
			if src == nil {
				m.ns[bind] = extRef{canonical(base, a.Name)}
				continue
			}
			v, err := ev.member(src, a.Name, a.P, m.file)
			if err != nil {
				return err
			}
			m.ns[bind] = v
		}
	case *ClassDef:
		v, err := ev.classDef(m, st)
		if err != nil {
			return err
		}
		m.ns[st.Name] = v
	case *Assign:
		v, err := ev.eval(m, st.Value)
		if err != nil {
			return err
		}
		for _, t := range st.Targets {
			ev.bind(m, t, v)
		}
	case *AnnAssign:
		if st.Value != nil {
			v, err := ev.eval(m, st.Value)
			if err != nil {
				return err
			}
			ev.bind(m, st.Target, v)
		}
	case *ExprStmt:
		if _, err := ev.eval(m, st.Value); err != nil {
			return err
		}
	case *Other:
		return ev.execOther(m, st)
	}
	return nil
}

// execOther handles the compound statements at module level: a try body
// runs (optional imports); an `if __name__ == "__main__":` block is skipped
// as under import; a function is recorded; any other block that constructs
// a resource is refused, since which resources it makes is only known when
// it runs.
func (ev *evaluator) execOther(m *module, st *Other) error {
	switch st.Kind {
	case "try":
		for _, b := range st.Body {
			if err := ev.exec(m, b); err != nil {
				return err
			}
		}
		return nil
	case "def":
		fv := funcVal{name: st.Name, file: m.file}
		if tok, ok := ev.resourceMention(m, st.Span); ok {
			fv.creates = &tok
		}
		m.ns[st.Name] = fv
		return nil
	case "if":
		if isMainGuard(m, st.Cond) {
			return nil
		}
	}
	if tok, ok := ev.resourceMention(m, st.Span); ok {
		return ev.errAt(m.file, tok.Pos, "%s inside %s is created at run time: moose-dev reads resources only from module-level statements; define each one at module level", tok.Text, statementName(st.Kind))
	}
	return nil
}

func statementName(kind string) string {
	switch kind {
	case "if":
		return "an if statement"
	case "with":
		return "a with block"
	case "match":
		return "a match statement"
	}
	return "a " + kind + " loop"
}

// isMainGuard recognises `__name__ == "__main__"` (either way round).
func isMainGuard(m *module, cond Expr) bool {
	o, ok := cond.(*Opaque)
	if !ok || o.Kind != "comparison" || o.Span[1]-o.Span[0] != 3 || o.Span[1] > len(m.toks) {
		return false
	}
	t := m.toks[o.Span[0]:o.Span[1]]
	if t[1].Kind != OP || t[1].Text != "==" {
		return false
	}
	isName := func(k Token) bool { return k.Kind == NAME && k.Text == "__name__" }
	isMain := func(k Token) bool {
		v, _, _, err := decodeString(k.Text)
		return k.Kind == STRING && err == nil && v == "__main__"
	}
	return isName(t[0]) && isMain(t[2]) || isMain(t[0]) && isName(t[2])
}

// resourceConstructors are the moose_lib names whose call defines a resource.
var resourceConstructors = map[string]bool{"OlapTable": true, "Stream": true, "DeadLetterQueue": true,
	"IngestPipeline": true, "IngestApi": true, "Api": true, "ConsumptionApi": true, "MaterializedView": true,
	"View": true, "SqlResource": true, "Workflow": true, "WebApp": true}

// resourceMention finds a resource constructor called within a token span:
// a moose_lib resource name (imported, or reached as module.Name) followed
// by `[` or `(`.
func (ev *evaluator) resourceMention(m *module, span [2]int) (Token, bool) {
	toks := m.toks
	if span[1] > len(toks) {
		span[1] = len(toks)
	}
	for i := span[0]; i < span[1]-1; i++ {
		t := toks[i]
		if t.Kind != NAME || !resourceConstructors[t.Text] {
			continue
		}
		if nt := toks[i+1]; nt.Kind != OP || (nt.Text != "[" && nt.Text != "(") {
			continue
		}
		if i > 0 && toks[i-1].Kind == OP && toks[i-1].Text == "." {
			return t, true
		}
		if ref, ok := ev.lookup(m, &Name{ID: t.Text}).(extRef); ok && ref.qual == "moose_lib."+t.Text {
			return t, true
		}
	}
	return Token{}, false
}

func (ev *evaluator) bind(m *module, target Expr, v value) {
	switch t := target.(type) {
	case *Name:
		m.ns[t.ID] = v
	case *Tuple:
		vals, ok := v.(tupleVal)
		for i, e := range t.Elts {
			if ok && len(vals) == len(t.Elts) {
				ev.bind(m, e, vals[i])
			} else {
				ev.bind(m, e, unknownVal{pos: e.Position(), why: "a value unpacked at run time"})
			}
		}
	case *List:
		ev.bind(m, &Tuple{P: t.P, Elts: t.Elts}, v)
	}
}

// importValue returns what `import name` binds: a project module or an
// external reference.
func (ev *evaluator) importValue(m *module, name string, p Pos) (value, error) {
	mod, err := ev.importModule(name, p, m.file)
	if err != nil {
		return nil, err
	}
	if mod == nil {
		return extRef{canonical(name, "")}, nil
	}
	return moduleVal{mod}, nil
}

// member is `module.name`: a name the module defines, or a submodule.
func (ev *evaluator) member(src *module, name string, p Pos, fromFile string) (value, error) {
	if v, ok := src.ns[name]; ok {
		return v, nil
	}
	sub, err := ev.importModule(src.name+"."+name, p, fromFile)
	if err == nil && sub != nil {
		src.ns[name] = moduleVal{sub}
		return moduleVal{sub}, nil
	}
	if src.loading {
		return unknownVal{pos: p, why: fmt.Sprintf("%s.%s (not yet defined: circular import)", src.name, name)}, nil
	}
	return nil, ev.errAt(fromFile, p, "cannot import name %q from %s (%s)", name, src.name, src.file)
}

var enumBases = map[string]bool{"enum.Enum": true, "enum.IntEnum": true, "enum.StrEnum": true,
	"enum.Flag": true, "enum.IntFlag": true}

func (ev *evaluator) classDef(m *module, cd *ClassDef) (value, error) {
	var inherited []field
	isModel, enumKind := false, ""
	var undefined *unknownVal
	for _, b := range cd.Bases {
		bv, err := ev.eval(m, b)
		if err != nil {
			return nil, err
		}
		switch bv := bv.(type) {
		case extRef:
			if bv.qual == "pydantic.BaseModel" || bv.qual == "moose_lib.MooseModel" {
				isModel = true
			}
			if enumBases[bv.qual] {
				enumKind = bv.qual
			}
		case *modelVal:
			isModel = true
			inherited = append(inherited, bv.fields...)
		case unknownVal:
			if undefined == nil {
				undefined = &bv
			}
		}
	}
	if enumKind != "" {
		return ev.enumDef(m, cd, enumKind)
	}
	if !isModel {
		return classVal{name: cd.Name, undefinedBase: undefined, file: m.file}, nil
	}
	mv := &modelVal{name: cd.Name, file: m.file, pos: cd.P, fields: make([]field, 0, len(inherited)+len(cd.Body))}
	mv.fields = append(mv.fields, inherited...)
	for _, st := range cd.Body {
		if as, ok := st.(*Assign); ok && len(as.Targets) == 1 {
			if n, ok := as.Targets[0].(*Name); ok && n.ID == "model_config" {
				cfg, err := ev.eval(m, as.Value)
				if err != nil {
					return nil, err
				}
				if c, ok := cfg.(callVal); ok {
					mv.extraAllow = c.kwargs["extra"] == strVal("allow")
				} else if d, ok := cfg.(dictVal); ok {
					for i, k := range d.keys {
						if k == strVal("extra") && d.vals[i] == strVal("allow") {
							mv.extraAllow = true
						}
					}
				}
			}
			continue
		}
		aa, ok := st.(*AnnAssign)
		if !ok {
			continue
		}
		n, ok := aa.Target.(*Name)
		if !ok || strings.HasPrefix(n.ID, "_") || isClassVar(ev, m, aa.Annotation) {
			continue
		}
		f := field{name: n.ID, ann: aa.Annotation, value: aa.Value, mod: m, pos: aa.P}
		replaced := false
		for i := range mv.fields {
			if mv.fields[i].name == f.name {
				mv.fields[i], replaced = f, true
			}
		}
		if !replaced {
			mv.fields = append(mv.fields, f)
		}
	}
	return mv, nil
}

// isClassVar recognises a `ClassVar[...]` annotation, which pydantic does
// not treat as a field.
func isClassVar(ev *evaluator, m *module, ann Expr) bool {
	if sub, ok := ann.(*Subscript); ok {
		ann = sub.Value
	}
	switch x := ann.(type) {
	case *Name:
		return x.ID == "ClassVar" && isRef(ev.lookup(m, x), "typing.ClassVar")
	case *Attribute:
		return x.Attr == "ClassVar"
	}
	return false
}

// enumDef reads an Enum subclass's members: `NAME = value` with int or
// str values, or auto() (1, 2, ... after the last int; the lower-cased
// name for StrEnum).
func (ev *evaluator) enumDef(m *module, cd *ClassDef, kind string) (value, error) {
	e := &enumVal{name: cd.Name}
	next := int64(1)
	for _, st := range cd.Body {
		as, ok := st.(*Assign)
		if !ok || len(as.Targets) != 1 {
			continue
		}
		n, ok := as.Targets[0].(*Name)
		if !ok || strings.HasPrefix(n.ID, "_") {
			continue
		}
		v, err := ev.eval(m, as.Value)
		if err != nil {
			return nil, err
		}
		member := infra.EnumMember{Name: n.ID}
		switch x := v.(type) {
		case intVal:
			i := int64(x)
			member.Value.Int, next = &i, i+1
		case strVal:
			s := string(x)
			member.Value.Str = &s
		case callVal:
			if x.fn != "enum.auto" {
				return nil, ev.errAt(m.file, as.P, "enum %s: member %s must be an int, a str or auto(), found %s", cd.Name, n.ID, describe(v))
			}
			if kind == "enum.StrEnum" {
				s := strings.ToLower(n.ID)
				member.Value.Str = &s
			} else {
				i := next
				member.Value.Int, next = &i, next+1
			}
		default:
			return nil, ev.errAt(m.file, as.P, "enum %s: member %s must be an int, a str or auto(), found %s", cd.Name, n.ID, describe(v))
		}
		e.members = append(e.members, member)
	}
	if len(e.members) == 0 {
		return nil, ev.errAt(m.file, cd.P, "enum %s has no members", cd.Name)
	}
	return e, nil
}

func (ev *evaluator) lookup(m *module, n *Name) value {
	if v, ok := m.ns[n.ID]; ok {
		return v
	}
	if builtinNames[n.ID] {
		return extRef{"builtins." + n.ID}
	}
	return unknownVal{pos: n.P, why: fmt.Sprintf("name %q is not defined", n.ID)}
}

func (ev *evaluator) eval(m *module, e Expr) (value, error) {
	switch e := e.(type) {
	case *Name:
		return ev.lookup(m, e), nil
	case *Str:
		if e.IsF {
			return ev.evalFString(m, e)
		}
		return strVal(e.Value), nil
	case *Num:
		return parseNumber(e.Text), nil
	case *Const:
		switch e.Value {
		case "True":
			return boolVal(true), nil
		case "False":
			return boolVal(false), nil
		case "None":
			return noneVal{}, nil
		}
		return unknownVal{pos: e.P, why: "Ellipsis"}, nil
	case *List:
		vals, err := ev.evalAll(m, e.Elts)
		return listVal(vals), err
	case *Tuple:
		vals, err := ev.evalAll(m, e.Elts)
		return tupleVal(vals), err
	case *Dict:
		d := dictVal{}
		for i := range e.Keys {
			if e.Keys[i] == nil {
				return unknownVal{pos: e.P, why: "a dict built with ** unpacking"}, nil
			}
			k, err := ev.eval(m, e.Keys[i])
			if err != nil {
				return nil, err
			}
			v, err := ev.eval(m, e.Values[i])
			if err != nil {
				return nil, err
			}
			d.keys, d.vals = append(d.keys, k), append(d.vals, v)
		}
		return d, nil
	case *Attribute:
		base, err := ev.eval(m, e.Value)
		if err != nil {
			return nil, err
		}
		switch b := base.(type) {
		case moduleVal:
			return ev.member(b.mod, e.Attr, e.P, m.file)
		case extRef:
			return extRef{b.qual + "." + e.Attr}, nil
		case tableVal, streamVal, pipelineVal, mvVal, viewVal, resourceVal:
			return resourceAttr(b, e.Attr, e.P), nil
		case colsVal:
			if b.names[e.Attr] {
				return columnRef{e.Attr}, nil
			}
			return nil, ev.errAt(m.file, e.P, "no column %q", e.Attr)
		case *modelVal:
			for _, f := range b.fields {
				if f.name == e.Attr {
					return columnRef{e.Attr}, nil
				}
			}
		}
		return unknownVal{pos: e.P, why: fmt.Sprintf("attribute %q of %s", e.Attr, describe(base))}, nil
	case *Subscript:
		base, err := ev.eval(m, e.Value)
		if err != nil {
			return nil, err
		}
		var params []value
		if t, ok := e.Index.(*Tuple); ok {
			params, err = ev.evalAll(m, t.Elts)
		} else {
			var p value
			p, err = ev.eval(m, e.Index)
			params = []value{p}
		}
		if err != nil {
			return nil, err
		}
		return genericVal{base: base, params: params, pos: e.P}, nil
	case *BinOp:
		return ev.binOp(m, e)
	case *Call:
		return ev.call(m, e)
	}
	if o, ok := e.(*Opaque); ok {
		if tok, found := ev.resourceMention(m, o.Span); found {
			return nil, ev.errAt(m.file, tok.Pos, "%s inside a %s is created at run time: moose-dev reads resources only from module-level statements; define each one at module level", tok.Text, o.Kind)
		}
	}
	return unknownVal{pos: e.Position(), why: describeExpr(e)}, nil
}

func describeExpr(e Expr) string {
	if o, ok := e.(*Opaque); ok {
		return "a " + o.Kind
	}
	return "an expression evaluated at run time"
}

func (ev *evaluator) evalAll(m *module, es []Expr) ([]value, error) {
	out := make([]value, 0, len(es))
	for _, e := range es {
		v, err := ev.eval(m, e)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (ev *evaluator) binOp(m *module, e *BinOp) (value, error) {
	if e.Right == nil {
		return unknownVal{pos: e.P, why: "a power expression"}, nil
	}
	l, err := ev.eval(m, e.Left)
	if err != nil {
		return nil, err
	}
	r, err := ev.eval(m, e.Right)
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case "+":
		ls, lok := l.(strVal)
		rs, rok := r.(strVal)
		if lok && rok {
			return ls + rs, nil
		}
		li, lok := l.(intVal)
		ri, rok := r.(intVal)
		if lok && rok {
			return li + ri, nil
		}
	case "*":
		li, lok := l.(intVal)
		ri, rok := r.(intVal)
		if lok && rok {
			return li * ri, nil
		}
	case "|":
		var items []value
		for _, v := range []value{l, r} {
			if u, ok := v.(unionVal); ok {
				items = append(items, u.items...)
			} else {
				items = append(items, v)
			}
		}
		return unionVal{items: items}, nil
	}
	return unknownVal{pos: e.P, why: fmt.Sprintf("the result of %s %s %s", describe(l), e.Op, describe(r))}, nil
}

func (ev *evaluator) call(m *module, e *Call) (value, error) {
	fn, err := ev.eval(m, e.Func)
	if err != nil {
		return nil, err
	}
	args, err := ev.evalAll(m, e.Args)
	if err != nil {
		return nil, err
	}
	kwargs := map[string]value{}
	kwPos := map[string]Pos{}
	for _, kw := range e.Keywords {
		if kw.Name == "" {
			return unknownVal{pos: kw.P, why: "a call with ** arguments"}, nil
		}
		v, err := ev.eval(m, kw.Value)
		if err != nil {
			return nil, err
		}
		kwargs[kw.Name], kwPos[kw.Name] = v, kw.P
	}
	argPos := make([]Pos, len(e.Args))
	for i, a := range e.Args {
		argPos[i] = a.Position()
	}
	c := callVal{args: args, argPos: argPos, kwargs: kwargs, kwPos: kwPos, pos: e.P}
	switch f := fn.(type) {
	case genericVal:
		if ref, ok := f.base.(extRef); ok {
			if build, ok := genericResources[ref.qual]; ok {
				return build(ev, m, f, c)
			}
			c.fn = ref.qual // e.g. Task[In, Out](...): modelled by its arguments
			return c, nil
		}
	case extRef:
		if build, ok := plainResources[f.qual]; ok {
			return build(ev, m, c)
		}
		c.fn = f.qual
		return c, nil
	case methodVal:
		return ev.callMethod(m, f, c)
	case funcVal:
		if f.creates != nil {
			return nil, ev.errAt(m.file, e.P, "calling %s() creates %s %s at run time (%s:%d:%d): moose-dev reads resources only from module-level statements; define each one at module level",
				f.name, article(f.creates.Text), f.creates.Text, f.file, f.creates.Pos.Line, f.creates.Pos.Col)
		}
	}
	return unknownVal{pos: e.P, why: fmt.Sprintf("the result of calling %s", describe(fn))}, nil
}

// ---- moose_lib resources ----

// argument returns a call's argument by position or keyword.
func (c callVal) argument(i int, name string) (value, Pos, bool) {
	if v, ok := c.kwargs[name]; ok {
		return v, c.kwPos[name], true
	}
	if i >= 0 && i < len(c.args) {
		return c.args[i], c.argPos[i], true
	}
	return nil, c.pos, false
}

// definition is where a resource was defined.
type definition struct {
	file string
	pos  Pos
}

// register records a resource under its registry key; a second resource
// of the same kind and key is upstream's duplicate-name error.
func (ev *evaluator) register(kind, key, file string, p Pos) error {
	if prev, dup := ev.defined[kind+":"+key]; dup {
		return ev.errAt(file, p, "%s %q is already defined at %s:%d:%d", kind, key, prev.file, prev.pos.Line, prev.pos.Col)
	}
	ev.defined[kind+":"+key] = definition{file, p}
	return nil
}

// resourceHead reads what every `Resource[Model](name, ...)` call starts
// with: the model, the name, and the model's columns.
func (ev *evaluator) resourceHead(m *module, kind string, g genericVal, c callVal) (*modelVal, string, []infra.Column, error) {
	mv, err := ev.modelParam(m, kind, g)
	if err != nil {
		return nil, "", nil, err
	}
	name, err := ev.resourceName(m, kind, c)
	if err != nil {
		return nil, "", nil, err
	}
	cols, err := ev.columns(mv)
	if err != nil {
		return nil, "", nil, err
	}
	return mv, name, cols, nil
}

func (ev *evaluator) resourceName(m *module, kind string, c callVal) (string, error) {
	v, p, ok := c.argument(0, "name")
	if !ok {
		return "", ev.errAt(m.file, c.pos, "%s needs a name", kind)
	}
	s, ok := v.(strVal)
	if !ok {
		return "", ev.errAt(m.file, p, "%s name must be a string known before the program runs, found %s", kind, describe(v))
	}
	if s == "" {
		return "", ev.errAt(m.file, p, "%s name must not be empty", kind)
	}
	return string(s), nil
}

func (ev *evaluator) modelParam(m *module, kind string, g genericVal) (*modelVal, error) {
	if len(g.params) != 1 {
		return nil, ev.errAt(m.file, g.pos, "%s takes one type parameter (a pydantic model)", kind)
	}
	mv, ok := g.params[0].(*modelVal)
	if cv, isClass := g.params[0].(classVal); !ok && isClass && cv.undefinedBase != nil {
		hint := ""
		if strings.Contains(cv.undefinedBase.why, `"BaseModel"`) {
			hint = ` (add "from pydantic import BaseModel")`
		}
		return nil, ev.errAt(cv.file, cv.undefinedBase.pos, "%s, so class %s is not a pydantic model, and %s[...] needs one%s", cv.undefinedBase.why, cv.name, kind, hint)
	}
	if !ok {
		return nil, ev.errAt(m.file, g.pos, "%s[...] needs a pydantic BaseModel subclass, found %s", kind, describe(g.params[0]))
	}
	return mv, nil
}

func (ev *evaluator) metadata(m *module) *infra.Metadata {
	return &infra.Metadata{Source: &infra.SourceLocation{File: m.file}}
}

func (ev *evaluator) optString(m *module, p Pos, key string, v value) (*string, error) {
	switch v := v.(type) {
	case noneVal:
		return nil, nil
	case strVal:
		s := string(v)
		return &s, nil
	}
	return nil, ev.errAt(m.file, p, "%s must be a string known before the program runs, found %s", key, describe(v))
}

func (ev *evaluator) stringList(m *module, p Pos, key string, v value) ([]string, error) {
	items, ok := elements(v)
	if !ok {
		return nil, ev.errAt(m.file, p, "%s must be a list of strings, found %s", key, describe(v))
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(strVal)
		if !ok {
			return nil, ev.errAt(m.file, p, "%s must be a list of strings, found %s in it", key, describe(it))
		}
		out = append(out, string(s))
	}
	return out, nil
}

func (ev *evaluator) stringDict(m *module, p Pos, key string, v value) (map[string]string, error) {
	d, ok := v.(dictVal)
	if !ok {
		return nil, ev.errAt(m.file, p, "%s must be a dict of strings, found %s", key, describe(v))
	}
	out := map[string]string{}
	for i := range d.keys {
		k, ok1 := d.keys[i].(strVal)
		val, ok2 := d.vals[i].(strVal)
		if !ok1 || !ok2 {
			return nil, ev.errAt(m.file, p, "%s must map strings to strings", key)
		}
		out[string(k)] = string(val)
	}
	return out, nil
}

func (ev *evaluator) lifeCycle(m *module, p Pos, v value) (infra.LifeCycle, error) {
	if ref, ok := v.(extRef); ok {
		switch strings.TrimPrefix(ref.qual, "moose_lib.LifeCycle.") {
		case "FULLY_MANAGED":
			return infra.FullyManaged, nil
		case "DELETION_PROTECTED":
			return infra.DeletionProtected, nil
		case "EXTERNALLY_MANAGED":
			return infra.ExternallyManaged, nil
		}
	}
	return "", ev.errAt(m.file, p, "life_cycle must be LifeCycle.FULLY_MANAGED, DELETION_PROTECTED or EXTERNALLY_MANAGED, found %s", describe(v))
}

func shortName(qual string) string {
	return strings.TrimPrefix(qual, "builtins.")
}

func parseNumber(text string) value {
	clean := strings.ReplaceAll(text, "_", "")
	var i int64
	if _, err := fmt.Sscan(clean, &i); err == nil && !strings.ContainsAny(clean, ".eEjJ") {
		return intVal(i)
	}
	var f float64
	if _, err := fmt.Sscan(clean, &f); err == nil {
		return floatVal(f)
	}
	return unknownVal{why: "number " + text}
}
