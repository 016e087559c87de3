package tsyntax

// slab hands out nodes of one type from chunks, so that the many small
// nodes of a module (names, keyword types, properties) cost a fraction of
// an allocation each. A chunk lives as long as any node in it, which is
// as long as the tree.
type slab[T any] []T

const slabChunk = 64

func (s *slab[T]) alloc() *T {
	if len(*s) == 0 {
		*s = make([]T, slabChunk)
	}
	x := &(*s)[0]
	*s = (*s)[1:]
	return x
}

// slabs of the most frequent nodes.
type slabs struct {
	idents   slab[Ident]
	strs     slab[StringLit]
	nums     slab[NumberLit]
	kws      slab[KeywordType]
	refs     slab[TypeRef]
	lits     slab[LiteralType]
	props    slab[PropSig]
	members  slab[Member]
	arrTypes slab[ArrayType]
}

func (p *parser) newIdent(pos Pos, name string) *Ident {
	n := p.slabs.idents.alloc()
	n.P, n.Name = pos, name
	return n
}

func (p *parser) newStr(pos Pos, v string) *StringLit {
	n := p.slabs.strs.alloc()
	n.P, n.Value = pos, v
	return n
}

func (p *parser) newNum(pos Pos, text string) *NumberLit {
	n := p.slabs.nums.alloc()
	n.P, n.Text = pos, text
	return n
}

func (p *parser) newKw(pos Pos, name string) *KeywordType {
	n := p.slabs.kws.alloc()
	n.P, n.Name = pos, name
	return n
}

func (p *parser) newLit(pos Pos, lit Expr) *LiteralType {
	n := p.slabs.lits.alloc()
	n.P, n.Lit = pos, lit
	return n
}

// scratch is a stack of type members shared by nested member lists: each
// list appends above the ones being built around it and copies its part
// out, exactly sized, when done.
type scratch struct {
	members []TypeMember
}
