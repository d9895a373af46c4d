package store

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	sk "github.com/seatkeeper/seatkeeper"
)

// errorClass sorts database errors into the few kinds the store acts on.
type errorClass int

const (
	classOther      errorClass = iota
	classRetry                 // the transaction lost a race; run it again
	classUnique                // a unique constraint refused the write
	classForeignKey            // a foreign key refused the write
	classCheck                 // a check constraint refused the write
	classText                  // text the database cannot hold: NUL, or not UTF-8
)

// classify reads the dialect's own error codes. PostgreSQL reports SQLSTATE
// codes; SQLite reports primary and extended result codes.
func classify(err error) errorClass {
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch pgErr.Code {
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return classRetry
		case "23505":
			return classUnique
		case "23503":
			return classForeignKey
		case "23514":
			return classCheck
		case "22021", "22P05": // character_not_in_repertoire, untranslatable_character
			return classText
		}
		return classOther
	}
	if liteErr, ok := errors.AsType[*sqlite.Error](err); ok {
		switch code := liteErr.Code(); {
		case code&0xff == sqlite3.SQLITE_BUSY, code&0xff == sqlite3.SQLITE_LOCKED:
			return classRetry
		case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE, code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return classUnique
		case code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return classForeignKey
		case code == sqlite3.SQLITE_CONSTRAINT_CHECK:
			return classCheck
		}
	}
	return classOther
}

// errText refuses text that PostgreSQL cannot store or compare: a NUL
// character, or bytes that are not UTF-8. JSON bodies arrive as UTF-8, but
// paths, query parameters and headers may hold any bytes.
var errText = sk.Errorf(sk.EINVALID,
	"The request holds text with a NUL character or bytes that are not UTF-8.")

// clientError returns err, marked as the client's mistake when the database
// refused the request's text.
func clientError(err error) error {
	if err != nil && classify(err) == classText {
		return fmt.Errorf("%w: %w", errText, err)
	}
	return err
}

// IsUniqueViolation reports whether err is a unique constraint's refusal.
// Services check for conflicts before writing and say what collided; this is
// the backstop for two requests that raced past that check.
func IsUniqueViolation(err error) bool { return classify(err) == classUnique }

// IsForeignKeyViolation reports whether err is a foreign key's refusal.
func IsForeignKeyViolation(err error) bool { return classify(err) == classForeignKey }

// IsCheckViolation reports whether err is a check constraint's refusal.
func IsCheckViolation(err error) bool { return classify(err) == classCheck }
