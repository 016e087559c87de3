package differ

import (
	"strings"
	"unicode"
)

// sqlKeywords are folded to upper case when comparing queries; identifiers
// and function names keep their case (ClickHouse's are case-sensitive),
// except the functions ClickHouse itself treats as case-insensitive
// (SQL-standard ones: COUNT(x) is count(x)), folded when a call follows.
var sqlKeywords = map[string]bool{}

var caseInsensitiveFuncs = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`SELECT FROM WHERE PREWHERE GROUP BY ORDER HAVING LIMIT OFFSET AS AND OR NOT IN
		IS NULL JOIN LEFT RIGHT INNER OUTER FULL CROSS ANY ALL ASOF SEMI ANTI ON USING UNION DISTINCT WITH
		CASE WHEN THEN ELSE END ASC DESC BETWEEN LIKE ILIKE INTERVAL ARRAY GLOBAL FINAL SAMPLE TOTALS ROLLUP
		CUBE FILL SETTINGS FORMAT INTO EXCEPT INTERSECT NULLS FIRST LAST OVER PARTITION ROWS RANGE PRECEDING
		FOLLOWING CURRENT ROW UNBOUNDED DAY HOUR MINUTE SECOND WEEK MONTH QUARTER YEAR TRUE FALSE
		CREATE VIEW MATERIALIZED TO IF EXISTS DROP INDEX TABLE POPULATE ENGINE ALTER ADD COLUMN MODIFY RENAME TEMPORARY`) {
		sqlKeywords[k] = true
	}
	for _, f := range strings.Fields(`COUNT SUM AVG MIN MAX ANY ABS COALESCE IF NULLIF IFNULL LOWER UPPER LCASE UCASE LENGTH
		SUBSTRING SUBSTR TRIM LTRIM RTRIM CONCAT ROUND FLOOR CEIL CEILING CAST GREATEST LEAST POWER POW SQRT EXP LN LOG
		VAR_POP VAR_SAMP STDDEV_POP STDDEV_SAMP COVAR_POP COVAR_SAMP CORR DATABASE USER VERSION MOD REPLACE REVERSE
		LEFT RIGHT POSITION LOCATE`) {
		caseInsensitiveFuncs[f] = true
	}
}

// NormalizeSQL is a query's comparison form, so that a reformatted query
// is the same query: tokens joined by single spaces (whitespace and line
// breaks, and spacing around punctuation, do not count), backticks and
// double quotes around identifiers dropped, keywords in upper case, and
// the default database's prefix removed from names (`local.events` is
// `events` when local is the default). String literals are kept as written.
func NormalizeSQL(s string, defaultDB ...string) string {
	type token struct {
		text  string
		ident bool // a word or a quoted identifier
	}
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			j := i + 1
			for j < len(s) && s[j] != '\'' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
			toks = append(toks, token{text: s[i:j]})
			i = j
		case c == '`' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				toks = append(toks, token{text: s[i+1:], ident: true})
				i = len(s)
				break
			}
			toks = append(toks, token{text: s[i+1 : i+1+j], ident: true})
			i += j + 2
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			w := s[i:j]
			if up := strings.ToUpper(w); sqlKeywords[up] {
				w = up
			}
			toks = append(toks, token{text: w, ident: true})
			i = j
		default:
			toks = append(toks, token{text: s[i : i+1]})
			i++
		}
	}
	db := ""
	if len(defaultDB) > 0 {
		db = defaultDB[0]
	}
	for i := range toks {
		if toks[i].ident && i+1 < len(toks) && toks[i+1].text == "(" {
			if up := strings.ToUpper(toks[i].text); caseInsensitiveFuncs[up] {
				toks[i].text = up
			}
		}
	}
	out := make([]string, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		if db != "" && toks[i].ident && toks[i].text == db && i+2 < len(toks) && toks[i+1].text == "." && toks[i+2].ident {
			i++ // drop `db` and `.`
			continue
		}
		out = append(out, toks[i].text)
	}
	return strings.Join(out, " ")
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c))
}
