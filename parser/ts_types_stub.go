package parser

// Temporary: the type reader's interface, until parser/ts_types.go lands.

import (
	"fmt"

	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

type tsScope interface {
	lookupType(name string) (b tsTypeBinding, ok bool)
	file() string
}

type tsTypeBinding struct {
	Decl  tsyntax.Stmt
	Scope tsScope
	Lib   *tsLibName
}

type tsLibName struct{ Module, Name, Member string }

func tsColumns(s tsScope, t tsyntax.Type) ([]infra.Column, error) {
	r, ok := t.(*tsyntax.TypeRef)
	if !ok {
		return nil, fmt.Errorf("%s: TypeScript types are not read yet", s.file())
	}
	b, ok := s.lookupType(r.Name)
	if !ok {
		return []infra.Column{}, nil
	}
	d, ok := b.Decl.(*tsyntax.InterfaceDecl)
	if !ok {
		return []infra.Column{}, nil
	}
	var cols []infra.Column
	for _, mem := range d.Members {
		if p, ok := mem.(*tsyntax.PropSig); ok {
			cols = append(cols, infra.Column{Name: p.Name, DataType: infra.String, Required: !p.Optional, Annotations: []infra.Annotation{}})
		}
	}
	return cols, nil
}

func tsTypeName(s tsScope, t tsyntax.Type) string {
	if r, ok := t.(*tsyntax.TypeRef); ok {
		return r.Name
	}
	return ""
}
