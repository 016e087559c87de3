package parser

import (
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// A save changes one file; the columns of the models in the others are
// the same as before. The loader keeps each model's columns keyed by its
// type node (an unchanged file keeps its syntax tree, so its nodes) with
// the syntax trees of every module the reading looked a name up in; an
// entry counts only while each of those files still has the same tree.

type tsColumnsMemo struct {
	cols []infra.Column
	deps map[string]*tsyntax.File
}

type tsMemoKey struct {
	typ        tsyntax.Type
	allowIndex bool
}

// columns is tsColumnsOpt, remembered across loads.
func (pr *tsProgram) columns(mdl *tsModel) ([]infra.Column, error) {
	l := pr.ev.l
	key := tsMemoKey{mdl.typ, mdl.allowIndex}
	if e, ok := l.tsMemo[key]; ok && pr.current(e.deps) {
		pr.memoUsed[key] = e
		return append([]infra.Column(nil), e.cols...), nil // the table's canonicalisation edits its copy
	}
	pr.touched = map[*tsModule]bool{}
	cols, err := tsColumnsOpt(mdl.scope, mdl.typ, mdl.allowIndex)
	touched := pr.touched
	pr.touched = nil
	if err != nil {
		return nil, err
	}
	e := &tsColumnsMemo{cols: append([]infra.Column(nil), cols...), deps: map[string]*tsyntax.File{}}
	if m, ok := mdl.scope.(*tsModule); ok {
		touched[m] = true
	}
	for m := range touched {
		e.deps[m.mod.file] = m.ast
	}
	pr.memoUsed[key] = e
	return cols, nil
}

// current reports whether every file still has the syntax tree it had.
func (pr *tsProgram) current(deps map[string]*tsyntax.File) bool {
	for file, ast := range deps {
		c, ok := pr.ev.l.cache[file]
		if !ok || c.mod != any(ast) {
			return false
		}
		if m, ok := pr.mods[file]; !ok || m.ast != ast {
			return false // not (yet) part of this load: read it again
		}
	}
	return true
}

// touch records a module the type reader looked a name up in.
func (pr *tsProgram) touch(m *tsModule) {
	if pr.touched != nil {
		pr.touched[m] = true
	}
}
