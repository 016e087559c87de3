// Package templates holds the project templates `moose-dev init` writes.
// Each is the same project as an example a test keeps it identical to:
// python is examples/quickstart, typescript examples/quickstart-ts (with the
// package.json and tsconfig.json upstream's template has, so the project
// also runs under upstream's `moose` after `npm install`). Each has the
// .gitignore of upstream's template for its language, so git leaves out
// .moose/ (the local database and dev state) and the language's build and
// dependency directories; all: in the embed pattern keeps that dotfile.
package templates

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

//go:embed all:python all:typescript
var files embed.FS

// Names lists the available templates.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// FS returns a template's files.
func FS(name string) (fs.FS, error) {
	sub, err := fs.Sub(files, name)
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(sub, "moose.config.toml"); err != nil {
		return nil, fmt.Errorf("unknown template %q (have %v)", name, Names())
	}
	return sub, nil
}

// Write copies a template into dir, which must not hold a project already.
func Write(name, dir string) error {
	src, err := FS(name)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "moose.config.toml")); err == nil {
		return errors.New(dir + " already holds a Moose project")
	}
	return fs.WalkDir(src, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(path))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(src, path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
