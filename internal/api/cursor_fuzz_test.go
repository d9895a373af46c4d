package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParsePage reads fuzzed query strings as a list route does: a page it
// accepts has a limit within bounds and a position that the store can take,
// and a cursor it accepts decodes again to itself.
func FuzzParsePage(f *testing.F) {
	mint := func(q, after string) string {
		return encodeCursor(cursor{Query: q, After: after})
	}
	plain := queryKey(&http.Request{Pattern: "GET /x", URL: &url.URL{}})
	for _, s := range []string{"", "limit=1", "limit=200", "limit=201", "limit=0",
		"limit=%2B5", "limit=05", "cursor=" + mint(plain, "lic_1"),
		"cursor=" + mint("other", "lic_1"), "cursor=" + mint(plain, "a\x00b"),
		"cursor=" + mint(plain, "\xff"), "cursor=%20" + mint(plain, "x") + "%20",
		"status=x&cursor=" + mint(plain, "y"), "cursor=e30", "cursor=bnVsbA"} {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := &http.Request{Pattern: "GET /x", URL: &url.URL{Path: "/x", RawQuery: rawQuery}}
		p, err := parsePage(r)
		if err != nil {
			return
		}
		if p.Limit < 1 || p.Limit > maxLimit {
			t.Fatalf("parsePage(%q) accepted limit %d", rawQuery, p.Limit)
		}
		if strings.ContainsRune(p.After, 0) || !utf8.ValidString(p.After) {
			t.Fatalf("parsePage(%q) accepted position %q", rawQuery, p.After)
		}
		c := r.URL.Query().Get("cursor")
		if c == "" {
			return
		}
		back, ok := decodeCursor(encodeCursor(cursor{Query: p.query, After: p.After}))
		if !ok || back.After != p.After || back.Query != p.query {
			t.Fatalf("parsePage(%q): cursor does not survive a round trip: %+v", rawQuery, back)
		}
	})
}
