package tsyntax

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpus parses the TypeScript sources of an installed node_modules
// (~/oracle/node_modules, the upstream oracle's install, or the directory
// in TSYNTAX_CORPUS): every .ts file that is not a declaration file, and
// the .d.ts files of @514labs/moose-lib and typia (TSYNTAX_ALL_DTS=1: all
// .d.ts files). It is skipped when the directory is absent.
func TestCorpus(t *testing.T) {
	root := os.Getenv("TSYNTAX_CORPUS")
	if root == "" {
		home, _ := os.UserHomeDir()
		root = filepath.Join(home, "oracle", "node_modules")
	}
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no corpus at %s", root)
	}
	allDts := os.Getenv("TSYNTAX_ALL_DTS") != ""
	var files []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".ts") {
			return nil
		}
		if strings.HasSuffix(path, ".d.ts") && !allDts &&
			!strings.Contains(path, "/@514labs/moose-lib/") && !strings.Contains(path, "/typia/") {
			return nil
		}
		files = append(files, path)
		return nil
	})
	var failed []string
	bytes := 0
	for _, file := range files {
		f := file
		src, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		bytes += len(src)
		tree, err := Parse(src)
		if err == nil {
			checkPositions(t, file, string(src), tree)
		}
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				failed = append(failed, f+":"+posText(e.Pos)+": "+e.Msg)
			} else {
				failed = append(failed, f+": "+err.Error())
			}
		}
	}
	t.Logf("parsed %d of %d files (%d bytes) under %s", len(files)-len(failed), len(files), bytes, root)
	for _, f := range failed {
		t.Error(f)
	}
}
