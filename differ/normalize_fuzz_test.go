package differ

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/moose-dev/moose-dev/internal/sqlscan"
)

// balanced: every parenthesis closes, none closes early, and no quote
// could hide one.
func balanced(s string) bool {
	if strings.ContainsAny(s, "`'\"") {
		return false
	}
	depth := 0
	for _, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// FuzzNormalizeExpr: the key-expression comparison form is a fixed point
// (normalizing it again changes nothing), ignores whitespace, and ignores
// parentheses around the whole of a balanced expression.
func FuzzNormalizeExpr(f *testing.F) {
	for _, s := range []string{"(id, ts)", "((x))", "(a) + (b)", "`id`, cityHash64(`id`)", "( a , b )", "(()", "`(a)`", "tuple()"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // SQL is text (a stray byte can join a neighbour into a space)
		}
		n := normalizeExpr(s)
		if again := normalizeExpr(n); again != n {
			t.Fatalf("normalizeExpr(%q) = %q, and again %q", s, n, again)
		}
		if spaced := normalizeExpr(" " + strings.ReplaceAll(s, ",", " ,\n\t") + " "); spaced != n {
			t.Fatalf("whitespace counts: %q gives %q, respaced %q", s, n, spaced)
		}
		if balanced(s) {
			if wrapped := normalizeExpr("(" + s + ")"); wrapped != n {
				t.Fatalf("(%s) normalizes to %q, %s to %q", s, wrapped, s, n)
			}
		}
	})
}

// FuzzNormalizeTTL: a fixed point, and an INTERVAL written either way (as
// code writes it or as ClickHouse stores it) is the same TTL.
func FuzzNormalizeTTL(f *testing.F) {
	for _, s := range []string{"ts + INTERVAL 30 DAY", "ts + toIntervalDay(30) DELETE", "(ts + interval '7' week)", "ts + INTERVAL 1 DAY TO DISK 'x'", ""} {
		f.Add(s, uint16(3), uint8(0))
	}
	units := []string{"NANOSECOND", "MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}
	f.Fuzz(func(t *testing.T, s string, n uint16, unit uint8) {
		norm := NormalizeTTL(s)
		if again := NormalizeTTL(norm); again != norm {
			t.Fatalf("NormalizeTTL(%q) = %q, and again %q", s, norm, again)
		}
		u := units[int(unit)%len(units)]
		code := s + " + INTERVAL " + strconv.Itoa(int(n)) + " " + u
		stored := s + " + toInterval" + u[:1] + strings.ToLower(u[1:]) + "(" + strconv.Itoa(int(n)) + ")"
		if NormalizeTTL(code) != NormalizeTTL(stored) {
			t.Fatalf("%q and %q are different TTLs: %q vs %q", code, stored, NormalizeTTL(code), NormalizeTTL(stored))
		}
	})
}

// saneCodec is a chain of codec calls, `Name` or `Name(args)`, with any
// spacing: what a user may write and ClickHouse accepts.
var saneCodec = regexp.MustCompile(`^\s*\w+\s*(\([^()]*\))?\s*(,\s*\w+\s*(\([^()]*\))?\s*)*$`)

// FuzzCodecsEquivalent: the codec comparison is reflexive and symmetric;
// and for a sane chain, neither spacing nor the parameters ClickHouse
// fills in (Delta reads back as Delta(8)) make a difference.
func FuzzCodecsEquivalent(f *testing.F) {
	for _, tc := range [][2]string{{"ZSTD", "ZSTD(1)"}, {"Delta, ZSTD", "Delta(8), ZSTD(1)"}, {"Delta (4) , ZSTD ( 3 )", "Delta(4), ZSTD(3)"},
		{"", "ZSTD"}, {"lz4", "LZ4"}, {"T64, LZ4HC(9)", "T64,LZ4HC(9)"}, {"a(b(c)),d", "a(b(c)), d"}} {
		f.Add(tc[0], tc[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !CodecsEquivalent(a, a) {
			t.Fatalf("%q is not equivalent to itself", a)
		}
		if CodecsEquivalent(a, b) != CodecsEquivalent(b, a) {
			t.Fatalf("CodecsEquivalent(%q, %q) = %v but not the other way round", a, b, CodecsEquivalent(a, b))
		}
		if !saneCodec.MatchString(a) {
			return
		}
		if tight := strings.Join(strings.Fields(a), ""); !CodecsEquivalent(a, tight) {
			t.Fatalf("%q and %q differ only in spacing", a, tight)
		}
		var filled []string
		for _, c := range sqlscan.Split(a, ',') {
			if !strings.Contains(c, "(") {
				c += "(1)"
			}
			filled = append(filled, c)
		}
		if f := strings.Join(filled, ", "); !CodecsEquivalent(a, f) {
			t.Fatalf("%q and %q differ only in the parameters ClickHouse fills in", a, f)
		}
	})
}
