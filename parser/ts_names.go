package parser

import "github.com/moose-dev/moose-dev/parser/tsyntax"

// valueNamesOf is valueNames of a syntax tree, remembered while the tree
// is (an unchanged file keeps its tree).
func (l *Loader) valueNamesOf(f *tsyntax.File) map[string]bool {
	if l.valueNames == nil || len(l.valueNames) > 4*len(l.cache)+16 {
		l.valueNames = map[*tsyntax.File]map[string]bool{}
	}
	if v, ok := l.valueNames[f]; ok {
		return v
	}
	v := valueNames(f)
	l.valueNames[f] = v
	return v
}
