package sqlscan

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitSkipsQuotesAndParentheses(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"a, b", []string{"a", "b"}},
		{"f(a, b), c", []string{"f(a, b)", "c"}},
		{"'x, y', `b,c`, \"d,e\"", []string{"'x, y'", "`b,c`", "\"d,e\""}},
		{`'it\'s, here', z`, []string{`'it\'s, here'`, "z"}},
		{"'it''s, here', z", []string{"'it''s, here'", "z"}},
		{"`a\\`b`, c", []string{"`a\\`b`", "c"}},
		{"", []string{""}},
	} {
		if got := Split(tc.in, ','); !slices.Equal(got, tc.want) {
			t.Errorf("Split(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWalkReportsDepth(t *testing.T) {
	var got []string
	Walk("f(a, (b)) 'q(' c", func(i, depth int) bool {
		got = append(got, strings.Repeat(">", depth)+string("f(a, (b)) 'q(' c"[i]))
		return true
	})
	want := "f ( >a >, > >( >>b >) ) c"
	if s := strings.Join(got, ""); strings.ReplaceAll(s, " ", "") != strings.ReplaceAll(want, " ", "") {
		t.Fatalf("got %q, want %q", s, want)
	}
}

// FuzzSplit: the parts are s cut at separators, in order, each trimmed;
// nothing between them but spaces and one separator, nothing lost.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"a, b", "f(a, 'x,y'), `c,d`", `'\'', x`, "((", "))", " , "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts := Split(s, ',')
		rest := s
		for k, p := range parts {
			rest = strings.TrimSpace(rest)
			if !strings.HasPrefix(rest, p) {
				t.Fatalf("Split(%q) = %q: part %d %q is not where the input goes on (%q)", s, parts, k, p, rest)
			}
			rest = strings.TrimSpace(rest[len(p):])
			if k < len(parts)-1 {
				if !strings.HasPrefix(rest, ",") {
					t.Fatalf("Split(%q) = %q: no separator after part %d", s, parts, k)
				}
				rest = rest[1:]
			}
		}
		if rest != "" {
			t.Fatalf("Split(%q) = %q: %q is lost", s, parts, rest)
		}
	})
}
