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
//
// A cold load reads every model with one shared type reader (each
// declaration read once); what a model then depends on is not its own
// lookups alone, so its entry depends on every module looked into so far
// in the load (more than it needs: a later save re-reads it once, alone,
// and records exactly what it reads).

type tsColumnsMemo struct {
	cols []infra.Column
	deps map[string]*tsyntax.File
}

type tsMemoKey struct {
	typ        tsyntax.Type
	allowIndex bool
	apiParams  bool
}

// columns converts a model's type, remembered across loads.
func (pr *tsProgram) columns(mdl *tsModel) ([]infra.Column, error) {
	l := pr.ev.l
	key := tsMemoKey{mdl.typ, mdl.allowIndex, mdl.apiParams}
	if e, ok := l.tsMemo[key]; ok && pr.current(e.deps) {
		pr.memoUsed[key] = e
		return append([]infra.Column(nil), e.cols...), nil // the table's canonicalisation edits its copy
	}
	cold := len(l.tsMemo) == 0
	reader := pr.reader
	if !cold {
		reader = newTSTypeReader() // alone, so its lookups are exactly its dependencies
	}
	pr.touched = map[*tsModule]bool{}
	var cols []infra.Column
	var err error
	if mdl.apiParams {
		cols, err = reader.apiParams(mdl.scope, mdl.typ)
	} else {
		cols, err = reader.columns(mdl.scope, mdl.typ, mdl.allowIndex)
	}
	deps := pr.touched
	pr.touched = nil
	if err != nil {
		return nil, err
	}
	if cold {
		deps = pr.allTouched
	}
	e := &tsColumnsMemo{cols: append([]infra.Column(nil), cols...), deps: map[string]*tsyntax.File{}}
	if m, ok := mdl.scope.(*tsModule); ok {
		e.deps[m.mod.file] = m.ast
	}
	for m := range deps {
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
	pr.allTouched[m] = true
	if pr.touched != nil {
		pr.touched[m] = true
	}
}
