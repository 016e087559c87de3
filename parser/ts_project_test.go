package parser

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
	"golang.org/x/tools/txtar"
)

// TestTypeScriptCorpus loads every project under testdata/ts, each with
// the map the upstream CLI wrote for it (upstream.json, captured by
// capture.sh) or what upstream did with it (upstream.err) and our error
// (want.err), and compares leaf by leaf.
func TestTypeScriptCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/ts/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatal("no corpus", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			root := t.TempDir()
			got := map[string][]byte{}
			for _, f := range ar.Files {
				if strings.HasPrefix(f.Name, "upstream.") || strings.HasPrefix(f.Name, "want.") || f.Name == "better.txt" {
					got[f.Name] = f.Data
					continue
				}
				p := filepath.Join(root, f.Name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res, loadErr := NewLoader(root, "app", "Typescript").Load("local")
			if _, refused := got["want.err"]; refused || loadErr != nil && *update && got["upstream.json"] == nil {
				// refused on purpose, also where upstream loads what one
				// run of the code builds (a table made in a loop, a value
				// read from the environment)
				checkWantErr(t, file, ar, loadErr)
				return
			}
			checkWarnings(t, file, ar, got, res)
			if want, ok := got["upstream.json"]; ok {
				if loadErr != nil {
					t.Fatalf("upstream loads it; we say: %v", loadErr)
				}
				ours, err := infra.MarshalSorted(res.Map.Masked())
				if err != nil {
					t.Fatal(err)
				}
				if diffs := leafDiff(normalizeUpstream(t, want), normalizeOurs(t, ours)); len(diffs) > 0 {
					if len(diffs) > 400 {
						diffs = append(diffs[:400], fmt.Sprintf("... and %d more", len(diffs)-400))
					}
					t.Errorf("%d leaves differ from upstream's map (upstream | ours):\n%s", len(diffs), strings.Join(diffs, "\n"))
				}
				checkUnloaded(t, string(got["upstream.unloaded"]), res.Unloaded)
				return
			}
			if why, better := got["better.txt"]; better {
				// upstream fails on it where moose-dev deliberately does not
				if loadErr != nil {
					t.Fatalf("we refuse a project we mean to load (%s): %v", strings.TrimSpace(string(why)), loadErr)
				}
				return
			}
			if loadErr == nil {
				t.Fatalf("upstream refuses it (%s); we load it", firstLine(got["upstream.err"]))
			}
			checkWantErr(t, file, ar, loadErr)
		})
	}
}

// checkWantErr compares our refusal with the archive's want.err (written
// by -update).
func checkWantErr(t *testing.T, file string, ar *txtar.Archive, loadErr error) {
	t.Helper()
	if loadErr == nil {
		t.Fatal("we load a project we mean to refuse (want.err)")
	}
	if *update {
		ar.Files = setFile(ar.Files, "want.err", []byte(loadErr.Error()+"\n"))
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, f := range ar.Files {
		if f.Name == "want.err" && string(f.Data) != loadErr.Error()+"\n" {
			t.Errorf("error:\n got %s\nwant %s", loadErr, f.Data)
		}
	}
}

// checkWarnings compares the load's warnings with want.warn.
func checkWarnings(t *testing.T, file string, ar *txtar.Archive, got map[string][]byte, res *Result) {
	t.Helper()
	var ours string
	if res != nil {
		for _, w := range res.Warnings {
			ours += w + "\n"
		}
	}
	if *update && ours != "" {
		ar.Files = setFile(ar.Files, "want.warn", []byte(ours))
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := string(got["want.warn"]); want != ours {
		t.Errorf("warnings:\n got %q\nwant %q", ours, want)
	}
}

// checkUnloaded compares upstream's unloaded-files list (the first five
// it names, in its order, then "and N more") with ours.
func checkUnloaded(t *testing.T, upstream string, ours []string) {
	t.Helper()
	var named []string
	total := 0
	for _, line := range strings.Split(strings.TrimSpace(upstream), "\n") {
		if line == "" {
			continue
		}
		var more int
		if _, err := fmt.Sscanf(line, "and %d more", &more); err == nil {
			total += more
			continue
		}
		named = append(named, line)
		total++
	}
	have := map[string]bool{}
	for _, f := range ours {
		have[f] = true
	}
	for _, f := range named {
		if !have[f] {
			t.Errorf("unloaded files: upstream names %s, we do not (ours: %v)", f, ours)
		}
	}
	if total != len(ours) {
		t.Errorf("unloaded files: upstream counts %d, we %d (%v)", total, len(ours), ours)
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}

func setFile(files []txtar.File, name string, data []byte) []txtar.File {
	for i := range files {
		if files[i].Name == name {
			files[i].Data = data
			return files
		}
	}
	return append(files, txtar.File{Name: name, Data: data})
}

var compiledSource = regexp.MustCompile(`^(?:dist/|\.moose/compiled/)?(.*)\.(?:js|mjs|cjs)$`)

// normalizeUpstream maps what upstream's map says differently by design:
// the source file it names is the compiled one (dist/app/x.js for the
// app/x.ts we read), and abs_file_path is where it ran.
func normalizeUpstream(t *testing.T, data []byte) any {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	walkJSON(v, func(key string, parent map[string]any) {
		switch key {
		case "file", "source_file":
			if s, ok := parent[key].(string); ok {
				if m := compiledSource.FindStringSubmatch(s); m != nil {
					parent[key] = m[1] + ".ts"
				}
			}
		case "abs_file_path":
			parent[key] = "<main>"
		case "source_line", "source_column":
			// a SqlResource's position: upstream's is in the compiled
			// JavaScript, ours in the TypeScript read (README)
			parent[key] = "<pos>"
		}
	})
	return v
}

func normalizeOurs(t *testing.T, data []byte) any {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	walkJSON(v, func(key string, parent map[string]any) {
		switch key {
		case "abs_file_path":
			parent[key] = "<main>"
		case "source_line", "source_column":
			parent[key] = "<pos>"
		}
	})
	return v
}

func walkJSON(v any, f func(key string, parent map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		for k := range x {
			f(k, x)
			walkJSON(x[k], f)
		}
	case []any:
		for _, it := range x {
			walkJSON(it, f)
		}
	}
}

// leafDiff lists the leaves (path = value) that differ between two JSON
// values, sorted by path.
func leafDiff(want, got any) []string {
	w, g := map[string]string{}, map[string]string{}
	flatten("", want, w)
	flatten("", got, g)
	var out []string
	for k, wv := range w {
		if gv, ok := g[k]; !ok {
			out = append(out, fmt.Sprintf("%s: %s | (missing)", k, wv))
		} else if gv != wv {
			out = append(out, fmt.Sprintf("%s: %s | %s", k, wv, gv))
		}
	}
	for k, gv := range g {
		if _, ok := w[k]; !ok {
			out = append(out, fmt.Sprintf("%s: (missing) | %s", k, gv))
		}
	}
	sort.Strings(out)
	return out
}

func flatten(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			out[prefix] = "{}"
		}
		for k, val := range x {
			flatten(prefix+"/"+k, val, out)
		}
	case []any:
		if len(x) == 0 {
			out[prefix] = "[]"
		}
		for i, val := range x {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), val, out)
		}
	default:
		b, _ := json.Marshal(x)
		out[prefix] = string(b)
	}
}
