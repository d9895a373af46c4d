// Package metricstest reads what a /metrics endpoint serves, for tests that
// check that a number moved by the right amount.
package metricstest

import (
	"bufio"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Scrape is one reading of an endpoint: each series' value by its name and
// labels, written as Series writes them.
type Scrape map[string]float64

// Get fetches url and parses the Prometheus text format it answers.
func Get(t testing.TB, url string) Scrape {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scraping %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("scraping %s: %d %s", url, resp.StatusCode, body)
	}
	s, err := Parse(resp.Body)
	if err != nil {
		t.Fatalf("parsing the scrape of %s: %v", url, err)
	}
	return s
}

// Parse reads the Prometheus text format.
func Parse(r io.Reader) (Scrape, error) {
	s := Scrape{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, err
		}
		s[canonical(line[:i])] = v
	}
	return s, sc.Err()
}

// Value returns a series' value, and whether the scrape had it. Labels
// come in name, value pairs, in any order.
func (s Scrape) Value(name string, labels ...string) (float64, bool) {
	v, ok := s[Series(name, labels...)]
	return v, ok
}

// Series names a series as a Scrape keys it: its labels sorted by name.
func Series(name string, labels ...string) string {
	var pairs []string
	for i := 0; i+1 < len(labels); i += 2 {
		pairs = append(pairs, labels[i]+"="+strconv.Quote(labels[i+1]))
	}
	if len(pairs) == 0 {
		return name
	}
	slices.Sort(pairs)
	return name + "{" + strings.Join(pairs, ",") + "}"
}

// canonical rewrites a series as exposed (name{a="x",b="y"}) the way
// Series writes it.
func canonical(series string) string {
	name, rest, ok := strings.Cut(series, "{")
	if !ok {
		return series
	}
	var labels []string
	rest = strings.TrimSuffix(rest, "}")
	for rest != "" {
		label, value, tail := nextLabel(rest)
		labels = append(labels, label, value)
		rest = strings.TrimPrefix(tail, ",")
	}
	return Series(name, labels...)
}

// nextLabel reads label="value" from the start of s, where the value may
// hold escaped quotes, commas and braces, and returns what follows.
func nextLabel(s string) (label, value, rest string) {
	label, s, _ = strings.Cut(s, "=")
	s = strings.TrimPrefix(s, `"`)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] == 'n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i])
			}
		case c == '"':
			return label, b.String(), s[i+1:]
		default:
			b.WriteByte(c)
		}
	}
	return label, b.String(), ""
}
