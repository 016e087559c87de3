package parser

import (
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// A save changes one file; the columns of the models in the others are
// the same as before. The loader keeps each model's columns keyed by its
// type node (an unchanged file keeps its syntax tree, so its nodes) with
// the syntax trees of the modules its reading looked names up in; an entry
// counts only while each of those files is still a module of the load
// with the same tree (Loader.refresh has brought every cached tree up to
// date with the disk before the load begins).
//
// Each module has one type reader for the models declared in it (each
// declaration read once per module and load). A reading may answer from
// what an earlier reading with the same reader looked up, so what it
// depends on is every file that reader has looked into so far: a reader's
// readings share one growing list, each entry depending on the list as
// long as it was when its reading ended. Models of one file mostly read
// the same declarations, so that is little more than each needs.

type tsColumnsMemo struct {
	cols []infra.Column
	deps *tsDeps
	upto int // the entry depends on deps.files[:upto]
}

// tsDeps lists the files (with their syntax trees) readings looked into,
// in the order first looked into.
type tsDeps struct {
	files []tsDep
	has   map[string]bool
}

type tsDep struct {
	file string
	ast  *tsyntax.File
}

func newTSDeps() *tsDeps { return &tsDeps{has: map[string]bool{}} }

func (d *tsDeps) add(m *tsModule) {
	if !d.has[m.mod.file] {
		d.has[m.mod.file] = true
		d.files = append(d.files, tsDep{m.mod.file, m.ast})
	}
}

type tsMemoKey struct {
	typ        tsyntax.Type
	allowIndex bool
	apiParams  bool
}

// columns converts a model's type, remembered across loads. The slice
// returned is shared by every caller; Table.Canonicalize copies it before
// it changes a column, and its capacity ends at its length, so an append
// copies too.
func (pr *tsProgram) columns(mdl *tsModel) ([]infra.Column, error) {
	l := pr.ev.l
	key := tsMemoKey{mdl.typ, mdl.allowIndex, mdl.apiParams}
	if e, ok := l.tsMemo[key]; ok && e.upto <= pr.current(e.deps) {
		pr.memoUsed[key] = e
		return e.cols[:len(e.cols):len(e.cols)], nil
	}
	rd := pr.readingFor(mdl.scope)
	pr.reading = rd
	var cols []infra.Column
	var err error
	if mdl.apiParams {
		cols, err = rd.reader.apiParams(mdl.scope, mdl.typ)
	} else {
		cols, err = rd.reader.columns(mdl.scope, mdl.typ, mdl.allowIndex)
	}
	pr.reading = nil
	if err != nil {
		return nil, err
	}
	e := &tsColumnsMemo{cols: append([]infra.Column(nil), cols...), deps: rd.deps, upto: len(rd.deps.files)}
	pr.memoUsed[key] = e
	return e.cols[:len(e.cols):len(e.cols)], nil
}

// current is how many of deps' first files are still modules of this load
// with the syntax tree they had, counted once per load. (Every module the
// main one reaches is declared before any statement runs, so a file an
// import no longer resolves to, say a new models.ts shadowing
// models/index.ts, is not one.)
func (pr *tsProgram) current(deps *tsDeps) int {
	if n, ok := pr.checked[deps]; ok {
		return n
	}
	n := 0
	for _, d := range deps.files {
		if m, ok := pr.mods[d.file]; !ok || m.ast != d.ast {
			break
		}
		n++
	}
	pr.checked[deps] = n
	return n
}

// tsReading is a type reader and the files it has looked into.
type tsReading struct {
	reader *tsTypeReader
	deps   *tsDeps
}

// readingFor is the reader for a model declared in scope, its module's.
func (pr *tsProgram) readingFor(scope tsScope) *tsReading {
	rd, ok := pr.readings[scope.file()]
	if !ok {
		rd = &tsReading{reader: newTSTypeReader(), deps: newTSDeps()}
		pr.readings[scope.file()] = rd
	}
	return rd
}

// touch records a module the type reader looked a name up in.
func (pr *tsProgram) touch(m *tsModule) {
	if pr.reading != nil {
		pr.reading.deps.add(m)
	}
}
