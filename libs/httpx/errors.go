package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// StatusClientClosedRequest is the (non-standard, nginx) status recorded when
// the client cancels a request before it is answered.
const StatusClientClosedRequest = 499

// Error is an error that knows its HTTP answer. Msg is sent to the client;
// Err, when set, is the internal cause: it is logged and matched by
// errors.Is/As but never sent.
type Error struct {
	Status int
	Msg    string
	Err    error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Msg, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Msg)
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted client-facing message.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error whose client-facing message is msg and whose
// internal cause is err.
func Wrap(status int, msg string, err error) *Error {
	return &Error{Status: status, Msg: msg, Err: err}
}

// BadRequest is shorthand for a 400 with a formatted message.
func BadRequest(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, format, args...)
}

// NotFound is shorthand for a 404 with a formatted message.
func NotFound(format string, args ...any) *Error {
	return Errorf(http.StatusNotFound, format, args...)
}

// AsError maps any error to an *Error: an *Error anywhere in the chain wins;
// a deadline becomes 504; anything else is a 500 with a generic message.
func AsError(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		if e.Status < 400 || e.Status > 599 {
			return &Error{Status: http.StatusInternalServerError, Msg: "internal error", Err: err}
		}
		if e.Msg == "" {
			return &Error{Status: e.Status, Msg: http.StatusText(e.Status), Err: e.Err}
		}
		return e
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer, and it is not a
		// server fault worth an error log. 499 is nginx's name for it.
		return &Error{Status: StatusClientClosedRequest, Msg: "request canceled", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusGatewayTimeout, Msg: "timed out", Err: err}
	default:
		return &Error{Status: http.StatusInternalServerError, Msg: "internal error", Err: err}
	}
}
