package tsyntax

// ---- expressions ----

func (p *parser) parseExpr() Expr {
	x := p.parseAssign()
	for p.s.tok == tComma {
		p.next()
		y := p.parseAssign()
		x = &Binary{P: x.Position(), Op: ",", X: x, Y: y}
	}
	return x
}

// parseExprIn parses an expression where `in` is an operator again
// (inside brackets of any kind).
func (p *parser) parseExprIn() Expr {
	noIn := p.noIn
	p.noIn = false
	x := p.parseExpr()
	p.noIn = noIn
	return x
}

func (p *parser) parseAssignIn() Expr {
	noIn := p.noIn
	p.noIn = false
	x := p.parseAssign()
	p.noIn = noIn
	return x
}

func (p *parser) parseAssign() Expr { return p.parseAssignX(false) }

func isAssignOp(k tkind) bool {
	switch k {
	case tAssign, tPlusEq, tMinusEq, tStarEq, tStar2Eq, tSlashEq, tPercentEq, tShlEq, tShrEq,
		tUShrEq, tAmpEq, tPipeEq, tCaretEq, tAnd2Eq, tOr2Eq, tQQEq:
		return true
	}
	return false
}

// arrow lookahead answers
const (
	arrowNo = iota
	arrowYes
	arrowMaybe
)

// parseAssignX parses an assignment expression (arrows and yield included).
// condThen is set for the branch after '?' of a conditional, where an arrow
// function with a return type annotation must be followed by ':' (so that
// `a ? (b) : c => d` stays a conditional).
func (p *parser) parseAssignX(condThen bool) Expr {
	p.enter()
	defer p.leave()
	pos := p.pos()
	key := pos.Off * 2
	if condThen {
		key++
	}
	switch p.s.tok {
	case tName:
		if p.s.esc {
			break
		}
		if p.s.val == "yield" && p.inGen {
			return p.parseYield()
		}
		if p.s.val == "async" {
			k, v, nl := p.peek()
			if !nl {
				if k == tName && !isReserved(v) {
					if k2, _ := p.peek2(); k2 == tArrow {
						p.next()
						return p.parseSimpleArrow(pos, true, condThen)
					}
				}
				if k == tLParen || k == tLt {
					var x Expr
					if p.try(key, func() {
						p.next()
						x = p.parseArrowParen(pos, true, condThen)
					}) {
						return x
					}
				}
			}
		}
		if p.isIdent() {
			if k, _, nl := p.peek(); k == tArrow && !nl {
				return p.parseSimpleArrow(pos, false, condThen)
			}
		}
	case tLParen:
		switch p.arrowLookahead() {
		case arrowYes:
			return p.parseArrowParen(pos, false, condThen)
		case arrowMaybe:
			var x Expr
			if p.try(key, func() { x = p.parseArrowParen(pos, false, condThen) }) {
				return x
			}
		}
	case tLt:
		if k, _, _ := p.peek(); k == tName {
			var x Expr
			if p.try(key, func() { x = p.parseArrowParen(pos, false, condThen) }) {
				return x
			}
		}
	}
	x := p.parseCond()
	if isAssignOp(p.s.tok) {
		op := p.s.tok.String()
		p.next()
		v := p.parseAssign()
		return &Assign{P: pos, Op: op, Target: x, Value: v}
	}
	return x
}

// arrowLookahead decides, at '(', whether an arrow function's parameters
// start here: yes, no, or maybe (then parsing is tried).
func (p *parser) arrowLookahead() int {
	saved := p.s
	defer func() { p.s = saved }()
	p.s.next()
	switch p.s.tok {
	case tRParen, tEllipsis:
		return arrowYes
	case tLBrack, tLBrace, tAt:
		return arrowMaybe
	case tName:
		if isParamModifier(p.s.val) {
			return arrowMaybe
		}
		if isReserved(p.s.val) && p.s.val != "this" {
			return arrowNo
		}
		p.s.next()
		switch p.s.tok {
		case tColon:
			return arrowYes
		case tQuestion:
			p.s.next()
			switch p.s.tok {
			case tColon, tComma, tRParen, tAssign:
				return arrowYes
			}
			return arrowNo
		case tComma, tAssign:
			return arrowMaybe
		case tRParen:
			p.s.next()
			if p.s.tok == tArrow && !p.s.nl {
				return arrowYes
			}
			if p.s.tok == tColon {
				return arrowMaybe
			}
		}
	}
	return arrowNo
}

func (p *parser) parseSimpleArrow(pos Pos, async, condThen bool) Expr {
	ppos := p.pos()
	name := p.s.val
	p.next()
	id := p.newIdent(ppos, name)
	f := &Func{P: ppos, Params: []*Param{{P: ppos, Name: id}}}
	p.next() // =>
	p.parseArrowBody(f, async, condThen)
	return &Arrow{P: pos, Async: async, Func: f}
}

// parseArrowParen parses `<T>(params): R => body` from '<' or '('.
func (p *parser) parseArrowParen(pos Pos, async, condThen bool) Expr {
	f := &Func{P: p.pos()}
	if p.s.tok == tLt {
		f.TypeParams = p.parseTypeParams()
	}
	f.Params = p.parseParams()
	if p.eat(tColon) {
		f.Return = p.parseReturnType()
	}
	if p.s.tok != tArrow {
		p.failExpected("'=>'", "after the parameters of the arrow function")
	}
	if p.s.nl {
		p.failAt(p.pos(), "a line break is not allowed before '=>'")
	}
	p.next()
	p.parseArrowBody(f, async, condThen)
	if condThen && f.Return != nil && p.s.tok != tColon {
		p.failExpected("':'", "after the conditional branch")
	}
	return &Arrow{P: pos, Async: async, Func: f}
}

func (p *parser) parseArrowBody(f *Func, async, condThen bool) {
	if p.s.tok == tLBrace {
		f.Body = p.parseFuncBody(async, false)
		return
	}
	inGen := p.inGen
	p.inGen = false
	f.ExprBody = p.parseAssignX(condThen)
	p.inGen = inGen
}

func (p *parser) parseYield() Expr {
	y := &Yield{P: p.pos()}
	p.next()
	if p.s.nl {
		return y
	}
	if p.eat(tStar) {
		y.Delegate = true
		y.X = p.parseAssign()
	} else if p.startsExpr() {
		y.X = p.parseAssign()
	}
	return y
}

// startsExpr reports whether the current token can start an expression.
func (p *parser) startsExpr() bool {
	switch p.s.tok {
	case tName:
		switch p.s.val {
		case "in", "of", "instanceof", "as", "satisfies":
			return p.s.esc
		}
		return true
	case tString, tNumber, tTemplate, tTemplateHead, tPrivate, tLParen, tLBrack, tLBrace,
		tBang, tTilde, tPlus, tMinus, tInc, tDec, tSlash, tSlashEq, tLt, tAt:
		return true
	}
	return false
}

func (p *parser) parseCond() Expr {
	test := p.parseBinary(0)
	if p.s.tok != tQuestion {
		return test
	}
	p.next()
	noIn := p.noIn
	p.noIn = false
	then := p.parseAssignX(true)
	p.noIn = noIn
	p.expect(tColon, "in the conditional expression")
	els := p.parseAssign()
	return &Cond{P: test.Position(), Test: test, Then: then, Else: els}
}

// binPrec returns the precedence and text of the binary operator at the
// current token (0 when it is none).
func (p *parser) binPrec() (int, string) {
	switch p.s.tok {
	case tQQ:
		return 1, "??"
	case tOr2:
		return 2, "||"
	case tAnd2:
		return 3, "&&"
	case tPipe:
		return 4, "|"
	case tCaret:
		return 5, "^"
	case tAmp:
		return 6, "&"
	case tEq2, tNe, tEq3, tNe2:
		return 7, p.s.tok.String()
	case tLt, tLe, tGe:
		return 8, p.s.tok.String()
	case tGt:
		p.s.rescanGreater()
		switch p.s.tok {
		case tGt, tGe:
			return 8, p.s.tok.String()
		case tShr, tUShr:
			return 9, p.s.tok.String()
		}
		return 0, ""
	case tShl, tShr, tUShr:
		return 9, p.s.tok.String()
	case tPlus, tMinus:
		return 10, p.s.tok.String()
	case tStar, tSlash, tPercent:
		return 11, p.s.tok.String()
	case tStar2:
		return 12, "**"
	case tName:
		if p.s.esc {
			return 0, ""
		}
		switch p.s.val {
		case "instanceof":
			return 8, "instanceof"
		case "in":
			if !p.noIn {
				return 8, "in"
			}
		case "as", "satisfies":
			if !p.s.nl {
				return 8, p.s.val
			}
		}
	}
	return 0, ""
}

func (p *parser) parseBinary(minPrec int) Expr {
	x := p.parseUnary()
	for {
		prec, op := p.binPrec()
		if prec == 0 || prec <= minPrec {
			return x
		}
		if op == "as" || op == "satisfies" {
			p.next()
			ae := &AsExpr{P: x.Position(), X: x, Satisfies: op == "satisfies"}
			if op == "as" && p.isName("const") {
				if k, _, _ := p.peek(); k != tDot {
					p.next()
					ae.Const = true
					x = ae
					continue
				}
			}
			ae.Type = p.parseType()
			x = ae
			continue
		}
		p.next()
		var y Expr
		if op == "**" {
			y = p.parseBinary(prec - 1)
		} else {
			y = p.parseBinary(prec)
		}
		x = &Binary{P: x.Position(), Op: op, X: x, Y: y}
	}
}

func (p *parser) parseUnary() Expr {
	p.enter()
	defer p.leave()
	pos := p.pos()
	switch p.s.tok {
	case tBang, tTilde, tPlus, tMinus, tInc, tDec:
		op := p.s.tok.String()
		p.next()
		return &Unary{P: pos, Op: op, X: p.parseUnary()}
	case tLt:
		p.next()
		ae := &AsExpr{P: pos}
		if p.isName("const") {
			p.next()
			ae.Const = true
		} else {
			ae.Type = p.parseType()
		}
		p.expect(tGt, "after the type of the type assertion")
		ae.X = p.parseUnary()
		return ae
	case tName:
		if p.s.esc {
			break
		}
		switch p.s.val {
		case "typeof", "void", "delete":
			op := p.s.val
			p.next()
			return &Unary{P: pos, Op: op, X: p.parseUnary()}
		case "await":
			if p.awaitIsOp() {
				p.next()
				return &Unary{P: pos, Op: "await", X: p.parseUnary()}
			}
		}
	}
	x := p.parseLHS()
	if (p.s.tok == tInc || p.s.tok == tDec) && !p.s.nl {
		op := p.s.tok.String()
		p.next()
		return &Unary{P: pos, Op: op, X: x, Postfix: true}
	}
	return x
}

// awaitIsOp reports whether `await` here is the operator (it is an
// identifier only where no operand follows).
func (p *parser) awaitIsOp() bool {
	saved := p.s
	p.s.next()
	ok := p.s.tok != tError && p.startsExpr() && p.s.tok != tLt
	if p.s.tok == tName && !p.s.esc && (p.s.val == "in" || p.s.val == "of" || p.s.val == "instanceof") {
		ok = false
	}
	p.s = saved
	return ok
}

func (p *parser) parseLHS() Expr {
	var x Expr
	if p.isName("new") {
		x = p.parseNew()
	} else {
		x = p.parsePrimary()
	}
	return p.parseCallTail(x, 0)
}

// modes of parseCallTail
const (
	noCalls    = 1 << iota // a `new` callee: arguments belong to the new
	noTypeArgs             // type arguments are not parsed
	noIndex                // a decorator: '[' starts the next member
)

func (p *parser) parseCallTailNoTypeArgs(x Expr) Expr { return p.parseCallTail(x, noTypeArgs) }

func (p *parser) parseCallTail(x Expr, mode int) Expr {
	for {
		switch p.s.tok {
		case tDot:
			p.next()
			x = p.parseMemberName(x, false)
		case tQDot:
			p.next()
			switch p.s.tok {
			case tLParen:
				x = &Call{P: x.Position(), Callee: x, Args: p.parseArgs(), Optional: true}
			case tLBrack:
				open := p.pos()
				p.next()
				idx := p.parseExprIn()
				p.expectClose(tRBrack, "after the index", open)
				x = &Index{P: x.Position(), X: x, Index: idx, Optional: true}
			case tLt, tShl:
				targs := p.parseTypeArgs()
				if p.s.tok != tLParen {
					p.failExpected("'('", "after the type arguments")
				}
				x = &Call{P: x.Position(), Callee: x, TypeArgs: targs, Args: p.parseArgs(), Optional: true}
			default:
				x = p.parseMemberName(x, true)
			}
		case tLBrack:
			if mode&noIndex != 0 {
				return x
			}
			open := p.pos()
			p.next()
			idx := p.parseExprIn()
			p.expectClose(tRBrack, "after the index", open)
			x = &Index{P: x.Position(), X: x, Index: idx}
		case tLParen:
			if mode&noCalls != 0 {
				return x
			}
			x = &Call{P: x.Position(), Callee: x, Args: p.parseArgs()}
		case tTemplate, tTemplateHead:
			x = p.parseTemplate(x.Position(), x, nil)
		case tBang:
			if p.s.nl {
				return x
			}
			p.next()
			x = &NonNull{P: x.Position(), X: x}
		case tLt, tShl:
			if mode&(noCalls|noTypeArgs) != 0 {
				return x
			}
			targs, ok := p.tryTypeArgsInExpr()
			if !ok {
				return x
			}
			switch p.s.tok {
			case tLParen:
				x = &Call{P: x.Position(), Callee: x, TypeArgs: targs, Args: p.parseArgs()}
			case tTemplate, tTemplateHead:
				x = p.parseTemplate(x.Position(), x, targs)
			default:
				x = &Instantiate{P: x.Position(), X: x, TypeArgs: targs}
			}
		default:
			return x
		}
	}
}

func (p *parser) parseMemberName(x Expr, optional bool) Expr {
	if p.s.tok != tName && p.s.tok != tPrivate {
		p.failExpected("a property name", "after '.'")
	}
	m := p.slabs.members.alloc()
	m.P, m.X, m.Name, m.NamePos, m.Optional = x.Position(), x, p.s.val, p.pos(), optional
	p.next()
	return m
}

// tryTypeArgsInExpr tries `<T, U>` after an expression: type arguments of
// a call (or an instantiation expression) rather than a comparison.
func (p *parser) tryTypeArgsInExpr() ([]Type, bool) {
	var targs []Type
	ok := p.try(p.s.start*2, func() {
		targs = p.parseTypeArgs()
		// `a < b, c >= d`, `a < b >> c`: a '>' joined to what follows
		// closes no type arguments
		if c := p.s.src[p.lastGt+1:]; c != "" && (c[0] == '=' || c[0] == '>') || !p.canFollowTypeArgs() {
			p.failAt(p.pos(), "not type arguments")
		}
	})
	return targs, ok
}

func (p *parser) canFollowTypeArgs() bool {
	switch p.s.tok {
	case tLParen, tTemplate, tTemplateHead:
		return true
	case tLt, tGt, tPlus, tMinus:
		return false
	}
	if p.s.nl {
		return true
	}
	if prec, _ := p.binPrec(); prec > 0 {
		return true
	}
	return !p.startsExpr()
}

func (p *parser) parseArgs() []Expr {
	open := p.pos()
	p.next() // (
	noIn := p.noIn
	p.noIn = false
	args := []Expr{}
	for p.s.tok != tRParen {
		if p.s.tok == tEllipsis {
			pos := p.pos()
			p.next()
			args = append(args, &Spread{P: pos, Arg: p.parseAssign()})
		} else {
			args = append(args, p.parseAssign())
		}
		if !p.eat(tComma) {
			break
		}
	}
	p.noIn = noIn
	if p.s.tok != tRParen {
		p.failExpected("')'", "after arguments (the call starts at "+posText(open)+")")
	}
	p.next()
	return args
}

func posText(p Pos) string { return itoa(p.Line) + ":" + itoa(p.Col) }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

func (p *parser) parseNew() Expr {
	pos := p.pos()
	p.next() // new
	if p.s.tok == tDot {
		p.next()
		if !p.isName("target") {
			p.failExpected("'target'", "after 'new.'")
		}
		p.next()
		return &MetaProp{P: pos, Meta: "new", Prop: "target"}
	}
	var callee Expr
	if p.isName("new") {
		callee = p.parseNew()
	} else {
		callee = p.parsePrimary()
	}
	callee = p.parseCallTail(callee, noCalls)
	n := &New{P: pos, Callee: callee}
	if p.s.tok == tLt || p.s.tok == tShl {
		if targs, ok := p.tryTypeArgsInExpr(); ok {
			n.TypeArgs = targs
		}
	}
	if p.s.tok == tLParen {
		n.Args = p.parseArgs()
	}
	return n
}

func (p *parser) parsePrimary() Expr {
	pos := p.pos()
	switch p.s.tok {
	case tName:
		if !p.s.esc {
			switch p.s.val {
			case "this", "super":
				n := p.newIdent(pos, p.s.val)
				p.next()
				return n
			case "null":
				p.next()
				return &NullLit{P: pos}
			case "true", "false":
				n := &BoolLit{P: pos, Value: p.s.val == "true"}
				p.next()
				return n
			case "function":
				return p.parseFuncExpr(pos, false)
			case "async":
				if k, v, nl := p.peek(); k == tName && v == "function" && !nl {
					p.next()
					return p.parseFuncExpr(pos, true)
				}
			case "class":
				return p.parseClassExpr(pos, nil)
			case "new":
				return p.parseNew()
			case "import":
				return p.parseImportExpr(pos)
			}
			if isReserved(p.s.val) {
				p.unexpected()
			}
		}
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
	case tTemplate, tTemplateHead:
		return p.parseTemplate(pos, nil, nil)
	case tSlash, tSlashEq:
		p.s.rescanSlash()
		if p.s.tok == tError {
			p.err = p.s.err
			panic(bailout{})
		}
		n := &RegexLit{P: pos, Body: p.s.val, Flags: p.s.raw}
		p.next()
		return n
	case tLParen:
		p.next()
		x := p.parseExprIn()
		p.expectClose(tRParen, "after the parenthesised expression", pos)
		return &Paren{P: pos, X: x}
	case tLBrack:
		return p.parseArrayLit()
	case tLBrace:
		return p.parseObjectLit()
	case tPrivate:
		n := &PrivateName{P: pos, Name: p.s.val}
		p.next()
		return n
	case tAt:
		decs := p.parseDecorators()
		if !p.isName("class") {
			p.failExpected("'class'", "after decorators")
		}
		return p.parseClassExpr(pos, decs)
	}
	p.unexpected()
	return nil
}

func (p *parser) parseImportExpr(pos Pos) Expr {
	p.next() // import
	switch p.s.tok {
	case tDot:
		p.next()
		if !p.isName("meta") {
			p.failExpected("'meta'", "after 'import.'")
		}
		p.next()
		return &MetaProp{P: pos, Meta: "import", Prop: "meta"}
	case tLParen:
		open := p.pos()
		p.next()
		arg := p.parseAssignIn()
		if p.eat(tComma) && p.s.tok != tRParen {
			p.parseAssignIn()
			p.eat(tComma)
		}
		p.expectClose(tRParen, "after the argument of import()", open)
		return &ImportCall{P: pos, Arg: arg}
	}
	p.failExpected("'(' or '.'", "after 'import'")
	return nil
}

func (p *parser) parseFuncExpr(pos Pos, async bool) Expr {
	p.next() // function
	gen := p.eat(tStar)
	fe := &FuncExpr{P: pos, Async: async, Gen: gen}
	if p.isIdent() {
		fe.Name = p.s.val
		p.next()
	}
	fe.Func = p.parseFuncRest(async, gen, false)
	return fe
}

func (p *parser) parseClassExpr(pos Pos, decs []Expr) Expr {
	p.next() // class
	ce := &ClassExpr{P: pos}
	if p.isIdent() && !p.isName("implements") {
		ce.Name = p.s.val
		p.next()
	}
	ce.Class = p.parseClassRest(pos, decs, false, false)
	return ce
}

func (p *parser) parseArrayLit() Expr {
	p.enter()
	defer p.leave()
	pos := p.pos()
	p.next()
	noIn := p.noIn
	p.noIn = false
	a := &ArrayLit{P: pos}
	for p.s.tok != tRBrack {
		if p.s.tok == tComma {
			p.next()
			a.Elems = append(a.Elems, nil)
			continue
		}
		if p.s.tok == tEllipsis {
			spos := p.pos()
			p.next()
			a.Elems = append(a.Elems, &Spread{P: spos, Arg: p.parseAssign()})
		} else {
			a.Elems = append(a.Elems, p.parseAssign())
		}
		if !p.eat(tComma) {
			break
		}
	}
	p.noIn = noIn
	p.expectClose(tRBrack, "to close the array literal", pos)
	return a
}

func canStartPropName(k tkind) bool {
	switch k {
	case tName, tString, tNumber, tLBrack, tPrivate:
		return true
	}
	return false
}

func (p *parser) parseObjectLit() *ObjectLit {
	p.enter()
	defer p.leave()
	pos := p.pos()
	p.next()
	noIn := p.noIn
	p.noIn = false
	o := &ObjectLit{P: pos}
	for p.s.tok != tRBrace {
		o.Props = append(o.Props, p.parseObjProp())
		if !p.eat(tComma) {
			break
		}
	}
	p.noIn = noIn
	p.expectClose(tRBrace, "to close the object literal", pos)
	return o
}

func (p *parser) parseObjProp() *Prop {
	pos := p.pos()
	if p.eat(tEllipsis) {
		return &Prop{P: pos, Kind: "spread", Value: p.parseAssign()}
	}
	pr := &Prop{P: pos}
	if p.isName("async") {
		if k, _, nl := p.peek(); !nl && (canStartPropName(k) || k == tStar) {
			pr.Async = true
			p.next()
		}
	}
	if p.s.tok == tStar {
		pr.Gen = true
		p.next()
	}
	if !pr.Async && !pr.Gen && (p.isName("get") || p.isName("set")) {
		if k, _, _ := p.peek(); canStartPropName(k) {
			pr.Kind = p.s.val
			p.next()
			pr.Key = p.parsePropertyName(false)
			pr.Func = p.parseFuncRest(false, false, false)
			return pr
		}
	}
	pr.Key = p.parsePropertyName(false)
	if p.s.tok == tLParen || p.s.tok == tLt {
		pr.Kind = "method"
		pr.Func = p.parseFuncRest(pr.Async, pr.Gen, false)
		return pr
	}
	if pr.Async || pr.Gen {
		p.failExpected("'('", "after the method name")
	}
	if p.eat(tColon) {
		pr.Kind = "init"
		pr.Value = p.parseAssign()
		return pr
	}
	id, ok := pr.Key.(*Ident)
	if !ok || isReserved(id.Name) && id.Name != "this" {
		p.failExpected("':'", "after the property name")
	}
	pr.Kind = "shorthand"
	pr.Value = id
	if p.s.tok == tAssign {
		p.next()
		pr.Value = &Assign{P: id.P, Op: "=", Target: id, Value: p.parseAssign()}
	}
	return pr
}

// parseTemplate parses a template literal from its first part; tag is nil
// when untagged.
func (p *parser) parseTemplate(pos Pos, tag Expr, targs []Type) Expr {
	t := &Template{P: pos, Tag: tag, TypeArgs: targs}
	for {
		if p.s.bad {
			if tag == nil {
				p.failAt(p.pos(), "invalid escape sequence in template literal")
			}
			t.Cooked = append(t.Cooked, nil)
		} else {
			c := p.s.val
			t.Cooked = append(t.Cooked, &c)
		}
		t.Raw = append(t.Raw, p.s.raw)
		if p.s.tok == tTemplate || p.s.tok == tTemplateTail {
			p.next()
			return t
		}
		p.next()
		t.Exprs = append(t.Exprs, p.parseExprIn())
		if p.s.tok != tRBrace {
			p.failExpected("'}'", "after the template substitution")
		}
		p.s.rescanTemplate()
		if p.s.tok == tError {
			p.err = p.s.err
			panic(bailout{})
		}
	}
}
