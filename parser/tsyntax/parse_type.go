package tsyntax

// ---- types ----

func (p *parser) parseType() Type {
	p.enter()
	defer p.leave()
	pos := p.pos()
	if p.isStartOfFuncType() {
		return p.parseFuncType(pos, false)
	}
	if p.isName("new") {
		p.next()
		return p.parseFuncType(pos, true)
	}
	if p.isName("abstract") {
		if k, v, _ := p.peek(); k == tName && v == "new" {
			p.next()
			p.next()
			return p.parseFuncType(pos, true)
		}
	}
	t := p.parseUnionType()
	if !p.noCond && !p.s.nl && p.isName("extends") {
		p.next()
		p.noCond = true
		ext := p.parseType()
		p.noCond = false
		p.expect(tQuestion, "after the extends clause of the conditional type")
		then := p.parseType()
		p.expect(tColon, "in the conditional type")
		els := p.parseType()
		return &ConditionalType{P: pos, Check: t, Extends: ext, Then: then, Else: els}
	}
	return t
}

// parseTypeInner parses a type inside brackets, where conditional types
// are allowed again.
func (p *parser) parseTypeInner() Type {
	noCond := p.noCond
	p.noCond = false
	t := p.parseType()
	p.noCond = noCond
	return t
}

// isStartOfFuncType reports whether a function type starts here: '<', or
// '(' followed by what can only be parameters.
func (p *parser) isStartOfFuncType() bool {
	if p.s.tok == tLt {
		return true
	}
	if p.s.tok != tLParen {
		return false
	}
	saved := p.s
	defer func() { p.s = saved }()
	p.s.next()
	switch p.s.tok {
	case tRParen, tEllipsis:
		return true
	}
	if !p.skipParamStart() {
		return false
	}
	switch p.s.tok {
	case tColon, tComma, tQuestion, tAssign:
		return true
	case tRParen:
		p.s.next()
		return p.s.tok == tArrow
	}
	return false
}

// skipParamStart skips a parameter name or a bracketed pattern (lookahead).
func (p *parser) skipParamStart() bool {
	for p.s.tok == tName && isParamModifier(p.s.val) {
		saved := p.s
		p.s.next()
		if p.s.tok != tName && p.s.tok != tLBrace && p.s.tok != tLBrack {
			p.s = saved
			break
		}
	}
	switch p.s.tok {
	case tName:
		p.s.next()
		return true
	case tLBrack, tLBrace:
		depth := 0
		for {
			switch p.s.tok {
			case tLBrack, tLBrace, tLParen:
				depth++
			case tRBrack, tRBrace, tRParen:
				depth--
			case tEOF, tError:
				return false
			}
			p.s.next()
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

func (p *parser) parseFuncType(pos Pos, ctor bool) Type {
	f := &Func{P: p.pos()}
	if p.s.tok == tLt {
		f.TypeParams = p.parseTypeParams()
	}
	f.Params = p.parseParams()
	if p.s.tok != tArrow {
		p.failExpected("'=>'", "after the parameters of the function type")
	}
	p.next()
	noCond := p.noCond
	p.noCond = false // `A extends () => B extends C ? D : E ? F : G`: the return type takes the inner conditional
	f.Return = p.parseReturnType()
	p.noCond = noCond
	return &FuncType{P: pos, Ctor: ctor, Func: f}
}

// parseReturnType parses a return type, type predicates included.
func (p *parser) parseReturnType() Type {
	pos := p.pos()
	if p.s.tok == tName && !p.s.esc {
		if p.s.val == "asserts" {
			if k, _, nl := p.peek(); k == tName && !nl {
				p.next()
				pt := &PredicateType{P: pos, Asserts: true, Param: p.s.val}
				p.next()
				if p.isName("is") && !p.s.nl {
					p.next()
					pt.Type = p.parseType()
				}
				return pt
			}
		}
		if k, v, nl := p.peek(); k == tName && v == "is" && !nl {
			pt := &PredicateType{P: pos, Param: p.s.val}
			p.next()
			p.next()
			pt.Type = p.parseType()
			return pt
		}
	}
	return p.parseType()
}

func (p *parser) parseUnionType() Type {
	pos := p.pos()
	p.eat(tPipe)
	t := p.parseIntersectionType()
	if p.s.tok != tPipe {
		return t // a single type, a leading '|' or not
	}
	u := &UnionType{P: pos, Types: []Type{t}}
	for p.eat(tPipe) {
		u.Types = append(u.Types, p.parseIntersectionType())
	}
	return u
}

func (p *parser) parseIntersectionType() Type {
	pos := p.pos()
	p.eat(tAmp)
	t := p.parseTypeOperator()
	if p.s.tok != tAmp {
		return t
	}
	it := &IntersectionType{P: pos, Types: []Type{t}}
	for p.eat(tAmp) {
		it.Types = append(it.Types, p.parseTypeOperator())
	}
	return it
}

// startsType reports whether a token can start a type.
func startsType(k tkind) bool {
	switch k {
	case tName, tString, tNumber, tMinus, tLBrace, tLBrack, tLParen, tLt, tTemplate, tTemplateHead:
		return true
	}
	return false
}

func (p *parser) parseTypeOperator() Type {
	p.enter()
	defer p.leave()
	pos := p.pos()
	if p.s.tok == tName && !p.s.esc {
		switch op := p.s.val; op {
		case "keyof", "unique", "readonly":
			if k, _, _ := p.peek(); startsType(k) {
				p.next()
				return &TypeOperator{P: pos, Op: op, Type: p.parseTypeOperator()}
			}
		case "infer":
			if k, _, _ := p.peek(); k == tName {
				p.next()
				it := &InferType{P: pos, Name: p.s.val}
				p.next()
				if p.isName("extends") && !p.s.nl {
					var c Type
					noCond := p.noCond
					if p.try(p.s.start*2, func() {
						p.next()
						p.noCond = true
						c = p.parseType()
						p.noCond = noCond
						if !noCond && p.s.tok == tQuestion {
							p.failAt(p.pos(), "a conditional type, not a constraint")
						}
					}) {
						it.Constraint = c
					}
				}
				return it
			}
		}
	}
	return p.parsePostfixType()
}

func (p *parser) parsePostfixType() Type {
	pos := p.pos()
	t := p.parsePrimaryType()
	for p.s.tok == tLBrack && !p.s.nl {
		open := p.pos()
		p.next()
		if p.eat(tRBrack) {
			at := p.slabs.arrTypes.alloc()
			at.P, at.Elem = pos, t
			t = at
			continue
		}
		idx := p.parseTypeInner()
		p.expectClose(tRBrack, "after the index type", open)
		t = &IndexedType{P: pos, Object: t, Index: idx}
	}
	return t
}

func isKeywordType(w string) bool {
	switch w {
	case "any", "unknown", "string", "number", "bigint", "symbol", "boolean", "never", "object",
		"undefined", "void", "null":
		return true
	}
	return false
}

func (p *parser) parsePrimaryType() Type {
	pos := p.pos()
	switch p.s.tok {
	case tName:
		if !p.s.esc {
			switch w := p.s.val; w {
			case "this":
				p.next()
				return p.newKw(pos, "this")
			case "true", "false":
				p.next()
				return p.newLit(pos, &BoolLit{P: pos, Value: w == "true"})
			case "typeof":
				return p.parseTypeQuery(pos)
			case "import":
				if k, _, _ := p.peek(); k == tLParen {
					return p.parseImportType(pos)
				}
			default:
				if isKeywordType(w) {
					if k, _, _ := p.peek(); k != tDot {
						p.next()
						return p.newKw(pos, w)
					}
				}
			}
		}
		return p.parseTypeRef()
	case tString:
		t := p.newLit(pos, p.newStr(pos, p.s.val))
		p.next()
		return t
	case tNumber:
		t := p.newLit(pos, p.newNum(pos, p.s.val))
		p.next()
		return t
	case tMinus:
		p.next()
		if p.s.tok != tNumber {
			p.failExpected("a number", "after '-' in a type")
		}
		n := p.newNum(p.pos(), p.s.val)
		p.next()
		return p.newLit(pos, &Unary{P: pos, Op: "-", X: n})
	case tTemplate, tTemplateHead:
		return p.parseTemplateType(pos)
	case tLBrace:
		if p.isMappedStart() {
			return p.parseMappedType(pos)
		}
		return &ObjectType{P: pos, Members: p.parseTypeMembers("the type literal")}
	case tLBrack:
		return p.parseTupleType(pos)
	case tLParen:
		p.next()
		t := p.parseTypeInner()
		p.expectClose(tRParen, "after the parenthesised type", pos)
		return &ParenType{P: pos, Type: t}
	case tLt:
		return p.parseFuncType(pos, false)
	}
	p.failExpected("a type", "")
	return nil
}

func (p *parser) parseTypeRef() Type { return p.parseTypeRefOnly() }

// parseTypeRefOnly parses a (dotted) type name with its type arguments.
func (p *parser) parseTypeRefOnly() *TypeRef {
	pos := p.pos()
	if p.s.tok != tName {
		p.failExpected("a type name", "")
	}
	name := p.s.val
	p.next()
	for p.s.tok == tDot {
		p.next()
		if p.s.tok != tName {
			p.failExpected("a name", "after '.' in a type name")
		}
		name += "." + p.s.val
		p.next()
	}
	r := p.slabs.refs.alloc()
	r.P, r.Name = pos, name
	if (p.s.tok == tLt || p.s.tok == tShl) && !p.s.nl {
		r.Args = p.parseTypeArgs()
	}
	return r
}

// splitShl turns a current '<<' into '<' (the second '<' is scanned next).
func (p *parser) splitShl() {
	if p.s.tok == tShl || p.s.tok == tShlEq || p.s.tok == tLe {
		p.s.tok = tLt
		p.s.off = p.s.start + 1
	}
}

func (p *parser) parseTypeArgs() []Type {
	open := p.pos()
	p.splitShl()
	p.expect(tLt, "")
	noCond := p.noCond
	p.noCond = false
	var ts []Type
	for {
		ts = append(ts, p.parseType())
		if !p.eat(tComma) || p.s.tok == tGt {
			break
		}
	}
	p.noCond = noCond
	p.lastGt = p.s.start
	p.expectClose(tGt, "after the type arguments", open)
	return ts
}

func (p *parser) parseTypeParams() []*TypeParam {
	open := p.pos()
	p.expect(tLt, "")
	noCond := p.noCond
	p.noCond = false
	var tps []*TypeParam
	for p.s.tok != tGt {
		tp := &TypeParam{P: p.pos()}
		for p.s.tok == tName && !p.s.esc && (p.s.val == "in" || p.s.val == "out" || p.s.val == "const") {
			if k, _, _ := p.peek(); k != tName {
				break
			}
			tp.Modifiers = append(tp.Modifiers, p.s.val)
			p.next()
		}
		tp.Name, _ = p.ident("for the type parameter")
		if p.eatName("extends") {
			tp.Constraint = p.parseType()
		}
		if p.eat(tAssign) {
			tp.Default = p.parseType()
		}
		tps = append(tps, tp)
		if !p.eat(tComma) {
			break
		}
	}
	p.noCond = noCond
	p.expectClose(tGt, "after the type parameters", open)
	return tps
}

func (p *parser) parseTypeQuery(pos Pos) Type {
	p.next() // typeof
	var x Expr
	if p.isName("import") {
		ipos := p.pos()
		p.next()
		open := p.pos()
		p.expect(tLParen, "after 'import'")
		if p.s.tok != tString {
			p.failExpected("a module specifier string", "in import()")
		}
		x = &ImportCall{P: ipos, Arg: p.newStr(p.pos(), p.s.val)}
		p.next()
		if p.eat(tComma) && p.s.tok != tRParen {
			p.parseAssignIn()
			p.eat(tComma)
		}
		p.expectClose(tRParen, "after the module specifier", open)
	} else {
		if p.s.tok != tName {
			p.failExpected("a name", "after 'typeof'")
		}
		x = p.newIdent(p.pos(), p.s.val)
		p.next()
	}
	for p.s.tok == tDot {
		p.next()
		x = p.parseMemberName(x, false)
	}
	q := &TypeQuery{P: pos, Expr: x}
	if (p.s.tok == tLt || p.s.tok == tShl) && !p.s.nl {
		q.Args = p.parseTypeArgs()
	}
	return q
}

func (p *parser) parseImportType(pos Pos) Type {
	p.next() // import
	open := p.pos()
	p.expect(tLParen, "after 'import'")
	if p.s.tok != tString {
		p.failExpected("a module specifier string", "in import()")
	}
	it := &ImportType{P: pos, From: p.s.val}
	p.next()
	if p.eat(tComma) && p.s.tok != tRParen {
		p.parseAssignIn()
		p.eat(tComma)
	}
	p.expectClose(tRParen, "after the module specifier", open)
	for p.eat(tDot) {
		if p.s.tok != tName {
			p.failExpected("a name", "after '.'")
		}
		if it.Name != "" {
			it.Name += "."
		}
		it.Name += p.s.val
		p.next()
	}
	if (p.s.tok == tLt || p.s.tok == tShl) && !p.s.nl {
		it.Args = p.parseTypeArgs()
	}
	return it
}

func (p *parser) parseTemplateType(pos Pos) Type {
	tt := &TemplateType{P: pos}
	for {
		if p.s.bad {
			p.failAt(p.pos(), "invalid escape sequence in template literal type")
		}
		tt.Quasis = append(tt.Quasis, p.s.val)
		if p.s.tok == tTemplate || p.s.tok == tTemplateTail {
			p.next()
			return tt
		}
		p.next()
		tt.Types = append(tt.Types, p.parseTypeInner())
		if p.s.tok != tRBrace {
			p.failExpected("'}'", "after the type in the template literal type")
		}
		p.s.rescanTemplate()
		if p.s.tok == tError {
			p.err = p.s.err
			panic(bailout{})
		}
	}
}

func (p *parser) isMappedStart() bool {
	saved := p.s
	defer func() { p.s = saved }()
	p.s.next()
	if p.s.tok == tPlus || p.s.tok == tMinus {
		p.s.next()
		return p.s.tok == tName && p.s.val == "readonly"
	}
	if p.s.tok == tName && p.s.val == "readonly" {
		p.s.next()
	}
	if p.s.tok != tLBrack {
		return false
	}
	p.s.next()
	if p.s.tok != tName {
		return false
	}
	p.s.next()
	return p.s.tok == tName && p.s.val == "in"
}

func (p *parser) parseMappedType(pos Pos) Type {
	p.next() // {
	noCond := p.noCond
	p.noCond = false
	m := &MappedType{P: pos}
	if p.s.tok == tPlus || p.s.tok == tMinus {
		m.Readonly = p.s.tok.String()
		p.next()
		p.next() // readonly (checked by isMappedStart)
	} else if p.eatName("readonly") {
		m.Readonly = "readonly"
	}
	open := p.pos()
	p.expect(tLBrack, "in the mapped type")
	m.Param, _ = p.ident("in the mapped type")
	p.next() // in
	m.In = p.parseType()
	if p.eatName("as") {
		m.As = p.parseType()
	}
	p.expectClose(tRBrack, "in the mapped type", open)
	switch p.s.tok {
	case tPlus, tMinus:
		m.Optional = p.s.tok.String() + "?"
		p.next()
		p.expect(tQuestion, "after '"+m.Optional[:1]+"' in the mapped type")
	case tQuestion:
		m.Optional = "?"
		p.next()
	}
	if p.eat(tColon) {
		m.Value = p.parseType()
	}
	if !p.eat(tSemi) {
		p.eat(tComma)
	}
	p.noCond = noCond
	p.expectClose(tRBrace, "to close the mapped type", pos)
	return m
}

func (p *parser) parseTupleType(pos Pos) Type {
	p.next() // [
	noCond := p.noCond
	p.noCond = false
	tt := &TupleType{P: pos}
	for p.s.tok != tRBrack {
		el := TupleElem{P: p.pos()}
		if p.eat(tEllipsis) {
			el.Rest = true
		}
		if p.s.tok == tName {
			k, _, _ := p.peek()
			named := k == tColon
			if k == tQuestion {
				k2, _ := p.peek2()
				named = k2 == tColon
			}
			if named {
				el.Name = p.s.val
				p.next()
				if p.eat(tQuestion) {
					el.Optional = true
				}
				p.next() // :
			}
		}
		el.Type = p.parseType()
		if el.Name == "" && p.s.tok == tQuestion {
			el.Optional = true
			p.next()
		}
		tt.Elems = append(tt.Elems, el)
		if !p.eat(tComma) {
			break
		}
	}
	p.noCond = noCond
	p.expectClose(tRBrack, "to close the tuple type", pos)
	return tt
}

// parseTypeMembers parses `{ members }` of an interface or type literal.
func (p *parser) parseTypeMembers(what string) []TypeMember {
	open := p.pos()
	p.expect(tLBrace, "before "+what)
	noCond := p.noCond
	p.noCond = false
	base := len(p.scratch.members)
	for p.s.tok != tRBrace {
		if p.s.tok == tEOF {
			p.expectClose(tRBrace, "to close "+what, open)
		}
		m := p.parseTypeMember()
		p.scratch.members = append(p.scratch.members, m)
		if p.eat(tSemi) || p.eat(tComma) {
			continue
		}
		if p.s.tok == tEOF {
			p.expectClose(tRBrace, "to close "+what, open)
		}
		if p.s.tok != tRBrace && !p.s.nl {
			p.failExpected("';' or a line break", "after the member")
		}
	}
	p.next()
	p.noCond = noCond
	ms := make([]TypeMember, len(p.scratch.members)-base)
	copy(ms, p.scratch.members[base:])
	clear(p.scratch.members[base:])
	p.scratch.members = p.scratch.members[:base]
	return ms
}

// parseSig parses the parameters and return type of a signature.
func (p *parser) parseSig() *Func {
	f := &Func{P: p.pos()}
	if p.s.tok == tLt {
		f.TypeParams = p.parseTypeParams()
	}
	f.Params = p.parseParams()
	if p.eat(tColon) {
		f.Return = p.parseReturnType()
	}
	return f
}

func (p *parser) parseTypeMember() TypeMember {
	pos := p.pos()
	docS, docE := p.s.docS, p.s.docE
	switch p.s.tok {
	case tLParen, tLt:
		return &CallSig{P: pos, Func: p.parseSig()}
	}
	if p.isName("new") {
		if k, _, _ := p.peek(); k == tLParen || k == tLt {
			p.next()
			return &CallSig{P: pos, Ctor: true, Func: p.parseSig()}
		}
	}
	readonly := false
	if p.isName("readonly") {
		if k, v, _ := p.peek(); canFollowModifier(k, v) && k != tLBrace && k != tStar {
			readonly = true
			p.next()
		}
	}
	if p.isName("get") || p.isName("set") {
		if k, _, _ := p.peek(); canStartPropName(k) {
			kind := p.s.val
			p.next()
			name, comp := p.parseMemberKey()
			return &MethodSig{P: pos, Name: name, Computed: comp, Kind: kind, Func: p.parseSig()}
		}
	}
	if p.s.tok == tLBrack && p.isIndexSignature() {
		open := p.pos()
		p.next()
		is := &IndexSig{P: pos, Param: p.s.val, Readonly: readonly}
		p.next()
		p.expect(tColon, "after the index signature parameter")
		is.Key = p.parseType()
		p.expectClose(tRBrack, "after the index signature key", open)
		p.expect(tColon, "after the index signature")
		is.Value = p.parseType()
		return is
	}
	name, comp := p.parseMemberKey()
	optional := p.eat(tQuestion)
	if p.s.tok == tLParen || p.s.tok == tLt {
		return &MethodSig{P: pos, Name: name, Computed: comp, Optional: optional, Kind: "method", Func: p.parseSig()}
	}
	ps := p.slabs.props.alloc()
	ps.P, ps.Name, ps.Computed, ps.Optional, ps.Readonly = pos, name, comp, optional, readonly
	if p.eat(tColon) {
		ps.Type = p.parseType()
	}
	if docS >= 0 {
		ps.Doc = p.s.src[docS:docE]
	}
	return ps
}

// parseMemberKey parses the name of a type member: a name, string or
// number (returned as text) or `[expr]` (returned as the expression).
func (p *parser) parseMemberKey() (string, Expr) {
	switch p.s.tok {
	case tName, tString, tNumber:
		v := p.s.val
		p.next()
		return v, nil
	case tLBrack:
		open := p.pos()
		p.next()
		e := p.parseAssignIn()
		p.expectClose(tRBrack, "after the computed property name", open)
		return "", e
	case tPrivate:
		v := p.s.val
		p.next()
		return v, nil
	}
	p.failExpected("a property name", "")
	return "", nil
}
