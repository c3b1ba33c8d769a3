package domain

import (
	"errors"
	"fmt"
)

// Code classifies an error so that every edge (HTTP, CLI, WebSocket) can map it the same way.
type Code string

// The error codes of DESIGN.md §9. Their HTTP statuses are decided in one place (dashboard).
const (
	CodeInvalid      Code = "invalid"
	CodeNotFound     Code = "not_found"
	CodeConflict     Code = "conflict"
	CodeUnauthorized Code = "unauthorized"
	CodeForbidden    Code = "forbidden"
	CodeTooLarge     Code = "too_large"
	CodeRateLimited  Code = "rate_limited"
	CodeUnavailable  Code = "unavailable"
	CodeInternal     Code = "internal"
)

// Error is the one error type of Chengyun. Field names the offending input, when there is one,
// so that a caller can tell the user exactly what to fix.
type Error struct {
	Code  Code
	Field string
	Msg   string
	Err   error
}

func (e *Error) Error() string {
	s := string(e.Code)
	if e.Field != "" {
		s += ": " + e.Field
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, domain.ErrConflict) match any error carrying the same code.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) && t.Field == "" && t.Msg == "" && t.Err == nil {
		return t.Code == e.Code
	}
	return false
}

// Sentinels for errors.Is checks by code.
var (
	ErrInvalid     = &Error{Code: CodeInvalid}
	ErrNotFound    = &Error{Code: CodeNotFound}
	ErrConflict    = &Error{Code: CodeConflict}
	ErrTooLarge    = &Error{Code: CodeTooLarge}
	ErrUnavailable = &Error{Code: CodeUnavailable}
	ErrInternal    = &Error{Code: CodeInternal}
)

// Invalid reports bad input in the named field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Conflict reports a lost optimistic-concurrency race or a clash with stored data.
func Conflict(field, format string, args ...any) *Error {
	return &Error{Code: CodeConflict, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// TooLarge reports input over a size limit.
func TooLarge(field, format string, args ...any) *Error {
	return &Error{Code: CodeTooLarge, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// NotFound reports a missing resource.
func NotFound(field, format string, args ...any) *Error {
	return &Error{Code: CodeNotFound, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Unavailable wraps a failure of a backing service that may pass (a database restart, a lost
// connection): the caller may retry with the same event ids.
func Unavailable(msg string, err error) *Error {
	return &Error{Code: CodeUnavailable, Msg: msg, Err: err}
}

// Internal wraps a failure that is a bug or corruption, not the caller's fault.
func Internal(msg string, err error) *Error {
	return &Error{Code: CodeInternal, Msg: msg, Err: err}
}

// CodeOf returns the code of err, or CodeInternal for foreign errors.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
