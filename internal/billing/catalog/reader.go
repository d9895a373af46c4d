package catalog

import (
	"fmt"
	"maps"
	"slices"
)

// reader takes typed values out of a decoded TOML table, records a problem
// for each key that is missing or of the wrong type, and remembers the keys
// it read so that the others can be reported as unknown.
type reader struct {
	prefix   string
	values   map[string]any
	read     map[string]bool
	problems *[]string
}

// newReader returns a reader of values whose problems name keys with
// prefix (such as "prices.") and go to problems.
func newReader(values map[string]any, prefix string, problems *[]string) *reader {
	return &reader{prefix: prefix, values: values, read: make(map[string]bool),
		problems: problems}
}

// check records a problem with key unless ok.
func (r *reader) check(ok bool, key, format string, args ...any) {
	if !ok {
		*r.problems = append(*r.problems, r.prefix+key+": "+fmt.Sprintf(format, args...))
	}
}

// get returns the value of key, if the table has one, and marks key read.
func (r *reader) get(key string) (any, bool) {
	r.read[key] = true
	v, ok := r.values[key]
	return v, ok
}

// str returns the string at key; ok is false, and the problem recorded,
// when key is missing or not a string.
func (r *reader) str(key string) (s string, ok bool) {
	v, found := r.get(key)
	r.check(found, key, "is required")
	if !found {
		return "", false
	}

	s, ok = v.(string)
	r.check(ok, key, "must be a string")
	return s, ok
}

// table returns a reader of the inline table at key; ok is false, and the
// problem recorded, when key holds something else. A missing table reads
// as an empty one, whose required keys are then reported.
func (r *reader) table(key string) (t *reader, ok bool) {
	v, found := r.get(key)
	m, ok := v.(map[string]any)
	r.check(!found || ok, key, "must be a table such as { month = 900, year = 9000 }")
	return newReader(m, r.prefix+key+".", r.problems), !found || ok
}

// price returns the required price at key. TOML reads 9.0 as a float,
// which is refused like any other value that is not an integer.
func (r *reader) price(key string) int64 {
	v, found := r.get(key)
	r.check(found, key, "is required")
	if !found {
		return 0
	}

	n, ok := v.(int64)
	r.check(ok, key, "must be a whole number of minor units")
	r.check(!ok || n >= 0 && n <= MaxPrice, key, "must be from 0 to %d", MaxPrice)
	return n
}

// count returns the optional count at key, from 1 to MaxSeats, or def when
// key is missing or wrong.
func (r *reader) count(key string, def int) int {
	v, found := r.get(key)
	if !found {
		return def
	}

	n, ok := v.(int64)
	r.check(ok, key, "must be a whole number")
	if !ok {
		return def
	}
	r.check(n >= 1 && n <= MaxSeats, key, "must be from 1 to %d", MaxSeats)
	if n < 1 || n > MaxSeats {
		return def
	}
	return int(n)
}

// checkUnknown records a problem for every key of the table that was not
// read, in alphabetical order.
func (r *reader) checkUnknown() {
	for _, key := range slices.Sorted(maps.Keys(r.values)) {
		r.check(r.read[key], key, "unknown key")
	}
}
