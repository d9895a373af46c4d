package api

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	sk "github.com/seatkeeper/seatkeeper"
)

const (
	defaultLimit = 50
	maxLimit     = 200
)

// page is the paging part of a list request.
type page struct {
	sk.Page
	query string // binds a cursor to the query that made it
}

// list is the answer of every list route.
type list[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// cursor is what an opaque cursor holds.
type cursor struct {
	Query string `json:"q"`
	After string `json:"a"`
}

// parsePage reads limit and cursor from r. A cursor is bound to the route
// and to every other query parameter: used with another query it is refused.
func parsePage(r *http.Request) (page, error) {
	p := page{Page: sk.Page{Limit: defaultLimit}, query: queryKey(r)}
	var v sk.Validation

	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			v.Add("limit", "must be a whole number from 1 to %d", maxLimit)
		}
		p.Limit = n
	}

	if s := r.URL.Query().Get("cursor"); s != "" {
		c, ok := decodeCursor(s)
		switch {
		case !ok:
			v.Add("cursor", "is not a cursor this server made")
		case c.Query != p.query:
			v.Add("cursor", "belongs to another query; start again without it")
		default:
			p.After = c.After
		}
	}
	return p, v.Err()
}

// respondList writes a page of items, with a cursor that continues after
// next unless next is "". A page that came back full may have a successor;
// the client learns that there is none when the next page is empty.
func respondList[T any](w http.ResponseWriter, p page, items []T, next string) {
	writeJSON(w, http.StatusOK, newList(p, items, next))
}

// newList is the list answer of a page of items.
func newList[T any](p page, items []T, next string) list[T] {
	out := list[T]{Data: items}
	if out.Data == nil {
		out.Data = []T{}
	}
	if next != "" {
		c := encodeCursor(cursor{Query: p.query, After: next})
		out.NextCursor = &c
	}
	return out
}

// queryKey is a digest of the route and every query parameter but the
// paging ones.
func queryKey(r *http.Request) string {
	q := url.Values{}
	for k, vs := range r.URL.Query() {
		if k != "cursor" && k != "limit" {
			q[k] = slices.Clone(vs)
		}
	}
	sum := sha256.Sum256([]byte(r.Pattern + "?" + q.Encode()))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, bool) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || json.Unmarshal(b, &c) != nil || c.Query == "" {
		return c, false
	}
	// Keys are names and IDs, never NUL, which PostgreSQL refuses in text.
	if strings.ContainsRune(c.After, 0) || !utf8.ValidString(c.After) {
		return c, false
	}
	return c, true
}
