package parser

// tsFileFacts are facts derived from one file's syntax tree, kept with its
// cached parse (so for as long as the file is unchanged).
type tsFileFacts struct {
	valueNames map[string]bool   // nil until asked for
	target     []tsTargetFinding // nil until asked for
}

// factsOf is the derived facts of a module's syntax tree.
func (l *Loader) factsOf(m *tsModule) *tsFileFacts {
	c, ok := l.cache[m.mod.file]
	if !ok || c.mod != any(m.ast) {
		return &tsFileFacts{} // not the cached tree: derived afresh, not kept
	}
	if c.facts == nil {
		c.facts = &tsFileFacts{}
		l.cache[m.mod.file] = c
	}
	return c.facts
}

// valueNamesOf is valueNames of a module's syntax tree.
func (l *Loader) valueNamesOf(m *tsModule) map[string]bool {
	f := l.factsOf(m)
	if f.valueNames == nil {
		f.valueNames = valueNames(m.ast)
	}
	return f.valueNames
}
