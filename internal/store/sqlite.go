package store

import (
	"bytes"
	"database/sql/driver"
	"strings"

	"modernc.org/sqlite"
)

// SQLite's own lower() folds only the ASCII letters, so that "Équipe" and
// "équipe" would be two team names there and one on PostgreSQL. Every SQLite
// connection of the process gets a lower() that folds all of Unicode, as
// PostgreSQL's does in a UTF-8 database; the indexes built on lower() are
// rebuilt with it by migration 00010.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("lower", 1, unicodeLower)
}

func unicodeLower(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	switch v := args[0].(type) {
	case string:
		return strings.ToLower(v), nil
	case []byte:
		return bytes.ToLower(v), nil
	}
	return args[0], nil
}
