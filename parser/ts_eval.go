package parser

import "fmt"

// tsProgram is the TypeScript project being evaluated.
type tsProgram struct{}

// loadTypeScript evaluates the TypeScript project from its index module.
func (ev *evaluator) loadTypeScript() error {
	return fmt.Errorf("%s: TypeScript projects are not read yet", ev.mainFile)
}
