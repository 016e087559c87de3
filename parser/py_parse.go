package parser

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// isKeyword reports Python's reserved words (a switch: consulted per token).
func isKeyword(s string) bool {
	switch s {
	case "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
		"del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
		"nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield":
		return true
	}
	return false
}

// isAugOp reports augmented assignment operators.
func isAugOp(s string) bool {
	switch s {
	case "+=", "-=", "*=", "/=", "//=", "%=", "@=", "&=", "|=", "^=", ">>=", "<<=", "**=":
		return true
	}
	return false
}

type parser struct {
	file string
	toks []Token
	i    int
}

// bail carries a syntax error out of the recursive descent.
type bail struct{ err *Error }

// Parse tokenizes and parses one Python file. file names it in errors.
// Every statement and expression form is parsed; ParseModule keeps only the
// statements the evaluator reads in detail and records the rest as Other.
func Parse(file, src string) (mod *Module, err error) {
	toks, err := Tokenize(file, src)
	if err != nil {
		return nil, err
	}
	p := &parser{file: file, toks: toks}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			mod, err = nil, b.err
		}
	}()
	mod = &Module{File: file, Toks: toks}
	for p.peek().Kind != EOF {
		if p.peek().Kind == NEWLINE {
			p.i++
			continue
		}
		mod.Body = append(mod.Body, p.statement()...)
	}
	return mod, nil
}

func (p *parser) peek() Token { return p.toks[p.i] }
func (p *parser) peekAt(n int) Token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() Token {
	t := p.toks[p.i]
	if t.Kind != EOF {
		p.i++
	}
	return t
}
func (p *parser) isOp(s string) bool { t := p.peek(); return t.Kind == OP && t.Text == s }
func (p *parser) isKw(s string) bool { t := p.peek(); return t.Kind == NAME && t.Text == s }
func (p *parser) acceptOp(s string) bool {
	if p.isOp(s) {
		p.i++
		return true
	}
	return false
}
func (p *parser) acceptKw(s string) bool {
	if p.isKw(s) {
		p.i++
		return true
	}
	return false
}

func (p *parser) failAt(t Token, format string, args ...any) {
	panic(bail{&Error{File: p.file, Pos: t.Pos, Msg: fmt.Sprintf(format, args...)}})
}

func (p *parser) expectOp(s string) Token {
	t := p.peek()
	if t.Kind != OP || t.Text != s {
		p.failAt(t, "invalid syntax: expected '%s', found %s", s, t.describe())
	}
	return p.next()
}

func (p *parser) expectKw(s string) {
	t := p.peek()
	if t.Kind != NAME || t.Text != s {
		p.failAt(t, "invalid syntax: expected '%s', found %s", s, t.describe())
	}
	p.i++
}

func (p *parser) expectName() Token {
	t := p.peek()
	if t.Kind != NAME || isKeyword(t.Text) {
		p.failAt(t, "invalid syntax: expected a name, found %s", t.describe())
	}
	return p.next()
}

func (p *parser) expectNewline() {
	t := p.peek()
	if t.Kind != NEWLINE && t.Kind != EOF {
		p.failAt(t, "invalid syntax: unexpected %s", t.describe())
	}
	p.next()
}

// ---- statements ----

func (p *parser) statement() []Stmt {
	t := p.peek()
	if t.Kind == INDENT {
		p.failAt(t, "unexpected indent")
	}
	if t.Kind == DEDENT {
		p.failAt(t, "unexpected unindent")
	}
	if t.Kind == OP && t.Text == "@" {
		return []Stmt{p.decorated()}
	}
	if t.Kind == NAME {
		switch t.Text {
		case "def":
			return []Stmt{p.funcDef(nil)}
		case "class":
			return []Stmt{p.classDef(nil)}
		case "if", "while", "for", "try", "with":
			return []Stmt{p.compound()}
		case "async":
			nt := p.peekAt(1)
			if nt.Kind == NAME && nt.Text == "def" {
				p.next()
				return []Stmt{p.funcDef(nil)}
			}
			if nt.Kind == NAME && (nt.Text == "for" || nt.Text == "with") {
				p.next()
				return []Stmt{p.compound()}
			}
		case "match":
			if p.looksLikeMatch() {
				return []Stmt{p.matchStmt()}
			}
		}
	}
	return p.simpleStatements()
}

func (p *parser) decorated() Stmt {
	var decos []Expr
	for p.acceptOp("@") {
		decos = append(decos, p.namedExpr())
		p.expectNewline()
	}
	switch {
	case p.isKw("def"):
		return p.funcDef(decos)
	case p.isKw("class"):
		return p.classDef(decos)
	case p.isKw("async") && p.peekAt(1).Text == "def":
		p.next()
		return p.funcDef(decos)
	}
	p.failAt(p.peek(), "invalid syntax: a decorator must be followed by def or class")
	return nil
}

func (p *parser) funcDef(decos []Expr) Stmt {
	i0 := p.i
	start := p.next() // def
	name := p.expectName()
	if p.isOp("[") { // type parameters
		p.skipBracketed("[", "]")
	}
	p.expectOp("(")
	p.parameters(")")
	p.expectOp(")")
	if p.acceptOp("->") {
		p.test()
	}
	p.expectOp(":")
	p.block()
	return &Other{P: start.Pos, Kind: "def", Name: name.Text, Span: [2]int{i0, p.i}}
}

// parameters parses a parameter list up to (not including) the closer.
func (p *parser) parameters(closer string) {
	for !p.isOp(closer) {
		switch {
		case p.acceptOp("*"), p.acceptOp("**"):
			if p.peek().Kind == NAME {
				p.expectName()
				if closer == ")" && p.acceptOp(":") {
					if p.isOp("*") { // *args: *Ts
						p.next()
					}
					p.test()
				}
			}
		case p.acceptOp("/"):
		default:
			p.expectName()
			if closer == ")" && p.acceptOp(":") {
				p.test()
			}
			if p.acceptOp("=") {
				p.test()
			}
		}
		if !p.acceptOp(",") {
			break
		}
	}
}

func (p *parser) classDef(decos []Expr) Stmt {
	start := p.next() // class
	name := p.expectName()
	cd := &ClassDef{P: start.Pos, Name: name.Text, Decorators: decos}
	if p.isOp("[") {
		p.skipBracketed("[", "]")
	}
	if p.acceptOp("(") {
		cd.Bases, cd.Keywords = p.arguments(")")
		p.expectOp(")")
	}
	p.expectOp(":")
	cd.Body = p.block()
	return cd
}

// skipBracketed skips a balanced bracketed group starting at the opener.
func (p *parser) skipBracketed(open, close string) {
	p.expectOp(open)
	depth := 1
	for depth > 0 {
		t := p.next()
		if t.Kind == EOF {
			p.failAt(t, "unexpected end of file")
		}
		if t.Kind == OP {
			switch t.Text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
		}
	}
}

// compound parses if/while/for/try/with and their continuation clauses.
func (p *parser) compound() Stmt {
	i0 := p.i
	start := p.next()
	kind := start.Text
	var cond Expr
	switch kind {
	case "if", "while":
		cond = p.namedExpr()
	case "for":
		p.targetList()
		p.expectKw("in")
		p.starExprList()
	case "with":
		p.withItems()
	case "try":
	}
	p.expectOp(":")
	body := p.block()
	for {
		t := p.peek()
		if t.Kind != NAME {
			break
		}
		switch {
		case t.Text == "elif" && (kind == "if"):
			p.next()
			p.namedExpr()
		case t.Text == "else" && kind != "with":
			p.next()
		case t.Text == "except" && kind == "try":
			p.next()
			p.acceptOp("*")
			if !p.isOp(":") {
				p.test()
				if p.acceptOp(",") {
					p.test()
				}
				if p.acceptKw("as") {
					p.expectName()
				}
			}
		case t.Text == "finally" && kind == "try":
			p.next()
		default:
			return &Other{P: start.Pos, Kind: kind, Cond: cond, Body: body, Span: [2]int{i0, p.i}}
		}
		p.expectOp(":")
		p.block()
	}
	return &Other{P: start.Pos, Kind: kind, Cond: cond, Body: body, Span: [2]int{i0, p.i}}
}

func (p *parser) withItems() {
	paren := p.isOp("(")
	if paren {
		// `with (a as b, c):` or `with (a, b) as c:`: both parse as
		// parenthesised items when followed by ':'.
		save := p.i
		p.skipBracketed("(", ")")
		if p.isOp(":") {
			p.i = save + 1
			for !p.isOp(")") {
				p.test()
				if p.acceptKw("as") {
					p.targetAtom()
				}
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
			return
		}
		p.i = save
	}
	for {
		p.test()
		if p.acceptKw("as") {
			p.targetAtom()
		}
		if !p.acceptOp(",") {
			return
		}
	}
}

func (p *parser) targetAtom() { p.bitOr() }

func (p *parser) targetList() {
	for {
		if p.acceptOp("*") {
			p.bitOr()
		} else {
			p.bitOr()
		}
		if !p.acceptOp(",") || p.isKw("in") || p.isOp("=") {
			return
		}
	}
}

// looksLikeMatch tells the soft keyword `match` from a name: a match
// statement's logical line ends with ':' and `match` is not followed by an
// operator that would make it an expression.
func (p *parser) looksLikeMatch() bool {
	nt := p.peekAt(1)
	if nt.Kind == NEWLINE || nt.Kind == EOF {
		return false
	}
	if nt.Kind == OP && (isAugOp(nt.Text) || strings.Contains("= . : , ) ] } ;", nt.Text) && len(nt.Text) == 1) {
		return false
	}
	depth := 0
	for j := p.i + 1; j < len(p.toks); j++ {
		t := p.toks[j]
		switch {
		case t.Kind == NEWLINE || t.Kind == EOF:
			prev := p.toks[j-1]
			return prev.Kind == OP && prev.Text == ":" && depth == 0
		case t.Kind == OP && (t.Text == "(" || t.Text == "[" || t.Text == "{"):
			depth++
		case t.Kind == OP && (t.Text == ")" || t.Text == "]" || t.Text == "}"):
			depth--
		}
	}
	return false
}

func (p *parser) matchStmt() Stmt {
	i0 := p.i
	start := p.next() // match
	p.starExprList()
	p.expectOp(":")
	p.expectNewline()
	if p.peek().Kind != INDENT {
		p.failAt(p.peek(), "expected an indented block after 'match'")
	}
	p.next()
	for p.peek().Kind != DEDENT && p.peek().Kind != EOF {
		t := p.peek()
		if t.Kind != NAME || t.Text != "case" {
			p.failAt(t, "invalid syntax: expected 'case', found %s", t.describe())
		}
		p.next()
		p.skipToColon()
		p.expectOp(":")
		p.block()
	}
	p.next()
	return &Other{P: start.Pos, Kind: "match", Span: [2]int{i0, p.i}}
}

// skipToColon skips a pattern up to the ':' that ends a clause header
// (brackets are balanced by the tokenizer; lambdas take their own colon).
func (p *parser) skipToColon() {
	depth, lambdas := 0, 0
	for {
		t := p.peek()
		switch {
		case t.Kind == NEWLINE || t.Kind == EOF:
			p.failAt(t, "invalid syntax: expected ':'")
		case t.Kind == NAME && t.Text == "lambda":
			lambdas++
		case t.Kind == OP && (t.Text == "(" || t.Text == "[" || t.Text == "{"):
			depth++
		case t.Kind == OP && (t.Text == ")" || t.Text == "]" || t.Text == "}"):
			depth--
		case t.Kind == OP && t.Text == ":" && depth == 0:
			if lambdas == 0 {
				return
			}
			lambdas--
		}
		p.next()
	}
}

// block parses the body of a compound statement: an indented block, or
// simple statements on the same line.
func (p *parser) block() []Stmt {
	if p.peek().Kind != NEWLINE {
		return p.simpleStatements()
	}
	p.next()
	t := p.peek()
	if t.Kind != INDENT {
		p.failAt(t, "expected an indented block")
	}
	p.next()
	var body []Stmt
	for p.peek().Kind != DEDENT && p.peek().Kind != EOF {
		if p.peek().Kind == NEWLINE {
			p.next()
			continue
		}
		body = append(body, p.statement()...)
	}
	p.next()
	return body
}

func (p *parser) simpleStatements() []Stmt {
	var out []Stmt
	for {
		out = append(out, p.simpleStatement())
		if !p.acceptOp(";") {
			break
		}
		if p.peek().Kind == NEWLINE || p.peek().Kind == EOF {
			break
		}
	}
	p.expectNewline()
	return out
}

func (p *parser) simpleStatement() Stmt {
	t := p.peek()
	if t.Kind == NAME {
		switch t.Text {
		case "pass", "break", "continue":
			p.next()
			return &Other{P: t.Pos, Kind: t.Text}
		case "return":
			p.next()
			if !p.atStatementEnd() {
				p.starExprList()
			}
			return &Other{P: t.Pos, Kind: "return"}
		case "raise":
			p.next()
			if !p.atStatementEnd() {
				p.test()
				if p.acceptKw("from") {
					p.test()
				}
			}
			return &Other{P: t.Pos, Kind: "raise"}
		case "del":
			p.next()
			p.starExprList()
			return &Other{P: t.Pos, Kind: "del"}
		case "assert":
			p.next()
			p.test()
			if p.acceptOp(",") {
				p.test()
			}
			return &Other{P: t.Pos, Kind: "assert"}
		case "global", "nonlocal":
			p.next()
			for {
				p.expectName()
				if !p.acceptOp(",") {
					break
				}
			}
			return &Other{P: t.Pos, Kind: t.Text}
		case "import":
			return p.importStmt()
		case "from":
			return p.fromImport()
		case "type":
			if nt := p.peekAt(1); nt.Kind == NAME && (p.peekAt(2).Text == "=" || p.peekAt(2).Text == "[") {
				// `type X = T`: evaluated as the assignment X = T
				p.next()
				name := p.expectName()
				if p.isOp("[") {
					p.skipBracketed("[", "]")
				}
				p.expectOp("=")
				return &Assign{P: t.Pos, Targets: []Expr{&Name{P: name.Pos, ID: name.Text}}, Value: p.test()}
			}
		}
	}
	first := p.starExprListOrYield()
	if p.acceptOp(":") {
		ann := p.test()
		var val Expr
		if p.acceptOp("=") {
			val = p.starExprListOrYield()
		}
		return &AnnAssign{P: t.Pos, Target: first, Annotation: ann, Value: val}
	}
	if nt := p.peek(); nt.Kind == OP && isAugOp(nt.Text) {
		p.next()
		p.starExprListOrYield()
		return &Other{P: t.Pos, Kind: "augassign"}
	}
	if p.isOp("=") {
		targets := []Expr{first}
		var val Expr
		for p.acceptOp("=") {
			val = p.starExprListOrYield()
			targets = append(targets, val)
		}
		return &Assign{P: t.Pos, Targets: targets[:len(targets)-1], Value: val}
	}
	return &ExprStmt{P: t.Pos, Value: first}
}

func (p *parser) atStatementEnd() bool {
	t := p.peek()
	return t.Kind == NEWLINE || t.Kind == EOF || t.Kind == OP && t.Text == ";"
}

func (p *parser) dottedName() string {
	parts := []string{p.expectName().Text}
	for p.acceptOp(".") {
		parts = append(parts, p.expectName().Text)
	}
	return strings.Join(parts, ".")
}

func (p *parser) importStmt() Stmt {
	start := p.next()
	st := &Import{P: start.Pos}
	for {
		pos := p.peek().Pos
		name := p.dottedName()
		a := Alias{P: pos, Name: name}
		if p.acceptKw("as") {
			a.AsName = p.expectName().Text
		}
		st.Names = append(st.Names, a)
		if !p.acceptOp(",") {
			return st
		}
	}
}

func (p *parser) fromImport() Stmt {
	start := p.next()
	st := &ImportFrom{P: start.Pos}
	for {
		if p.acceptOp(".") {
			st.Level++
		} else if p.acceptOp("...") {
			st.Level += 3
		} else {
			break
		}
	}
	if !p.isKw("import") {
		st.Module = p.dottedName()
	}
	p.expectKw("import")
	if t := p.peek(); p.acceptOp("*") {
		st.Names = []Alias{{P: t.Pos, Name: "*"}}
		return st
	}
	paren := p.acceptOp("(")
	for {
		if paren && p.isOp(")") {
			break
		}
		pos := p.peek().Pos
		a := Alias{P: pos, Name: p.expectName().Text}
		if p.acceptKw("as") {
			a.AsName = p.expectName().Text
		}
		st.Names = append(st.Names, a)
		if !p.acceptOp(",") {
			break
		}
	}
	if paren {
		p.expectOp(")")
	}
	return st
}

// ---- expressions ----

func (p *parser) starExprListOrYield() Expr {
	if p.isKw("yield") {
		return p.yieldExpr()
	}
	return p.starExprList()
}

func (p *parser) yieldExpr() Expr {
	t := p.next()
	if p.acceptKw("from") {
		p.test()
	} else if !p.atStatementEnd() && !p.isOp(")") && !p.isOp("=") {
		p.starExprList()
	}
	return &Opaque{P: t.Pos, Kind: "yield"}
}

// starExprList parses `a, *b, c` (a tuple when there is a comma).
func (p *parser) starExprList() Expr {
	start := p.peek().Pos
	first := p.starOrNamed()
	if !p.isOp(",") {
		return first
	}
	elts := []Expr{first}
	for p.acceptOp(",") {
		if p.exprListEnds() {
			break
		}
		elts = append(elts, p.starOrNamed())
	}
	return &Tuple{P: start, Elts: elts}
}

func (p *parser) exprListEnds() bool {
	t := p.peek()
	if t.Kind == NEWLINE || t.Kind == EOF {
		return true
	}
	return t.Kind == OP && strings.Contains(") ] } = : ;", t.Text) || isAugOp(t.Text) && t.Kind == OP
}

func (p *parser) starOrNamed() Expr {
	if t := p.peek(); p.acceptOp("*") {
		return &Starred{P: t.Pos, Value: p.bitOr()}
	}
	return p.namedExpr()
}

func (p *parser) namedExpr() Expr {
	e := p.test()
	if t := p.peek(); p.acceptOp(":=") {
		if _, ok := e.(*Name); !ok {
			p.failAt(t, "invalid syntax: cannot use assignment expression with this target")
		}
		p.test()
		return &Opaque{P: e.Position(), Kind: "walrus"}
	}
	return e
}

// simpleAtomEnd reports the tokens after which a lone name or literal is a
// whole expression.
func simpleAtomEnd(s string) bool {
	switch s {
	case ",", ")", "]", "}", "=", ":", ";":
		return true
	}
	return false
}

func (p *parser) test() Expr {
	// fast path: most expressions in model files are a lone name or literal
	if t, nt := p.peek(), p.peekAt(1); (t.Kind == NAME && !isKeyword(t.Text) || t.Kind == NUMBER) &&
		(nt.Kind == NEWLINE || nt.Kind == EOF || nt.Kind == OP && simpleAtomEnd(nt.Text)) {
		return p.atom()
	}
	if p.isKw("lambda") {
		return p.lambda()
	}
	i0 := p.i
	e := p.orTest()
	if p.acceptKw("if") {
		p.orTest()
		p.expectKw("else")
		p.test()
		return &Opaque{P: e.Position(), Kind: "conditional expression", Span: [2]int{i0, p.i}}
	}
	return e
}

func (p *parser) lambda() Expr {
	i0 := p.i
	t := p.next()
	p.parameters(":")
	p.expectOp(":")
	p.test()
	return &Opaque{P: t.Pos, Kind: "lambda", Span: [2]int{i0, p.i}}
}

func (p *parser) orTest() Expr {
	e := p.andTest()
	for p.acceptKw("or") {
		p.andTest()
		e = &Opaque{P: e.Position(), Kind: "boolean expression"}
	}
	return e
}

func (p *parser) andTest() Expr {
	e := p.notTest()
	for p.acceptKw("and") {
		p.notTest()
		e = &Opaque{P: e.Position(), Kind: "boolean expression"}
	}
	return e
}

func (p *parser) notTest() Expr {
	if t := p.peek(); p.acceptKw("not") {
		return &UnaryOp{P: t.Pos, Op: "not", Operand: p.notTest()}
	}
	return p.comparison()
}

func (p *parser) comparison() Expr {
	i0 := p.i
	e := p.bitOr()
	for {
		t := p.peek()
		switch {
		case t.Kind == OP && (t.Text == "<" || t.Text == ">" || t.Text == "==" || t.Text == ">=" || t.Text == "<=" || t.Text == "!="):
			p.next()
		case t.Kind == NAME && t.Text == "in":
			p.next()
		case t.Kind == NAME && t.Text == "not" && p.peekAt(1).Text == "in":
			p.next()
			p.next()
		case t.Kind == NAME && t.Text == "is":
			p.next()
			p.acceptKw("not")
		default:
			return e
		}
		p.bitOr()
		e = &Opaque{P: e.Position(), Kind: "comparison", Span: [2]int{i0, p.i}}
	}
}

// binaryLevels are the binary operators from loosest to tightest binding.
var binaryLevels = [][]string{{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "//", "%", "@"}}

// binaryAt parses the binary operators of one level and tighter.
func (p *parser) binaryAt(level int) Expr {
	if level == len(binaryLevels) {
		return p.factor()
	}
	e := p.binaryAt(level + 1)
	for {
		t := p.peek()
		if t.Kind != OP || !isOneOf(t.Text, binaryLevels[level]) {
			return e
		}
		p.next()
		e = &BinOp{P: e.Position(), Op: t.Text, Left: e, Right: p.binaryAt(level + 1)}
	}
}

func isOneOf(s string, set []string) bool {
	for _, o := range set {
		if s == o {
			return true
		}
	}
	return false
}

func (p *parser) bitOr() Expr { return p.binaryAt(0) }

func (p *parser) factor() Expr {
	t := p.peek()
	if t.Kind == OP && (t.Text == "-" || t.Text == "+" || t.Text == "~") {
		p.next()
		return &UnaryOp{P: t.Pos, Op: t.Text, Operand: p.factor()}
	}
	return p.power()
}

func (p *parser) power() Expr {
	if t := p.peek(); p.acceptKw("await") {
		p.primary()
		return &Opaque{P: t.Pos, Kind: "await"}
	}
	e := p.primary()
	if p.acceptOp("**") {
		p.factor()
		return &BinOp{P: e.Position(), Op: "**", Left: e, Right: nil}
	}
	return e
}

func (p *parser) primary() Expr {
	e := p.atom()
	for {
		t := p.peek()
		switch {
		case t.Kind == OP && t.Text == ".":
			p.next()
			name := p.expectName()
			e = &Attribute{P: e.Position(), Value: e, Attr: name.Text}
		case t.Kind == OP && t.Text == "(":
			p.next()
			args, kws := p.arguments(")")
			p.expectOp(")")
			e = &Call{P: e.Position(), Func: e, Args: args, Keywords: kws}
		case t.Kind == OP && t.Text == "[":
			p.next()
			idx := p.subscripts()
			p.expectOp("]")
			e = &Subscript{P: e.Position(), Value: e, Index: idx}
		default:
			return e
		}
	}
}

// arguments parses call arguments (or class bases) up to the closer.
func (p *parser) arguments(closer string) ([]Expr, []Keyword) {
	var args []Expr
	var kws []Keyword
	for !p.isOp(closer) {
		t := p.peek()
		switch {
		case p.acceptOp("*"):
			args = append(args, &Starred{P: t.Pos, Value: p.test()})
		case p.acceptOp("**"):
			kws = append(kws, Keyword{P: t.Pos, Value: p.test()})
		case t.Kind == NAME && p.peekAt(1).Kind == OP && p.peekAt(1).Text == "=" && !isKeyword(t.Text):
			p.next()
			p.next()
			kws = append(kws, Keyword{P: t.Pos, Name: t.Text, Value: p.test()})
		default:
			i0 := p.i
			e := p.namedExpr()
			if p.isKw("for") || p.isKw("async") {
				p.comprehension()
				e = &Opaque{P: e.Position(), Kind: "generator expression", Span: [2]int{i0, p.i}}
			}
			args = append(args, e)
		}
		if !p.acceptOp(",") {
			break
		}
	}
	return args, kws
}

func (p *parser) subscripts() Expr {
	start := p.peek().Pos
	first := p.subscript()
	if !p.isOp(",") {
		return first
	}
	elts := []Expr{first}
	for p.acceptOp(",") {
		if p.isOp("]") {
			break
		}
		elts = append(elts, p.subscript())
	}
	return &Tuple{P: start, Elts: elts}
}

func (p *parser) subscript() Expr {
	t := p.peek()
	if p.acceptOp("*") {
		return &Starred{P: t.Pos, Value: p.bitOr()}
	}
	var e Expr
	if !p.isOp(":") {
		e = p.namedExpr()
		if !p.isOp(":") {
			return e
		}
	}
	// a slice: [lower]:[upper][:[step]]
	p.expectOp(":")
	if !p.isOp("]") && !p.isOp(",") && !p.isOp(":") {
		p.test()
	}
	if p.acceptOp(":") && !p.isOp("]") && !p.isOp(",") {
		p.test()
	}
	return &Opaque{P: t.Pos, Kind: "slice"}
}

// comprehension parses `[async] for targets in iter [if cond]...`, repeated.
func (p *parser) comprehension() {
	for p.isKw("for") || p.isKw("async") {
		p.acceptKw("async")
		p.expectKw("for")
		p.targetList()
		p.expectKw("in")
		p.orTest()
		for p.acceptKw("if") {
			p.orNoCond()
		}
	}
}

func (p *parser) orNoCond() {
	if p.isKw("lambda") {
		p.lambda()
		return
	}
	p.orTest()
}

func (p *parser) atom() Expr {
	i0 := p.i
	t := p.peek()
	switch t.Kind {
	case NAME:
		switch t.Text {
		case "True", "False", "None":
			p.next()
			return &Const{P: t.Pos, Value: t.Text}
		case "lambda":
			return p.lambda()
		case "yield":
			return p.yieldExpr()
		}
		if isKeyword(t.Text) {
			p.failAt(t, "invalid syntax: unexpected keyword '%s'", t.Text)
		}
		p.next()
		return &Name{P: t.Pos, ID: t.Text}
	case NUMBER:
		p.next()
		return &Num{P: t.Pos, Text: t.Text}
	case STRING:
		return p.strings()
	case OP:
		switch t.Text {
		case "...":
			p.next()
			return &Const{P: t.Pos, Value: "..."}
		case "(":
			p.next()
			if p.acceptOp(")") {
				return &Tuple{P: t.Pos}
			}
			if p.isKw("yield") {
				e := p.yieldExpr()
				p.expectOp(")")
				return e
			}
			first := p.starOrNamed()
			if p.isKw("for") || p.isKw("async") {
				p.comprehension()
				p.expectOp(")")
				return &Opaque{P: t.Pos, Kind: "generator expression", Span: [2]int{i0, p.i}}
			}
			if !p.isOp(",") {
				p.expectOp(")")
				return first
			}
			elts := []Expr{first}
			for p.acceptOp(",") {
				if p.isOp(")") {
					break
				}
				elts = append(elts, p.starOrNamed())
			}
			p.expectOp(")")
			return &Tuple{P: t.Pos, Elts: elts}
		case "[":
			p.next()
			var elts []Expr
			for !p.isOp("]") {
				e := p.starOrNamed()
				if len(elts) == 0 && (p.isKw("for") || p.isKw("async")) {
					p.comprehension()
					p.expectOp("]")
					return &Opaque{P: t.Pos, Kind: "list comprehension", Span: [2]int{i0, p.i}}
				}
				elts = append(elts, e)
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp("]")
			return &List{P: t.Pos, Elts: elts}
		case "{":
			return p.dictOrSet()
		}
	}
	if t.Kind == INDENT || t.Kind == DEDENT {
		p.failAt(t, "invalid syntax: unexpected indentation")
	}
	p.failAt(t, "invalid syntax: unexpected %s", t.describe())
	return nil
}

func (p *parser) dictOrSet() Expr {
	i0 := p.i
	t := p.next() // {
	if p.acceptOp("}") {
		return &Dict{P: t.Pos}
	}
	d := &Dict{P: t.Pos}
	s := &Set{P: t.Pos}
	isDict := false
	first := true
	for !p.isOp("}") {
		if p.acceptOp("**") {
			isDict = true
			d.Keys = append(d.Keys, nil)
			d.Values = append(d.Values, p.bitOr())
		} else {
			k := p.starOrNamed()
			if first && p.isOp(":") || isDict {
				isDict = true
				p.expectOp(":")
				v := p.test()
				if first && (p.isKw("for") || p.isKw("async")) {
					p.comprehension()
					p.expectOp("}")
					return &Opaque{P: t.Pos, Kind: "dict comprehension", Span: [2]int{i0, p.i}}
				}
				d.Keys = append(d.Keys, k)
				d.Values = append(d.Values, v)
			} else {
				if first && (p.isKw("for") || p.isKw("async")) {
					p.comprehension()
					p.expectOp("}")
					return &Opaque{P: t.Pos, Kind: "set comprehension", Span: [2]int{i0, p.i}}
				}
				s.Elts = append(s.Elts, k)
			}
		}
		first = false
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp("}")
	if isDict {
		return d
	}
	return s
}

// strings concatenates adjacent string literals.
func (p *parser) strings() Expr {
	start := p.peek()
	out := &Str{P: start.Pos}
	var b strings.Builder
	for i := 0; p.peek().Kind == STRING; i++ {
		t := p.next()
		val, isF, isBytes, err := decodeString(t.Text)
		if err != nil {
			p.failAt(t, "%v", err)
		}
		if isF {
			out.Raw = strings.Contains(strings.ToLower(t.Text[:strings.IndexAny(t.Text, "'\"")]), "r")
		} else if out.IsF || p.peek().Kind == STRING && fieldsAhead(p) {
			// a plain literal joined to an f-string: keep it escaped
			val = strings.ReplaceAll(strings.ReplaceAll(val, "{", "{{"), "}", "}}")
		}
		if i > 0 && isBytes != out.IsBytes {
			p.failAt(t, "cannot mix bytes and nonbytes literals")
		}
		out.IsBytes = isBytes
		out.IsF = out.IsF || isF
		b.WriteString(val)
	}
	out.Value = b.String()
	return out
}

// decodeString returns the value of one literal. isF is true for an
// f-string that has replacement fields (its value is then the raw text).
func decodeString(lit string) (val string, isF, isBytes bool, err error) {
	i := 0
	for i < len(lit) && lit[i] != '"' && lit[i] != '\'' {
		i++
	}
	prefix := strings.ToLower(lit[:i])
	body := lit[i:]
	q := 1
	if len(body) >= 6 && (strings.HasPrefix(body, `"""`) || strings.HasPrefix(body, `'''`)) {
		q = 3
	}
	body = body[q : len(body)-q]
	raw := strings.Contains(prefix, "r")
	isBytes = strings.Contains(prefix, "b")
	if strings.ContainsAny(prefix, "ft") {
		// `{{` and `}}` are literal braces; a lone `{` opens a field.
		plain := strings.ReplaceAll(strings.ReplaceAll(body, "{{", ""), "}}", "")
		if strings.Contains(plain, "{") {
			return body, true, false, nil
		}
		body = strings.ReplaceAll(strings.ReplaceAll(body, "{{", "{"), "}}", "}")
	}
	if raw {
		return body, false, isBytes, nil
	}
	val, err = unescape(body)
	return val, false, isBytes, err
}

func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+n > len(s) {
				return "", fmt.Errorf("truncated \\%c escape", e)
			}
			v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil {
				return "", fmt.Errorf("invalid \\%c escape", e)
			}
			if e == 'x' {
				b.WriteByte(byte(v))
			} else {
				b.WriteRune(rune(v))
			}
			i += n
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		case 'N':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("malformed \\N character escape")
			}
			b.WriteString("\\" + s[i:i+end+1])
			i += end
		default:
			b.WriteByte('\\')
			r, size := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r)
			i += size - 1
		}
	}
	return b.String(), nil
}

// fieldsAhead reports whether a later literal of the current run of
// adjacent strings is an f-string with fields.
func fieldsAhead(p *parser) bool {
	for j := p.i; j < len(p.toks) && p.toks[j].Kind == STRING; j++ {
		if _, isF, _, _ := decodeString(p.toks[j].Text); isF {
			return true
		}
	}
	return false
}
