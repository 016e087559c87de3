// Package parser reads a Moose Python project statically, in pure Go, into
// an infra.Map: the tokenizer and parser cover Python's grammar; the
// evaluator runs only what upstream's serializer would observe at module
// level (imports between project modules, classes, assignments and calls to
// moose_lib), and refuses with `file:line:col: message` whatever it cannot
// know statically where a resource needs it.
//
// It imports infra and nothing else of ours.
package parser
