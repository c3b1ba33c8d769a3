// Package dashboard is Chengyun's HTTP face: the status page and JSON API now, the operator
// console, big screens and WebSocket streams as they land.
package dashboard

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/chengyun/chengyun/domain"
)

// HTTPStatus maps an error code to its HTTP status. It is the one place this mapping lives.
func HTTPStatus(code domain.Code) int {
	switch code {
	case domain.CodeInvalid:
		return http.StatusBadRequest
	case domain.CodeNotFound:
		return http.StatusNotFound
	case domain.CodeConflict:
		return http.StatusConflict
	case domain.CodeUnauthorized:
		return http.StatusUnauthorized
	case domain.CodeForbidden:
		return http.StatusForbidden
	case domain.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case domain.CodeRateLimited:
		return http.StatusTooManyRequests
	case domain.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error struct {
		Code    domain.Code `json:"code"`
		Field   string      `json:"field,omitempty"`
		Message string      `json:"message"`
	} `json:"error"`
}

// writeError answers with the error's status and a JSON body naming code, field and message.
// Internal errors are not described to the caller beyond their code.
func writeError(w http.ResponseWriter, err error) {
	var body errorBody
	body.Error.Code = domain.CodeOf(err)
	var de *domain.Error
	if errors.As(err, &de) {
		body.Error.Field = de.Field
	}
	body.Error.Message = err.Error()
	if body.Error.Code == domain.CodeInternal {
		body.Error.Message = "internal error"
	}
	writeJSON(w, HTTPStatus(body.Error.Code), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
