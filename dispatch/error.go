package dispatch

import (
	"errors"
	"fmt"
)

// Error codes. The API maps each to one HTTP status, in one place.
const (
	EINVALID      = "invalid"      // the command is malformed or breaks a rule
	ENOTFOUND     = "not_found"    // something it names does not exist
	ECONFLICT     = "conflict"     // it contradicts the current state
	EFORBIDDEN    = "forbidden"    // the actor may not do it
	EUNAUTHORIZED = "unauthorized" // nobody is logged in
	EINTERNAL     = "internal"     // a fault of tenfour, not of the caller
)

// An Error is a domain error: a code and a sentence a dispatcher understands.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and
// EINTERNAL otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err if it is (or wraps) an *Error, and
// "internal error" otherwise: a fault's own text is for the operator's log.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
