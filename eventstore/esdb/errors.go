package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/chengyun/chengyun/domain"
)

// mapErr turns a client error into a domain error: unavailable for a lost connection, a
// deadline, a node that is not the leader or a call cut short (retry with the same event ids);
// conflict for a wrong expected version or a deleted stream; too_large for an append over the
// server's MaxAppendSize; internal for refused credentials and anything unexpected. Domain
// errors pass through unchanged.
func mapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return domain.Unavailable(what+": cut short before KurrentDB answered", err)
	}
	var ee *esdb.Error
	if errors.As(err, &ee) {
		switch ee.Code() {
		case esdb.ErrorUnavailable, esdb.ErrorCodeDeadlineExceeded, esdb.ErrorCodeConnectionClosed,
			esdb.ErrorCodeNotLeader, esdb.ErrorAborted:
			return domain.Unavailable(what+": KurrentDB is unavailable", err)
		case esdb.ErrorCodeUnauthenticated, esdb.ErrorCodeAccessDenied:
			return domain.Internal(what+": KurrentDB refused this client's credentials or ACL", err)
		case esdb.ErrorCodeStreamDeleted:
			return &domain.Error{Code: domain.CodeConflict, Field: "streamId", Msg: "the stream is deleted in KurrentDB", Err: err}
		case esdb.ErrorCodeWrongExpectedVersion:
			return &domain.Error{Code: domain.CodeConflict, Field: "expectedVersion", Msg: what, Err: err}
		}
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Aborted, codes.Canceled, codes.ResourceExhausted:
		return domain.Unavailable(what+": KurrentDB is unavailable", err)
	case codes.Unauthenticated, codes.PermissionDenied:
		return domain.Internal(what+": KurrentDB refused this client's credentials or ACL", err)
	case codes.InvalidArgument:
		if strings.Contains(strings.ToLower(err.Error()), "append size") {
			return &domain.Error{Code: domain.CodeTooLarge, Field: "events", Msg: "over the KurrentDB server's MaxAppendSize (1 MiB unless configured): split the append or raise the limit", Err: err}
		}
	}
	return domain.Internal(what+": unexpected KurrentDB error", err)
}

// isWrongExpectedVersion reports the client's optimistic-concurrency refusal.
func isWrongExpectedVersion(err error) bool {
	var ee *esdb.Error
	return errors.As(err, &ee) && ee.Code() == esdb.ErrorCodeWrongExpectedVersion
}

// isStreamGone reports a read of a stream that does not exist or was deleted: both read as empty.
func isStreamGone(err error) bool {
	var ee *esdb.Error
	return errors.As(err, &ee) && (ee.Code() == esdb.ErrorCodeResourceNotFound || ee.Code() == esdb.ErrorCodeStreamDeleted)
}

// isInvalidPosition reports a read or subscription refused because its start is not a position
// of the log.
func isInvalidPosition(err error) bool {
	return status.Code(err) == codes.InvalidArgument
}

// clientDead reports the errors after which the client never works again (see conn): its closed
// flag, or the discovery failure that sets it.
func clientDead(err error) bool {
	var ee *esdb.Error
	if errors.As(err, &ee) && ee.Code() == esdb.ErrorCodeConnectionClosed {
		return true
	}
	return strings.Contains(err.Error(), "maximum discovery attempt count reached")
}

// permanent reports subscription errors that no resubscription can cure.
func permanent(err error) bool {
	var ee *esdb.Error
	if errors.As(err, &ee) {
		switch ee.Code() {
		case esdb.ErrorCodeUnauthenticated, esdb.ErrorCodeAccessDenied, esdb.ErrorCodeUnsupportedFeature:
			return true
		}
	}
	switch status.Code(err) {
	case codes.Unauthenticated, codes.PermissionDenied, codes.InvalidArgument, codes.Unimplemented:
		return true
	}
	return false
}

// subErr classifies an error that opened or ended a subscription: permanent ones are mapped and
// end it; every other drop (lost connection, server restart, stream closed by the server) is
// unavailable, so the loop resubscribes.
func subErr(err error) error {
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if permanent(err) {
		return mapErr("subscribe to $all", err)
	}
	if errors.Is(err, io.EOF) {
		return domain.Unavailable("KurrentDB ended the subscription", err)
	}
	return domain.Unavailable("the KurrentDB subscription dropped", err)
}

// recvPanic turns a panic of the client's read decoder into an error. ReadStream.Recv in v4.2.0
// panics ("unreachable code") on a response kind it does not know; a newer server must not be
// able to crash us with one.
func recvPanic(err *error) {
	if r := recover(); r != nil {
		*err = domain.Internal("the KurrentDB client could not decode a read response", fmt.Errorf("%v", r))
	}
}
