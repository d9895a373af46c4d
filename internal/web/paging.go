package web

import (
	"net/http"
	"strconv"

	sk "github.com/seatkeeper/seatkeeper"
)

// pageOf reads the page a list shows from the query: "after", the key of
// the last item of the page before, and "limit".
func pageOf(r *http.Request, limit int) sk.Page {
	q := r.URL.Query()
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && n <= 200 {
		limit = n
	}
	return sk.Page{After: q.Get("after"), Limit: limit}
}

// pageLinks returns the links to the next page, when there is one, and to
// the first page, when this is not it. Both keep every other query
// parameter, so filters survive paging.
func pageLinks(r *http.Request, p sk.Page, next string) (nextURL, firstURL string) {
	q := r.URL.Query()
	if next != "" {
		q.Set("after", next)
		nextURL = r.URL.Path + "?" + q.Encode()
	}
	if p.After != "" {
		q.Del("after")
		firstURL = r.URL.Path
		if len(q) > 0 {
			firstURL += "?" + q.Encode()
		}
	}
	return nextURL, firstURL
}
