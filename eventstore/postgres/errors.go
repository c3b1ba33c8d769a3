package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/chengyun/chengyun/domain"
)

// errClosed is what every call made after Close gets.
var errClosed = domain.Unavailable("store closed", nil)

// classify turns a driver error met while doing op into a domain error. A caller whose ctx has
// ended gets ctx.Err() itself. Connection failures (refused, reset, lost, server shutting down
// or starting up, connect timeouts) become unavailable, so a caller or a subscription loop
// retries; anything else is internal.
func classify(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if ctx != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	if isConnError(err) {
		return domain.Unavailable("postgres unavailable: "+op, err)
	}
	return domain.Internal("postgres: "+op, err)
}

// isConnError reports whether err says the server could not be reached or the connection was
// lost, as opposed to the server refusing a statement.
func isConnError(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return connSQLState(pgErr.Code)
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr),
		errors.As(err, &netErr),
		pgconn.Timeout(err),
		pgconn.SafeToRetry(err),
		errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded):
		return true
	}
	msg := err.Error()
	for _, s := range []string{"connection refused", "connection reset", "broken pipe", "conn closed", "unexpected EOF", "server closed the connection"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// connSQLState reports whether a server error code means "try again later": connection
// exceptions (class 08), insufficient resources such as a full disk or too many connections
// (class 53), shutdown or start-up in progress (57P01..57P03), system I/O errors (class 58).
func connSQLState(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"), strings.HasPrefix(code, "58"):
		return true
	case code == "57P01", code == "57P02", code == "57P03":
		return true
	}
	return false
}
