package tsyntax

import "strconv"

// maxDepth bounds the nesting of statements, expressions, types and
// patterns: deeper input is refused with an error rather than risking the
// stack. It counts parser levels, two or three for each level of brackets
// in the source: about 1,000 nested parentheses are accepted.
const maxDepth = 2500

// Parse parses a TypeScript module (not JSX). The error is an *Error.
func Parse(src []byte) (f *File, err error) {
	p := &parser{}
	p.s.init(src)
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			f, err = nil, p.err
		}
	}()
	p.next()
	f = &File{}
	for p.s.tok != tEOF {
		f.Stmts = append(f.Stmts, p.parseStatement())
	}
	return f, nil
}

type bailout struct{}

type parser struct {
	s        scanner
	err      *Error
	depth    int
	inGen    bool         // `yield` is an operator
	noIn     bool         // `in` is not a binary operator (for-statement heads)
	noCond   bool         // conditional types not allowed (the extends clause of one)
	failed   map[int]bool // speculative attempts that failed, by key
	anonFunc bool         // the next function declaration may be unnamed (export default)
	lastGt   int          // offset of the '>' that closed the last type arguments
	slabs    slabs
	scratch  scratch
}

// ---- tokens ----

func (p *parser) next() {
	p.s.next()
	if p.s.tok == tError {
		p.err = p.s.err
		panic(bailout{})
	}
}

func (p *parser) pos() Pos { return p.s.pos() }

func (p *parser) is(k tkind) bool { return p.s.tok == k }

// isName reports whether the current token is the (unescaped) word w.
func (p *parser) isName(w string) bool {
	return p.s.tok == tName && p.s.val == w && !p.s.esc
}

func (p *parser) eat(k tkind) bool {
	if p.s.tok == k {
		p.next()
		return true
	}
	return false
}

func (p *parser) eatName(w string) bool {
	if p.isName(w) {
		p.next()
		return true
	}
	return false
}

// peek returns the next token's kind, value and whether a line break
// precedes it, without consuming anything.
func (p *parser) peek() (tkind, string, bool) {
	saved := p.s
	p.s.next()
	k, v, nl := p.s.tok, p.s.val, p.s.nl
	if p.s.esc && k == tName {
		v = "\\" + v // never equal to a keyword
	}
	p.s = saved
	return k, v, nl
}

// peek2 returns the kind and value of the token after the next.
func (p *parser) peek2() (tkind, string) {
	saved := p.s
	p.s.next()
	if p.s.tok != tError {
		p.s.next()
	}
	k, v := p.s.tok, p.s.val
	p.s = saved
	return k, v
}

func (p *parser) failAt(pos Pos, msg string) {
	p.err = &Error{Pos: pos, Msg: msg}
	panic(bailout{})
}

// describe names the current token for a message.
func (p *parser) describe() string {
	switch p.s.tok {
	case tEOF:
		return "end of file"
	case tName:
		if isKeyword(p.s.val) {
			return "keyword '" + p.s.val + "'"
		}
		return "identifier '" + p.s.val + "'"
	case tString:
		return "string literal"
	case tNumber:
		return "number '" + p.s.val + "'"
	case tTemplate, tTemplateHead, tTemplateMiddle, tTemplateTail:
		return "template literal"
	case tRegex:
		return "regular expression"
	case tPrivate:
		return "private name '" + p.s.val + "'"
	}
	return "token '" + p.s.tok.String() + "'"
}

// unexpected fails at the current token.
func (p *parser) unexpected() {
	p.failAt(p.pos(), "unexpected "+p.describe())
}

// expect consumes a token of kind k or fails with "expected 'k' what"
// (what is e.g. "after arguments").
func (p *parser) expect(k tkind, what string) {
	if p.s.tok == k {
		p.next()
		return
	}
	p.failExpected("'"+k.String()+"'", what)
}

func (p *parser) failExpected(thing, what string) {
	msg := "expected " + thing
	if what != "" {
		msg += " " + what
	}
	if p.s.tok == tEOF {
		msg += ", found end of file"
	} else {
		msg += ", found " + p.describe()
	}
	p.failAt(p.pos(), msg)
}

// expectClose consumes the closing token of a bracket opened at open.
func (p *parser) expectClose(k tkind, what string, open Pos) {
	if p.s.tok == k {
		p.next()
		return
	}
	p.failExpected("'"+k.String()+"'", what+" (opened at "+strconv.Itoa(open.Line)+":"+strconv.Itoa(open.Col)+")")
}

// semicolon ends a statement: ';', or automatic insertion before '}', at
// the end of the file or after a line break.
func (p *parser) semicolon(what string) {
	if p.s.tok == tSemi {
		p.next()
		return
	}
	if p.s.tok == tRBrace || p.s.tok == tEOF || p.s.nl {
		return
	}
	p.failExpected("';' or a line break", "after "+what)
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.failAt(p.pos(), "nesting too deep")
	}
}

func (p *parser) leave() { p.depth-- }

// try runs f speculatively: on a syntax error the parser is put back as it
// was and try returns false. A failure at a key (the offset where the
// attempt started) is remembered so that the same attempt is not repeated
// (which would make nested ambiguities exponential).
func (p *parser) try(key int, f func()) bool {
	if p.failed[key] {
		return false
	}
	saved := p.s
	depth, inGen, noIn, noCond := p.depth, p.inGen, p.noIn, p.noCond
	nmembers := len(p.scratch.members)
	ok := func() (ok bool) {
		defer func() {
			if r := recover(); r != nil {
				if _, b := r.(bailout); !b {
					panic(r)
				}
				ok = false
			}
		}()
		f()
		return true
	}()
	if !ok {
		p.s = saved
		p.depth, p.inGen, p.noIn, p.noCond = depth, inGen, noIn, noCond
		clear(p.scratch.members[nmembers:])
		p.scratch.members = p.scratch.members[:nmembers]
		p.err = nil
		if p.failed == nil {
			p.failed = map[int]bool{}
		}
		p.failed[key] = true
	}
	return ok
}

// ---- words ----

// reserved words cannot be identifiers (names of bindings or references).
func isReserved(w string) bool {
	switch w {
	case "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete",
		"do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if",
		"import", "in", "instanceof", "new", "null", "return", "super", "switch", "this", "throw",
		"true", "try", "typeof", "var", "void", "while", "with":
		return true
	}
	return false
}

func isKeyword(w string) bool {
	if isReserved(w) {
		return true
	}
	switch w {
	case "let", "yield", "await", "async", "interface", "type", "namespace", "module", "declare",
		"abstract", "implements", "private", "protected", "public", "static", "readonly", "as",
		"satisfies", "keyof", "infer", "is", "of", "get", "set":
		return true
	}
	return false
}

// isIdent reports whether the current token can be an identifier reference
// or binding name.
func (p *parser) isIdent() bool {
	return p.s.tok == tName && (p.s.esc || !isReserved(p.s.val))
}

// ident consumes an identifier.
func (p *parser) ident(what string) (string, Pos) {
	if !p.isIdent() {
		p.failExpected("a name", what)
	}
	v, pos := p.s.val, p.pos()
	p.next()
	return v, pos
}

// ---- statements ----

func (p *parser) parseStatement() Stmt {
	p.enter()
	s := p.statement()
	p.leave()
	return s
}

func (p *parser) statement() Stmt {
	pos := p.pos()
	switch p.s.tok {
	case tLBrace:
		return p.parseBlock()
	case tSemi:
		p.next()
		return &Empty{P: pos}
	case tAt:
		decs := p.parseDecorators()
		if p.isName("export") {
			return p.parseExport(pos, decs)
		}
		return p.parseClassDeclAfterDecorators(pos, decs, false)
	case tName:
		if p.s.esc {
			break
		}
		if d := p.parseDeclaration(pos, false, nil); d != nil {
			return d
		}
		switch p.s.val {
		case "import":
			if k, _, _ := p.peek(); k != tLParen && k != tDot {
				return p.parseImport(pos)
			}
		case "export":
			return p.parseExport(pos, nil)
		case "if":
			return p.parseIf(pos)
		case "for":
			return p.parseFor(pos)
		case "while":
			p.next()
			c := &Control{P: pos, Kind: "while"}
			c.Exprs = []Expr{p.parseParenCond("while")}
			c.Body = []Stmt{p.parseBranch()}
			return c
		case "do":
			p.next()
			c := &Control{P: pos, Kind: "do"}
			c.Body = []Stmt{p.parseBranch()}
			if !p.eatName("while") {
				p.failExpected("'while'", "after the body of 'do'")
			}
			c.Exprs = []Expr{p.parseParenCond("while")}
			p.eat(tSemi) // a ';' after do-while is optional even on the same line
			return c
		case "with":
			p.next()
			c := &Control{P: pos, Kind: "with"}
			c.Exprs = []Expr{p.parseParenCond("with")}
			c.Body = []Stmt{p.parseBranch()}
			return c
		case "switch":
			return p.parseSwitch(pos)
		case "try":
			return p.parseTry(pos)
		case "return", "throw":
			kind := p.s.val
			p.next()
			j := &Jump{P: pos, Kind: kind}
			if kind == "throw" && p.s.nl {
				p.failAt(p.pos(), "a line break is not allowed after 'throw'")
			}
			if !p.s.nl && p.s.tok != tSemi && p.s.tok != tRBrace && p.s.tok != tEOF {
				j.Expr = p.parseExpr()
			} else if kind == "throw" {
				p.failExpected("an expression", "after 'throw'")
			}
			p.semicolon("'" + kind + "'")
			return j
		case "break", "continue":
			kind := p.s.val
			p.next()
			j := &Jump{P: pos, Kind: kind}
			if !p.s.nl && p.isIdent() {
				j.Label = p.s.val
				p.next()
			}
			p.semicolon("'" + kind + "'")
			return j
		case "debugger":
			p.next()
			p.semicolon("'debugger'")
			return &Empty{P: pos}
		default:
			if p.isIdent() {
				if k, _, _ := p.peek(); k == tColon {
					label := p.s.val
					p.next()
					p.next()
					var body Stmt
					if p.isName("function") {
						body = p.parseFuncDecl(p.pos(), false)
					} else {
						body = p.parseStatement()
					}
					return &Control{P: pos, Kind: "label", Label: label, Body: []Stmt{body}}
				}
			}
		}
	}
	e := p.parseExpr()
	p.semicolon("expression")
	return &ExprStmt{P: pos, Expr: e}
}

// parseDeclaration parses a declaration if one starts at the current token
// (after `declare` when declare is set), or returns nil having consumed
// nothing. decs are decorators already read (for a class).
func (p *parser) parseDeclaration(pos Pos, declare bool, decs []Expr) Stmt {
	if p.s.tok == tAt && decs == nil {
		decs = p.parseDecorators()
		return p.parseClassDeclAfterDecorators(pos, decs, declare)
	}
	if p.s.tok != tName || p.s.esc {
		return nil
	}
	switch p.s.val {
	case "var", "const":
		if p.s.val == "const" {
			if k, v, _ := p.peek(); k == tName && v == "enum" {
				p.next()
				return p.parseEnum(pos, true, declare)
			}
		}
		kind := p.s.val
		p.next()
		return p.parseVarDecl(pos, kind, declare, false)
	case "let":
		if k, v, _ := p.peek(); k == tLBrack || k == tLBrace || k == tName && v != "in" && v != "instanceof" {
			p.next()
			return p.parseVarDecl(pos, "let", declare, false)
		}
	case "using":
		if k, v, nl := p.peek(); k == tName && !nl && v != "in" && v != "instanceof" && !isReserved(v) {
			p.next()
			return p.parseVarDecl(pos, "using", declare, false)
		}
	case "await":
		if k, v, nl := p.peek(); k == tName && v == "using" && !nl {
			if k2, v2 := p.peek2(); k2 == tName && !isReserved(v2) {
				p.next()
				p.next()
				return p.parseVarDecl(pos, "await using", declare, false)
			}
		}
	case "function":
		return p.parseFuncDecl(pos, false)
	case "async":
		if k, v, nl := p.peek(); k == tName && v == "function" && !nl {
			p.next()
			return p.parseFuncDecl(pos, true)
		}
	case "class":
		return p.parseClassDecl(pos, decs, false, declare)
	case "abstract":
		if k, v, nl := p.peek(); k == tName && v == "class" && !nl {
			p.next()
			return p.parseClassDecl(pos, decs, true, declare)
		}
	case "interface":
		return p.parseInterface(pos, declare)
	case "type":
		if k, _, nl := p.peek(); k == tName && !nl {
			return p.parseTypeAlias(pos, declare)
		}
	case "enum":
		return p.parseEnum(pos, false, declare)
	case "namespace":
		if k, _, nl := p.peek(); k == tName && !nl {
			return p.parseModule(pos, declare)
		}
	case "module":
		if k, _, nl := p.peek(); (k == tName || k == tString) && !nl {
			return p.parseModule(pos, declare)
		}
	case "global":
		if k, _, nl := p.peek(); k == tLBrace && !nl {
			p.next()
			return &ModuleDecl{P: pos, Name: "global", Declare: declare, Body: p.parseModuleBody()}
		}
	case "declare":
		if declare {
			return nil
		}
		if k, v, nl := p.peek(); k == tName && !nl && isDeclStart(v) {
			p.next()
			d := p.parseDeclaration(pos, true, decs)
			if d == nil {
				p.failExpected("a declaration", "after 'declare'")
			}
			return d
		}
	}
	return nil
}

func isDeclStart(w string) bool {
	switch w {
	case "var", "let", "const", "function", "async", "class", "abstract", "interface", "type",
		"enum", "namespace", "module", "global", "using":
		return true
	}
	return false
}

func (p *parser) parseBlock() *Block {
	pos := p.pos()
	p.expect(tLBrace, "")
	b := &Block{P: pos}
	for p.s.tok != tRBrace {
		if p.s.tok == tEOF {
			p.expectClose(tRBrace, "to close the block", pos)
		}
		b.Stmts = append(b.Stmts, p.parseStatement())
	}
	p.next()
	return b
}

// parseBranch parses a statement that is a branch or a loop body, wrapped
// in a *Block when it is not one.
func (p *parser) parseBranch() *Block {
	if p.s.tok == tLBrace {
		return p.parseBlock()
	}
	pos := p.pos()
	return &Block{P: pos, Stmts: []Stmt{p.parseStatement()}}
}

func (p *parser) parseParenCond(what string) Expr {
	open := p.pos()
	p.expect(tLParen, "after '"+what+"'")
	e := p.parseExpr()
	p.expectClose(tRParen, "after the condition", open)
	return e
}

func (p *parser) parseIf(pos Pos) Stmt {
	p.next()
	c := &Control{P: pos, Kind: "if"}
	c.Exprs = []Expr{p.parseParenCond("if")}
	c.Body = []Stmt{p.parseBranch()}
	if p.eatName("else") {
		c.Body = append(c.Body, p.parseBranch())
	}
	return c
}

func (p *parser) parseFor(pos Pos) Stmt {
	p.next()
	c := &Control{P: pos, Kind: "for"}
	if p.isName("await") {
		c.Await = true
		p.next()
	}
	open := p.pos()
	p.expect(tLParen, "after 'for'")
	var init Expr
	var decl *VarDecl
	noIn := p.noIn
	p.noIn = true
	switch {
	case p.s.tok == tSemi:
	case p.isName("var") || p.isName("const") || p.isLetDecl() || p.isUsingDecl():
		dpos := p.pos()
		kind := p.s.val
		p.next()
		if kind == "await" {
			p.next()
			kind = "await using"
		}
		decl = p.parseVarDecl(dpos, kind, false, true)
	default:
		init = p.parseExpr()
	}
	p.noIn = noIn
	if decl != nil {
		c.Body = append(c.Body, decl)
	}
	if p.isName("of") || p.isName("in") {
		if p.s.val == "of" {
			c.Kind = "for-of"
		} else {
			c.Kind = "for-in"
		}
		p.next()
		if init != nil {
			c.Exprs = append(c.Exprs, init)
		}
		if c.Kind == "for-of" {
			c.Exprs = append(c.Exprs, p.parseAssign())
		} else {
			c.Exprs = append(c.Exprs, p.parseExpr())
		}
		p.expectClose(tRParen, "after the head of 'for'", open)
	} else {
		if init != nil {
			c.Exprs = append(c.Exprs, init)
		}
		p.expect(tSemi, "in the head of 'for'")
		if p.s.tok != tSemi {
			c.Exprs = append(c.Exprs, p.parseExpr())
		}
		p.expect(tSemi, "in the head of 'for'")
		if p.s.tok != tRParen {
			c.Exprs = append(c.Exprs, p.parseExpr())
		}
		p.expectClose(tRParen, "after the head of 'for'", open)
	}
	c.Body = append(c.Body, p.parseBranch())
	return c
}

func (p *parser) isLetDecl() bool {
	if !p.isName("let") {
		return false
	}
	k, v, _ := p.peek()
	return k == tLBrack || k == tLBrace || k == tName && v != "in" && v != "of" && v != "instanceof"
}

func (p *parser) isUsingDecl() bool {
	if p.isName("using") {
		k, v, nl := p.peek()
		return k == tName && !nl && v != "of" && v != "in" && !isReserved(v)
	}
	if p.isName("await") {
		k, v, nl := p.peek()
		return k == tName && v == "using" && !nl
	}
	return false
}

func (p *parser) parseSwitch(pos Pos) Stmt {
	p.next()
	c := &Control{P: pos, Kind: "switch"}
	c.Exprs = []Expr{p.parseParenCond("switch")}
	open := p.pos()
	p.expect(tLBrace, "after the switch value")
	for p.s.tok != tRBrace {
		cpos := p.pos()
		cl := &Control{P: cpos}
		switch {
		case p.eatName("case"):
			cl.Kind = "case"
			cl.Exprs = []Expr{p.parseExpr()}
		case p.eatName("default"):
			cl.Kind = "default"
		case p.s.tok == tEOF:
			p.expectClose(tRBrace, "to close the switch body", open)
		default:
			p.failExpected("'case', 'default' or '}'", "in a switch body")
		}
		p.expect(tColon, "after the case")
		for p.s.tok != tRBrace && !p.isName("case") && !p.isName("default") && p.s.tok != tEOF {
			cl.Body = append(cl.Body, p.parseStatement())
		}
		c.Body = append(c.Body, cl)
	}
	p.next()
	return c
}

func (p *parser) parseTry(pos Pos) Stmt {
	p.next()
	c := &Control{P: pos, Kind: "try"}
	c.Body = []Stmt{p.parseBlock()}
	if p.isName("catch") {
		cc := &Control{P: p.pos(), Kind: "catch"}
		p.next()
		if p.s.tok == tLParen {
			open := p.pos()
			p.next()
			cc.Param = p.parseBindingTarget()
			if p.eat(tColon) {
				p.parseType() // `catch (e: unknown)`: the annotation is not kept
			}
			p.expectClose(tRParen, "after the catch binding", open)
		}
		cc.Body = []Stmt{p.parseBlock()}
		c.Body = append(c.Body, cc)
	}
	if p.isName("finally") {
		fc := &Control{P: p.pos(), Kind: "finally"}
		p.next()
		fc.Body = []Stmt{p.parseBlock()}
		c.Body = append(c.Body, fc)
	}
	if len(c.Body) == 1 {
		p.failExpected("'catch' or 'finally'", "after the try block")
	}
	return c
}

// parseVarDecl parses the declarators after the keyword.
func (p *parser) parseVarDecl(pos Pos, kind string, declare, inFor bool) *VarDecl {
	d := &VarDecl{P: pos, Kind: kind, Declare: declare}
	for {
		v := VarDeclarator{P: p.pos()}
		v.Name = p.parseBindingTarget()
		if p.s.tok == tBang && !p.s.nl {
			p.next()
			v.Def = true
		}
		if p.eat(tColon) {
			v.Type = p.parseType()
		}
		if p.eat(tAssign) {
			v.Init = p.parseAssign()
		}
		d.Decls = append(d.Decls, v)
		if !p.eat(tComma) {
			break
		}
	}
	if !inFor {
		p.semicolon("the declaration")
	}
	return d
}

// parseBindingTarget parses a name or a destructuring pattern.
func (p *parser) parseBindingTarget() Pattern {
	switch p.s.tok {
	case tLBrace:
		return p.parseObjectPattern()
	case tLBrack:
		return p.parseArrayPattern()
	}
	if p.isName("this") {
		pos := p.pos()
		p.next()
		return p.newIdent(pos, "this")
	}
	name, pos := p.ident("for the binding")
	return p.newIdent(pos, name)
}

func (p *parser) parseObjectPattern() *ObjectPattern {
	p.enter()
	defer p.leave()
	pos := p.pos()
	p.next()
	op := &ObjectPattern{P: pos}
	for p.s.tok != tRBrace {
		if p.eat(tEllipsis) {
			op.Rest = p.parseBindingTarget()
			p.eat(tComma)
			break
		}
		var pp PatternProp
		if p.isIdent() {
			if k, _, _ := p.peek(); k != tColon {
				id := p.newIdent(p.pos(), p.s.val)
				p.next()
				pp.Key, pp.Value = id, id
				if p.eat(tAssign) {
					pp.Default = p.parseAssign()
				}
				op.Props = append(op.Props, pp)
				if !p.eat(tComma) {
					break
				}
				continue
			}
		}
		pp.Key = p.parsePropertyName(false)
		p.expect(tColon, "after the property name in a pattern")
		pp.Value = p.parseBindingTarget()
		if p.eat(tAssign) {
			pp.Default = p.parseAssign()
		}
		op.Props = append(op.Props, pp)
		if !p.eat(tComma) {
			break
		}
	}
	p.expectClose(tRBrace, "to close the pattern", pos)
	return op
}

func (p *parser) parseArrayPattern() *ArrayPattern {
	p.enter()
	defer p.leave()
	pos := p.pos()
	p.next()
	ap := &ArrayPattern{P: pos}
	for p.s.tok != tRBrack {
		if p.s.tok == tComma {
			p.next()
			ap.Elems = append(ap.Elems, nil)
			ap.Defs = append(ap.Defs, nil)
			continue
		}
		if p.eat(tEllipsis) {
			ap.Rest = p.parseBindingTarget()
			p.eat(tComma)
			break
		}
		el := p.parseBindingTarget()
		var def Expr
		if p.eat(tAssign) {
			def = p.parseAssign()
		}
		ap.Elems = append(ap.Elems, el)
		ap.Defs = append(ap.Defs, def)
		if !p.eat(tComma) {
			break
		}
	}
	p.expectClose(tRBrack, "to close the pattern", pos)
	return ap
}

// ---- functions ----

// parseFuncDecl parses `function [*] name ...` (pos is that of `async`
// when async).
func (p *parser) parseFuncDecl(pos Pos, async bool) *FuncDecl {
	p.next() // function
	gen := p.eat(tStar)
	anon := p.anonFunc
	p.anonFunc = false
	d := &FuncDecl{P: pos, Async: async, Gen: gen}
	if p.isIdent() {
		d.Name = p.s.val
		p.next()
	} else if !anon {
		p.failExpected("a function name", "after 'function'")
	}
	d.Func = p.parseFuncRest(async, gen, true)
	return d
}

// parseFuncRest parses type parameters, parameters, the return type and
// the body of a function, method or accessor. With sigOK a missing body
// ends the signature (overloads, declarations).
func (p *parser) parseFuncRest(async, gen, sigOK bool) *Func {
	f := &Func{P: p.pos()}
	if p.s.tok == tLt {
		f.TypeParams = p.parseTypeParams()
	}
	f.Params = p.parseParams()
	if p.eat(tColon) {
		f.Return = p.parseReturnType()
	}
	if p.s.tok == tLBrace {
		f.Body = p.parseFuncBody(async, gen)
	} else if sigOK {
		p.semicolon("the signature")
	} else {
		p.failExpected("'{'", "before the function body")
	}
	return f
}

func (p *parser) parseFuncBody(async, gen bool) *Block {
	inGen, noIn := p.inGen, p.noIn
	p.inGen, p.noIn = gen, false
	b := p.parseBlock()
	p.inGen, p.noIn = inGen, noIn
	return b
}

func (p *parser) parseParams() []*Param {
	open := p.pos()
	p.expect(tLParen, "before the parameters")
	var ps []*Param
	for p.s.tok != tRParen {
		ps = append(ps, p.parseParam())
		if !p.eat(tComma) {
			break
		}
	}
	p.expectClose(tRParen, "after the parameters", open)
	return ps
}

func isParamModifier(w string) bool {
	switch w {
	case "public", "private", "protected", "readonly", "override":
		return true
	}
	return false
}

func (p *parser) parseParam() *Param {
	pm := &Param{P: p.pos()}
	if p.s.tok == tAt {
		pm.Decorators = p.parseDecorators()
	}
	for p.s.tok == tName && !p.s.esc && isParamModifier(p.s.val) {
		k, _, _ := p.peek()
		if k != tName && k != tLBrace && k != tLBrack && k != tEllipsis {
			break
		}
		pm.Modifiers = append(pm.Modifiers, p.s.val)
		p.next()
	}
	if p.eat(tEllipsis) {
		pm.Rest = true
	}
	pm.Name = p.parseBindingTarget()
	if p.eat(tQuestion) {
		pm.Optional = true
	}
	if p.eat(tColon) {
		pm.Type = p.parseType()
	}
	if p.eat(tAssign) {
		pm.Default = p.parseAssign()
	}
	return pm
}

// ---- decorators ----

func (p *parser) parseDecorators() []Expr {
	var ds []Expr
	for p.s.tok == tAt {
		p.next()
		ds = append(ds, p.parseDecoratorExpr())
	}
	return ds
}

func (p *parser) parseDecoratorExpr() Expr {
	var x Expr
	if p.s.tok == tLParen {
		x = p.parsePrimary()
	} else {
		name, pos := p.ident("after '@'")
		x = p.newIdent(pos, name)
	}
	return p.parseCallTail(x, noIndex)
}

// ---- classes ----

func (p *parser) parseClassDeclAfterDecorators(pos Pos, decs []Expr, declare bool) Stmt {
	switch {
	case p.isName("class"):
		return p.parseClassDecl(pos, decs, false, declare)
	case p.isName("abstract"):
		p.next()
		if !p.isName("class") {
			p.failExpected("'class'", "after 'abstract'")
		}
		return p.parseClassDecl(pos, decs, true, declare)
	case p.isName("export"):
		return p.parseExport(pos, decs)
	}
	p.failExpected("a class declaration", "after decorators")
	return nil
}

// parseClassDecl parses from `class`.
func (p *parser) parseClassDecl(pos Pos, decs []Expr, abstract, declare bool) *ClassDecl {
	p.next() // class
	d := &ClassDecl{P: pos}
	if p.isIdent() && !p.isName("implements") {
		d.Name = p.s.val
		p.next()
	}
	d.Class = p.parseClassRest(pos, decs, abstract, declare)
	return d
}

func (p *parser) parseClassRest(pos Pos, decs []Expr, abstract, declare bool) *Class {
	c := &Class{P: pos, Abstract: abstract, Declare: declare, Decorators: decs}
	if p.s.tok == tLt {
		c.TypeParams = p.parseTypeParams()
	}
	if p.eatName("extends") {
		x := p.parsePrimaryForHeritage()
		c.Extends = x
		if p.s.tok == tLt || p.s.tok == tShl {
			c.ExtendsArg = p.parseTypeArgs()
		}
	}
	if p.eatName("implements") {
		for {
			c.Implements = append(c.Implements, p.parseTypeRefOnly())
			if !p.eat(tComma) {
				break
			}
		}
	}
	open := p.pos()
	p.expect(tLBrace, "before the class body")
	for p.s.tok != tRBrace {
		if p.s.tok == tEOF {
			p.expectClose(tRBrace, "to close the class body", open)
		}
		if p.eat(tSemi) {
			continue
		}
		c.Members = append(c.Members, p.parseClassMember())
	}
	p.next()
	return c
}

// parsePrimaryForHeritage parses the expression after `extends` in a class:
// a left-hand-side expression whose type arguments are the class's.
func (p *parser) parsePrimaryForHeritage() Expr {
	var x Expr
	if p.isName("new") {
		x = p.parseNew()
	} else {
		x = p.parsePrimary()
	}
	return p.parseCallTailNoTypeArgs(x)
}

func isClassModifier(w string) bool {
	switch w {
	case "public", "private", "protected", "static", "readonly", "abstract", "override",
		"declare", "accessor":
		return true
	}
	return false
}

// canFollowModifier reports whether the token after a modifier-like word
// makes it a modifier (rather than a member named by it).
func canFollowModifier(k tkind, v string) bool {
	switch k {
	case tName, tString, tNumber, tLBrack, tPrivate, tStar, tLBrace:
		return true
	}
	return false
}

func (p *parser) parseClassMember() *ClassMember {
	m := &ClassMember{P: p.pos()}
	if p.s.tok == tAt {
		m.Decorators = p.parseDecorators()
	}
	for p.s.tok == tName && !p.s.esc {
		w := p.s.val
		k, v, nl := p.peek()
		if w == "static" && k == tLBrace {
			p.next()
			m.Kind = "static-block"
			m.Body = p.parseFuncBody(false, false)
			return m
		}
		if isClassModifier(w) && canFollowModifier(k, v) && k != tLBrace && (!nl || w == "static") {
			m.Modifiers = append(m.Modifiers, w)
			p.next()
			continue
		}
		if w == "async" && !nl && canFollowModifier(k, v) && k != tLBrace {
			m.Async = true
			p.next()
			continue
		}
		break
	}
	if p.s.tok == tStar {
		p.next()
		m.Gen = true
	}
	if (p.isName("get") || p.isName("set")) && !m.Gen && !m.Async {
		if k, v, _ := p.peek(); canFollowModifier(k, v) && k != tLBrace && k != tStar {
			m.Kind = p.s.val
			p.next()
			m.Name = p.parsePropertyName(true)
			m.Func = p.parseFuncRest(false, false, true)
			return m
		}
	}
	if p.s.tok == tLBrack && p.isIndexSignature() {
		m.Kind = "index"
		open := p.pos()
		p.next()
		m.IndexParam = p.s.val
		p.next()
		p.next() // ':'
		m.IndexKey = p.parseType()
		p.expectClose(tRBrack, "after the index signature key", open)
		p.expect(tColon, "after the index signature")
		m.Type = p.parseType()
		p.semicolon("the index signature")
		return m
	}
	if p.isName("constructor") || p.s.tok == tString && p.s.val == "constructor" {
		if k, _, _ := p.peek(); k == tLParen || k == tLt {
			p.next()
			m.Kind = "constructor"
			m.Func = p.parseFuncRest(false, false, true)
			return m
		}
	}
	m.Name = p.parsePropertyName(true)
	if p.s.tok == tQuestion {
		p.next()
		m.Optional = true
	} else if p.s.tok == tBang && !p.s.nl {
		p.next()
		m.Def = true
	}
	if p.s.tok == tLParen || p.s.tok == tLt {
		m.Kind = "method"
		m.Func = p.parseFuncRest(m.Async, m.Gen, true)
		return m
	}
	m.Kind = "property"
	if p.eat(tColon) {
		m.Type = p.parseType()
	}
	if p.eat(tAssign) {
		inGen := p.inGen
		p.inGen = false
		m.Init = p.parseAssign()
		p.inGen = inGen
	}
	p.semicolon("the property declaration")
	return m
}

// isIndexSignature reports, at '[', whether an index signature follows
// (`[key: T]`) rather than a computed name.
func (p *parser) isIndexSignature() bool {
	saved := p.s
	defer func() { p.s = saved }()
	p.s.next()
	if p.s.tok == tEllipsis {
		return true
	}
	if p.s.tok != tName {
		return false
	}
	p.s.next()
	return p.s.tok == tColon || p.s.tok == tComma
}

// parsePropertyName parses a property name: a name (keywords included), a
// string, a number, `[expr]` or, in a class (private), `#x`.
func (p *parser) parsePropertyName(private bool) Expr {
	pos := p.pos()
	switch p.s.tok {
	case tName:
		n := p.newIdent(pos, p.s.val)
		p.next()
		return n
	case tString:
		n := p.newStr(pos, p.s.val)
		p.next()
		return n
	case tNumber:
		n := p.newNum(pos, p.s.val)
		p.next()
		return n
	case tPrivate:
		if private {
			n := &PrivateName{P: pos, Name: p.s.val}
			p.next()
			return n
		}
	case tLBrack:
		p.next()
		noIn := p.noIn
		p.noIn = false
		e := p.parseAssign()
		p.noIn = noIn
		p.expectClose(tRBrack, "after the computed property name", pos)
		return &Computed{P: pos, Expr: e}
	}
	p.failExpected("a property name", "")
	return nil
}

// ---- interfaces, type aliases, enums, namespaces ----

func (p *parser) parseInterface(pos Pos, declare bool) Stmt {
	p.next() // interface
	if !p.isIdent() {
		p.failExpected("a name", "after 'interface'")
	}
	d := &InterfaceDecl{P: pos, Name: p.s.val, NamePos: p.pos(), Declare: declare}
	p.next()
	if p.s.tok == tLt {
		d.TypeParams = p.parseTypeParams()
	}
	if p.eatName("extends") {
		for {
			d.Extends = append(d.Extends, p.parseTypeRefOnly())
			if !p.eat(tComma) {
				break
			}
		}
	}
	d.Members = p.parseTypeMembers("the interface body")
	return d
}

func (p *parser) parseTypeAlias(pos Pos, declare bool) Stmt {
	p.next() // type
	name, npos := p.ident("after 'type'")
	d := &TypeAliasDecl{P: pos, Name: name, NamePos: npos, Declare: declare}
	if p.s.tok == tLt {
		d.TypeParams = p.parseTypeParams()
	}
	p.expect(tAssign, "after the type alias name")
	if p.isName("intrinsic") {
		if k, _, nl := p.peek(); k == tSemi || k == tEOF || k == tRBrace || nl {
			d.Type = p.newKw(p.pos(), "intrinsic")
			p.next()
			p.semicolon("the type alias")
			return d
		}
	}
	d.Type = p.parseType()
	p.semicolon("the type alias")
	return d
}

func (p *parser) parseEnum(pos Pos, isConst, declare bool) Stmt {
	p.next() // enum
	name, _ := p.ident("after 'enum'")
	d := &EnumDecl{P: pos, Name: name, Const: isConst, Declare: declare}
	open := p.pos()
	p.expect(tLBrace, "after the enum name")
	for p.s.tok != tRBrace {
		m := EnumMember{P: p.pos()}
		switch p.s.tok {
		case tName, tString, tNumber:
			m.Name = p.s.val
			p.next()
		case tLBrack:
			p.next()
			if p.s.tok != tString && p.s.tok != tTemplate {
				p.failExpected("a string literal", "as a computed enum member name")
			}
			m.Name = p.s.val
			p.next()
			p.expect(tRBrack, "after the enum member name")
		default:
			p.failExpected("an enum member name", "")
		}
		if p.eat(tAssign) {
			m.Init = p.parseAssign()
		}
		d.Members = append(d.Members, m)
		if !p.eat(tComma) {
			break
		}
	}
	p.expectClose(tRBrace, "to close the enum body", open)
	return d
}

func (p *parser) parseModule(pos Pos, declare bool) Stmt {
	p.next() // namespace | module
	d := &ModuleDecl{P: pos, Declare: declare}
	if p.s.tok == tString {
		d.Name = p.s.val
		p.next()
		if p.s.tok != tLBrace {
			p.semicolon("the module declaration")
			return d
		}
	} else {
		name, _ := p.ident("after 'namespace'")
		for p.eat(tDot) {
			if p.s.tok != tName {
				p.failExpected("a name", "after '.'")
			}
			name += "." + p.s.val
			p.next()
		}
		d.Name = name
	}
	d.Body = p.parseModuleBody()
	if d.Body == nil {
		d.Body = []Stmt{}
	}
	return d
}

func (p *parser) parseModuleBody() []Stmt {
	open := p.pos()
	p.expect(tLBrace, "before the namespace body")
	var body []Stmt
	for p.s.tok != tRBrace {
		if p.s.tok == tEOF {
			p.expectClose(tRBrace, "to close the namespace body", open)
		}
		body = append(body, p.parseStatement())
	}
	p.next()
	if body == nil {
		body = []Stmt{}
	}
	return body
}

// ---- imports and exports ----

func (p *parser) parseModuleSpec(what string) (string, Pos) {
	if p.s.tok != tString {
		p.failExpected("a module specifier string", what)
	}
	v, pos := p.s.val, p.pos()
	p.next()
	return v, pos
}

// skipAttributes skips `with { type: "json" }` / `assert { ... }` after a
// module specifier.
func (p *parser) skipAttributes() {
	if (p.isName("with") || p.isName("assert") && !p.s.nl) && func() bool { k, _, _ := p.peek(); return k == tLBrace }() {
		p.next()
		p.parseObjectLit()
	}
}

func (p *parser) parseImport(pos Pos) Stmt {
	p.next() // import
	d := &ImportDecl{P: pos}
	if p.s.tok == tString {
		d.From, d.FromPos = p.parseModuleSpec("")
		p.skipAttributes()
		p.semicolon("the import")
		return d
	}
	if p.isName("type") {
		k, v, _ := p.peek()
		switch {
		case k == tLBrace || k == tStar:
			d.TypeOnly = true
		case k == tName && v != "from" && v != "=":
			d.TypeOnly = true
		case k == tName && v == "from":
			if k2, v2 := p.peek2(); k2 == tName && v2 == "from" || k2 == tAssign {
				d.TypeOnly = true
			}
		}
		if d.TypeOnly {
			p.next()
		}
	}
	if p.isIdent() {
		name := p.s.val
		p.next()
		if p.s.tok == tAssign {
			p.next()
			return p.parseImportEqualsRest(pos, name)
		}
		d.Default = name
		if !p.eat(tComma) {
			goto from
		}
	}
	switch p.s.tok {
	case tStar:
		p.next()
		if !p.eatName("as") {
			p.failExpected("'as'", "after 'import *'")
		}
		d.Namespace, _ = p.ident("after 'import * as'")
	case tLBrace:
		d.Names = p.parseImportNames(true)
	default:
		p.failExpected("an import clause", "after 'import'")
	}
from:
	if !p.eatName("from") {
		p.failExpected("'from'", "after the import clause")
	}
	d.From, d.FromPos = p.parseModuleSpec("after 'from'")
	p.skipAttributes()
	p.semicolon("the import")
	return d
}

func (p *parser) parseImportEqualsRest(pos Pos, name string) Stmt {
	d := &ImportEquals{P: pos, Name: name}
	if p.isName("require") {
		if k, _, _ := p.peek(); k == tLParen {
			p.next()
			open := p.pos()
			p.next()
			d.Require, _ = p.parseModuleSpec("in require()")
			p.expectClose(tRParen, "after the module specifier", open)
			p.semicolon("the import")
			return d
		}
	}
	var x Expr
	n, npos := p.ident("after '='")
	x = p.newIdent(npos, n)
	for p.eat(tDot) {
		if p.s.tok != tName {
			p.failExpected("a name", "after '.'")
		}
		x = &Member{P: npos, X: x, Name: p.s.val, NamePos: p.pos()}
		p.next()
	}
	d.Ref = x
	p.semicolon("the import")
	return d
}

// parseImportNames parses `{ a, b as c, type d }`.
func (p *parser) parseImportNames(isImport bool) []ImportName {
	open := p.pos()
	p.next()
	names := []ImportName{}
	for p.s.tok != tRBrace {
		n := ImportName{P: p.pos()}
		if p.isName("type") {
			k, v, _ := p.peek()
			switch {
			case k == tComma || k == tRBrace:
			case k == tName && v == "as":
				k2, v2 := p.peek2()
				if k2 == tComma || k2 == tRBrace {
					n.TypeOnly = true // `type as`
				} else if k2 == tName && v2 == "as" {
					n.TypeOnly = true // `type as as x`
				}
			case k == tName || k == tString:
				n.TypeOnly = true
			}
			if n.TypeOnly {
				p.next()
			}
		}
		switch p.s.tok {
		case tName, tString:
			n.Name = p.s.val
			p.next()
		default:
			p.failExpected("a name", "in the import list")
		}
		if p.eatName("as") {
			switch p.s.tok {
			case tName, tString:
				n.Alias = p.s.val
				p.next()
			default:
				p.failExpected("a name", "after 'as'")
			}
		}
		names = append(names, n)
		if !p.eat(tComma) {
			break
		}
	}
	p.expectClose(tRBrace, "to close the list of names", open)
	return names
}

func (p *parser) parseExport(pos Pos, decs []Expr) Stmt {
	p.next() // export
	// a decorated class starts at its first decorator, before or after `export`
	classAt := pos
	classPos := func(here Pos) Pos { return here }
	if len(decs) > 0 {
		classPos = func(Pos) Pos { return pos }
	}
	switch p.s.tok {
	case tAssign:
		p.next()
		e := p.parseAssign()
		p.semicolon("'export ='")
		return &ExportAssign{P: pos, Expr: e}
	case tStar:
		return p.parseExportStar(pos, false)
	case tLBrace:
		return p.parseExportNames(pos, false)
	case tAt:
		if len(decs) == 0 {
			classAt = p.pos()
		}
		decs = append(decs, p.parseDecorators()...)
	}
	if p.isName("type") {
		if k, _, _ := p.peek(); k == tLBrace {
			p.next()
			return p.parseExportNames(pos, true)
		} else if k == tStar {
			p.next()
			return p.parseExportStar(pos, true)
		}
	}
	if p.isName("as") {
		p.next()
		if !p.eatName("namespace") {
			p.failExpected("'namespace'", "after 'export as'")
		}
		name, _ := p.ident("after 'export as namespace'")
		p.semicolon("the export")
		return &ExportAsNamespace{P: pos, Name: name}
	}
	if p.isName("import") {
		ipos := p.pos()
		p.next()
		name, _ := p.ident("after 'export import'")
		p.expect(tAssign, "after the import name")
		return &ExportDecl{P: pos, Decl: p.parseImportEqualsRest(ipos, name)}
	}
	if p.isName("default") {
		p.next()
		dpos := p.pos()
		if p.s.tok == tAt {
			decs = append(decs, p.parseDecorators()...)
		}
		switch {
		case p.isName("function"):
			p.anonFunc = true
			d := p.parseFuncDecl(dpos, false)
			return &ExportDecl{P: pos, Default: true, Decl: d}
		case p.isName("async"):
			if k, v, nl := p.peek(); k == tName && v == "function" && !nl {
				p.next()
				p.anonFunc = true
				d := p.parseFuncDecl(dpos, true)
				return &ExportDecl{P: pos, Default: true, Decl: d}
			}
		case p.isName("class"):
			return &ExportDecl{P: pos, Default: true, Decl: p.parseClassDecl(classPos(dpos), decs, false, false)}
		case p.isName("abstract"):
			if k, v, nl := p.peek(); k == tName && v == "class" && !nl {
				p.next()
				return &ExportDecl{P: pos, Default: true, Decl: p.parseClassDecl(classPos(dpos), decs, true, false)}
			}
		case p.isName("interface"):
			if k, _, nl := p.peek(); k == tName && !nl {
				return &ExportDecl{P: pos, Default: true, Decl: p.parseInterface(dpos, false)}
			}
		}
		if decs != nil {
			p.failExpected("a class", "after decorators")
		}
		e := p.parseAssign()
		p.semicolon("'export default'")
		return &ExportDefault{P: pos, Expr: e}
	}
	dpos := p.pos()
	if decs != nil {
		dpos = classAt
	}
	d := p.parseDeclaration(dpos, false, decs)
	if d == nil {
		p.failExpected("a declaration", "after 'export'")
	}
	return &ExportDecl{P: pos, Decl: d}
}

func (p *parser) parseExportStar(pos Pos, typeOnly bool) Stmt {
	p.next() // *
	d := &ExportNames{P: pos, TypeOnly: typeOnly, Star: true}
	if p.eatName("as") {
		switch p.s.tok {
		case tName, tString:
			d.StarAs = p.s.val
			p.next()
		default:
			p.failExpected("a name", "after 'export * as'")
		}
	}
	if !p.eatName("from") {
		p.failExpected("'from'", "after 'export *'")
	}
	d.From, d.FromPos = p.parseModuleSpec("after 'from'")
	p.skipAttributes()
	p.semicolon("the export")
	return d
}

func (p *parser) parseExportNames(pos Pos, typeOnly bool) Stmt {
	d := &ExportNames{P: pos, TypeOnly: typeOnly}
	d.Names = p.parseImportNames(false)
	if p.eatName("from") {
		d.From, d.FromPos = p.parseModuleSpec("after 'from'")
		p.skipAttributes()
	}
	p.semicolon("the export")
	return d
}
