package parser

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// Loader loads a project's sources into an infra.Map. It keeps each file's
// parse with its content, so a reload re-parses only the files that
// changed. A Loader is not safe for concurrent use.
type Loader struct {
	root      string // project root (absolute)
	sourceDir string // "app"
	lang      *language
	langErr   error // an unknown language, reported by Load
	cache     map[string]cachedParse
	fresh     map[string]bool              // files whose cache entry was checked against the disk in this load
	tsMemo    map[tsMemoKey]*tsColumnsMemo // TypeScript models' columns (ts_memo.go)
	clusters  []string                     // the configured clusters, when checked (CheckClusters)
}

// CheckClusters makes a table's cluster an error unless it is one of names
// (the project's [[clickhouse_config.clusters]]); without it a cluster is
// not checked.
func (l *Loader) CheckClusters(names []string) *Loader {
	l.clusters = append([]string{}, names...)
	return l
}

type cachedParse struct {
	data  []byte
	mod   any // *Module (Python) or *tsyntax.File
	err   error
	facts *tsFileFacts // what the TypeScript front end derived from mod
}

// NewLoader returns a loader for the project at root whose code lives in
// root/sourceDir, written in language (upstream's `language` setting:
// "Python" or "Typescript", in any case).
func NewLoader(root, sourceDir, language string) *Loader {
	lang, err := languageNamed(language)
	return &Loader{root: root, sourceDir: sourceDir, lang: lang, langErr: err, cache: map[string]cachedParse{}}
}

// MainFile is the project-relative path of the module loading starts at
// ("app/main.py", "app/index.ts").
func (l *Loader) MainFile() string {
	if l.lang == nil {
		return l.sourceDir + "/" + python.main
	}
	return l.sourceDir + "/" + l.lang.main
}

// Extensions are the source file suffixes of a language the watcher
// follows (Python's for an unknown one, which Load refuses).
func Extensions(language string) []string {
	if lang, err := languageNamed(language); err == nil {
		return lang.exts
	}
	return python.exts
}

// UnloadedWarning is upstream's "Unloaded Files" warning text for a
// result's unloaded files ("" when there are none).
func (l *Loader) UnloadedWarning(files []string) string {
	if len(files) == 0 {
		return ""
	}
	list := strings.Join(files, ", ")
	if len(files) > 5 {
		list = fmt.Sprintf("%s and %d more", strings.Join(files[:5], ", "), len(files)-5)
	}
	verb := "imported"
	if l.lang == typescript {
		verb = "imported or re-exported"
	}
	return fmt.Sprintf("Found %d source file(s) that weren't loaded: %s. These files may contain resources that won't be registered. "+
		"Make sure they're %s in %s.", len(files), list, verb, l.MainFile())
}

// Result is a loaded project.
type Result struct {
	Map *infra.Map
	// Files are the project files the main module loaded, relative to the
	// project root.
	Files []string
	// Unloaded are source files under the source directory that the main
	// module never reaches (upstream's "Unloaded Files" warning).
	Unloaded []string
	// Warnings are `file:line:col: message`s about code moose-dev reads
	// but upstream would refuse (its compile target).
	Warnings []string
}

// Load reads and evaluates the project from its main module.
func (l *Loader) Load(defaultDB string) (*Result, error) {
	if l.langErr != nil {
		return nil, l.langErr
	}
	l.refresh()
	ev := &evaluator{l: l, lang: l.lang, defaultDB: defaultDB, modules: map[string]*module{}, out: infra.NewMap(defaultDB),
		defined: map[string]definition{}, flows: map[*infra.Topic]*flow{}, mainFile: l.MainFile(), loaded: map[string]bool{}}
	if err := l.lang.load(ev); err != nil {
		return nil, err
	}
	if err := ev.finish(); err != nil {
		return nil, err
	}
	res := &Result{Map: ev.out, Warnings: ev.warnings}
	for f := range ev.loaded {
		res.Files = append(res.Files, f)
	}
	sort.Strings(res.Files)
	res.Unloaded = l.unloaded(ev.loaded)
	return res, nil
}

// unloaded lists the source files under the source directory that are not
// in loaded, as upstream's warning does (hidden directories and
// node_modules skipped).
func (l *Loader) unloaded(loaded map[string]bool) []string {
	var out []string
	base := filepath.Join(l.root, l.sourceDir)
	_ = filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if path != base && (strings.HasPrefix(d.Name(), ".") || d.Name() == "__pycache__" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(l.root, path)
		rel = filepath.ToSlash(rel)
		if l.lang.isSource(rel) && !loaded[rel] {
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// refresh brings every cached parse up to date with the disk before a
// load evaluates anything, so that "this file has the same syntax tree as
// before" is known for each file from the start (ts_memo.go relies on it):
// a changed file is parsed again, a deleted one forgotten.
func (l *Loader) refresh() {
	l.fresh = map[string]bool{}
	for rel := range l.cache {
		if _, err := l.readCached(rel); err != nil {
			delete(l.cache, rel)
		}
	}
}

// readCached returns the parse of a project file, from the cache when its
// content has not changed.
func (l *Loader) readCached(rel string) (any, error) {
	c, ok := l.cache[rel]
	if ok && l.fresh[rel] {
		return c.mod, c.err
	}
	data, err := os.ReadFile(filepath.Join(l.root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	l.fresh[rel] = true
	if ok && bytes.Equal(c.data, data) {
		return c.mod, c.err
	}
	delete(l.cache, rel) // the old parse is garbage before the new one is made (a 40,000-line file's is 20 MB)
	mod, err := l.lang.parse(rel, data)
	l.cache[rel] = cachedParse{data: data, mod: mod, err: err}
	return mod, err
}

// language is what differs between the front ends where the rules are
// shared: upstream's name for it, the main module, and the few places where
// upstream's two libraries behave differently.
type language struct {
	name   string   // "Python", "Typescript": function processes' and workflows' language
	main   string   // the main module under the source directory
	exts   []string // source file suffixes the watcher follows
	worker string   // the orchestration worker's key
	load   func(ev *evaluator) error
	parse  func(rel string, data []byte) (any, error) // a source file into its syntax tree
	// isSource reports whether a project file counts for the unloaded-files warning.
	isSource func(rel string) bool
	// option spells a shared option name ("order_by_fields") as this
	// language's library does ("orderByFields"), for messages.
	option func(canonical string) string
	// pipelineLifeCycleEverywhere: the pipeline's lifeCycle is the default of
	// its parts even when they are configured explicitly (TypeScript), not
	// only of the parts left as True (Python).
	pipelineLifeCycleEverywhere bool
	// pipelineMetadata: an IngestPipeline's metadata is its parts'
	// (Python); TypeScript's parts keep their own and the pipeline's goes
	// nowhere.
	pipelineMetadata bool
	// registryDeps: a SqlResource names its dependencies by registry key
	// and records its source line and column (TypeScript).
	registryDeps bool
	// tracksFlows: the library records each transform's and consumer's dead
	// letter queue (its own or the stream's default) and the file a
	// consumer was added in (TypeScript).
	tracksFlows bool
}

var python = &language{
	name: "Python", main: "main.py", exts: []string{".py"}, worker: "orchestration_worker_python",
	load:  (*evaluator).loadPython,
	parse: func(rel string, data []byte) (any, error) { return Parse(rel, string(data)) },
	isSource: func(rel string) bool {
		return strings.HasSuffix(rel, ".py") && filepath.Base(rel) != "__init__.py"
	},
	option:           func(s string) string { return s },
	pipelineMetadata: true,
}

var typescript = &language{
	name: "Typescript", main: "index.ts", exts: []string{".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx"},
	worker: "orchestration_worker_ts",
	load:   (*evaluator).loadTypeScript,
	parse:  parseTS,
	isSource: func(rel string) bool {
		switch filepath.Ext(rel) {
		case ".ts", ".tsx", ".js", ".jsx", ".mts", ".cts":
			return !strings.HasSuffix(rel, ".d.ts") && !strings.HasSuffix(rel, ".d.mts") && !strings.HasSuffix(rel, ".d.cts")
		}
		return false
	},
	option:                      camelCase,
	pipelineLifeCycleEverywhere: true,
	registryDeps:                true,
	tracksFlows:                 true,
}

func languageNamed(name string) (*language, error) {
	switch strings.ToLower(name) {
	case "", "python":
		return python, nil
	case "typescript":
		return typescript, nil
	}
	return nil, fmt.Errorf("language %q is not supported: use \"Python\" or \"Typescript\"", name)
}

// camelCase is "order_by_fields" as TypeScript spells it: "orderByFields".
func camelCase(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
