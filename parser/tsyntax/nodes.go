package tsyntax

func (n *ImportDecl) Position() Pos        { return n.P }
func (*ImportDecl) stmt()                  {}
func (n *ImportName) Position() Pos        { return n.P }
func (n *ExportDecl) Position() Pos        { return n.P }
func (*ExportDecl) stmt()                  {}
func (n *ExportDefault) Position() Pos     { return n.P }
func (*ExportDefault) stmt()               {}
func (n *ExportNames) Position() Pos       { return n.P }
func (*ExportNames) stmt()                 {}
func (n *ExportAssign) Position() Pos      { return n.P }
func (*ExportAssign) stmt()                {}
func (n *VarDecl) Position() Pos           { return n.P }
func (*VarDecl) stmt()                     {}
func (n *VarDeclarator) Position() Pos     { return n.P }
func (n *FuncDecl) Position() Pos          { return n.P }
func (*FuncDecl) stmt()                    {}
func (n *ClassDecl) Position() Pos         { return n.P }
func (*ClassDecl) stmt()                   {}
func (n *InterfaceDecl) Position() Pos     { return n.P }
func (*InterfaceDecl) stmt()               {}
func (n *TypeAliasDecl) Position() Pos     { return n.P }
func (*TypeAliasDecl) stmt()               {}
func (n *EnumDecl) Position() Pos          { return n.P }
func (*EnumDecl) stmt()                    {}
func (n *EnumMember) Position() Pos        { return n.P }
func (n *ModuleDecl) Position() Pos        { return n.P }
func (*ModuleDecl) stmt()                  {}
func (n *ExprStmt) Position() Pos          { return n.P }
func (*ExprStmt) stmt()                    {}
func (n *Block) Position() Pos             { return n.P }
func (*Block) stmt()                       {}
func (n *Control) Position() Pos           { return n.P }
func (*Control) stmt()                     {}
func (n *Jump) Position() Pos              { return n.P }
func (*Jump) stmt()                        {}
func (n *Empty) Position() Pos             { return n.P }
func (*Empty) stmt()                       {}
func (n *ImportEquals) Position() Pos      { return n.P }
func (*ImportEquals) stmt()                {}
func (n *Func) Position() Pos              { return n.P }
func (n *Param) Position() Pos             { return n.P }
func (n *Class) Position() Pos             { return n.P }
func (n *ClassMember) Position() Pos       { return n.P }
func (n *ObjectPattern) Position() Pos     { return n.P }
func (n *ArrayPattern) Position() Pos      { return n.P }
func (n *Ident) Position() Pos             { return n.P }
func (*Ident) expr()                       {}
func (n *PrivateName) Position() Pos       { return n.P }
func (*PrivateName) expr()                 {}
func (n *StringLit) Position() Pos         { return n.P }
func (*StringLit) expr()                   {}
func (n *NumberLit) Position() Pos         { return n.P }
func (*NumberLit) expr()                   {}
func (n *BoolLit) Position() Pos           { return n.P }
func (*BoolLit) expr()                     {}
func (n *NullLit) Position() Pos           { return n.P }
func (*NullLit) expr()                     {}
func (n *RegexLit) Position() Pos          { return n.P }
func (*RegexLit) expr()                    {}
func (n *Template) Position() Pos          { return n.P }
func (*Template) expr()                    {}
func (n *ArrayLit) Position() Pos          { return n.P }
func (*ArrayLit) expr()                    {}
func (n *Spread) Position() Pos            { return n.P }
func (*Spread) expr()                      {}
func (n *ObjectLit) Position() Pos         { return n.P }
func (*ObjectLit) expr()                   {}
func (n *Prop) Position() Pos              { return n.P }
func (n *Computed) Position() Pos          { return n.P }
func (*Computed) expr()                    {}
func (n *FuncExpr) Position() Pos          { return n.P }
func (*FuncExpr) expr()                    {}
func (n *Arrow) Position() Pos             { return n.P }
func (*Arrow) expr()                       {}
func (n *ClassExpr) Position() Pos         { return n.P }
func (*ClassExpr) expr()                   {}
func (n *Unary) Position() Pos             { return n.P }
func (*Unary) expr()                       {}
func (n *Binary) Position() Pos            { return n.P }
func (*Binary) expr()                      {}
func (n *Assign) Position() Pos            { return n.P }
func (*Assign) expr()                      {}
func (n *Cond) Position() Pos              { return n.P }
func (*Cond) expr()                        {}
func (n *Call) Position() Pos              { return n.P }
func (*Call) expr()                        {}
func (n *New) Position() Pos               { return n.P }
func (*New) expr()                         {}
func (n *Member) Position() Pos            { return n.P }
func (*Member) expr()                      {}
func (n *Index) Position() Pos             { return n.P }
func (*Index) expr()                       {}
func (n *Paren) Position() Pos             { return n.P }
func (*Paren) expr()                       {}
func (n *AsExpr) Position() Pos            { return n.P }
func (*AsExpr) expr()                      {}
func (n *NonNull) Position() Pos           { return n.P }
func (*NonNull) expr()                     {}
func (n *Yield) Position() Pos             { return n.P }
func (*Yield) expr()                       {}
func (n *MetaProp) Position() Pos          { return n.P }
func (*MetaProp) expr()                    {}
func (n *ImportCall) Position() Pos        { return n.P }
func (*ImportCall) expr()                  {}
func (n *TypeRef) Position() Pos           { return n.P }
func (*TypeRef) typ()                      {}
func (n *KeywordType) Position() Pos       { return n.P }
func (*KeywordType) typ()                  {}
func (n *LiteralType) Position() Pos       { return n.P }
func (*LiteralType) typ()                  {}
func (n *TemplateType) Position() Pos      { return n.P }
func (*TemplateType) typ()                 {}
func (n *ArrayType) Position() Pos         { return n.P }
func (*ArrayType) typ()                    {}
func (n *TupleType) Position() Pos         { return n.P }
func (*TupleType) typ()                    {}
func (n *TupleElem) Position() Pos         { return n.P }
func (n *UnionType) Position() Pos         { return n.P }
func (*UnionType) typ()                    {}
func (n *IntersectionType) Position() Pos  { return n.P }
func (*IntersectionType) typ()             {}
func (n *ObjectType) Position() Pos        { return n.P }
func (*ObjectType) typ()                   {}
func (n *FuncType) Position() Pos          { return n.P }
func (*FuncType) typ()                     {}
func (n *ParenType) Position() Pos         { return n.P }
func (*ParenType) typ()                    {}
func (n *TypeOperator) Position() Pos      { return n.P }
func (*TypeOperator) typ()                 {}
func (n *TypeQuery) Position() Pos         { return n.P }
func (*TypeQuery) typ()                    {}
func (n *IndexedType) Position() Pos       { return n.P }
func (*IndexedType) typ()                  {}
func (n *ConditionalType) Position() Pos   { return n.P }
func (*ConditionalType) typ()              {}
func (n *InferType) Position() Pos         { return n.P }
func (*InferType) typ()                    {}
func (n *MappedType) Position() Pos        { return n.P }
func (*MappedType) typ()                   {}
func (n *ImportType) Position() Pos        { return n.P }
func (*ImportType) typ()                   {}
func (n *PredicateType) Position() Pos     { return n.P }
func (*PredicateType) typ()                {}
func (n *TypeParam) Position() Pos         { return n.P }
func (n *PropSig) Position() Pos           { return n.P }
func (*PropSig) member()                   {}
func (n *MethodSig) Position() Pos         { return n.P }
func (*MethodSig) member()                 {}
func (n *CallSig) Position() Pos           { return n.P }
func (*CallSig) member()                   {}
func (n *IndexSig) Position() Pos          { return n.P }
func (*IndexSig) member()                  {}
func (n *ExportAsNamespace) Position() Pos { return n.P }
func (*ExportAsNamespace) stmt()           {}
func (n *Instantiate) Position() Pos       { return n.P }
func (*Instantiate) expr()                 {}
