// Package infra is the vocabulary every other package shares: the
// infrastructure map (tables, columns, column types, topics, ...) and its JSON
// form, which matches upstream Moose's `.moose/infrastructure_map.json`.
//
// It imports nothing of ours: the parser produces an infra.Map, the differ
// compares two of them, the executors apply changes to them, and the state
// store persists one.
package infra
