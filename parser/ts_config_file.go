package parser

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// tsPaths is what tsconfig.json says about resolving bare module
// specifiers: `compilerOptions.baseUrl` and `paths`.
type tsPaths struct {
	target   string // compilerOptions.target, lower case ("" when unset)
	baseURL  string // project-relative, "" when unset
	hasBase  bool
	patterns []tsPathPattern // longest prefix first, as the compiler matches
}

type tsPathPattern struct {
	prefix, suffix string // around the `*`; exact when !wild
	wild           bool
	targets        []string // project-relative, with `*`
}

// readTSConfig reads tsconfig.json at the project root, if there is one
// (JSON with comments and trailing commas, as the compiler accepts).
// `extends` is not followed.
func readTSConfig(root string) (*tsPaths, error) {
	data, err := os.ReadFile(filepath.Join(root, "tsconfig.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return &tsPaths{}, nil
	}
	if err != nil {
		return nil, err
	}
	var cfg struct {
		CompilerOptions struct {
			Target  string              `json:"target"`
			BaseURL *string             `json:"baseUrl"`
			Paths   map[string][]string `json:"paths"`
		} `json:"compilerOptions"`
	}
	if err := json.Unmarshal(jsonc(data), &cfg); err != nil {
		return nil, fmt.Errorf("tsconfig.json: %v", err)
	}
	p := &tsPaths{target: strings.ToLower(cfg.CompilerOptions.Target)}
	base := "."
	if cfg.CompilerOptions.BaseURL != nil {
		base = path.Clean(filepath.ToSlash(*cfg.CompilerOptions.BaseURL))
		p.baseURL, p.hasBase = base, true
	}
	for pat, targets := range cfg.CompilerOptions.Paths {
		pp := tsPathPattern{}
		if i := strings.IndexByte(pat, '*'); i >= 0 {
			pp.prefix, pp.suffix, pp.wild = pat[:i], pat[i+1:], true
		} else {
			pp.prefix = pat
		}
		for _, t := range targets {
			pp.targets = append(pp.targets, path.Join(base, filepath.ToSlash(t)))
		}
		p.patterns = append(p.patterns, pp)
	}
	sort.Slice(p.patterns, func(i, j int) bool {
		if len(p.patterns[i].prefix) != len(p.patterns[j].prefix) {
			return len(p.patterns[i].prefix) > len(p.patterns[j].prefix)
		}
		return p.patterns[i].prefix < p.patterns[j].prefix
	})
	return p, nil
}

// candidates are the project paths a bare specifier may name: the targets
// of the matching `paths` pattern, then the specifier under baseUrl.
func (p *tsPaths) candidates(spec string) []string {
	var out []string
	for _, pp := range p.patterns {
		if !pp.wild {
			if spec == pp.prefix {
				out = append(out, pp.targets...)
				break
			}
			continue
		}
		if strings.HasPrefix(spec, pp.prefix) && strings.HasSuffix(spec, pp.suffix) && len(spec) >= len(pp.prefix)+len(pp.suffix) {
			star := spec[len(pp.prefix) : len(spec)-len(pp.suffix)]
			for _, t := range pp.targets {
				out = append(out, strings.Replace(t, "*", star, 1))
			}
			break
		}
	}
	if p.hasBase {
		out = append(out, path.Join(p.baseURL, spec))
	}
	return out
}

// jsonc strips comments and trailing commas from JSON with comments,
// leaving strings alone: comments first, so that a comment between a
// trailing comma and its bracket does not hide the comma.
func jsonc(data []byte) []byte {
	return scanJSON(scanJSON(data, true), false)
}

// scanJSON copies JSON text outside its strings, dropping comments
// (comments) or commas that close nothing but a bracket (!comments).
func scanJSON(data []byte, comments bool) []byte {
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(data) {
				j = len(data) - 1
			}
			out = append(out, data[i:j+1]...)
			i = j
		case comments && c == '/' && i+1 < len(data) && data[i+1] == '/':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			if i < len(data) {
				out = append(out, '\n')
			}
		case comments && c == '/' && i+1 < len(data) && data[i+1] == '*':
			i += 2
			for i+1 < len(data) && !(data[i] == '*' && data[i+1] == '/') {
				i++
			}
			i++
		case !comments && c == ',':
			j := i + 1
			for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
				j++
			}
			if j < len(data) && (data[j] == '}' || data[j] == ']') {
				continue
			}
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}
