package dashboard

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chengyun/chengyun/domain"
)

func TestErrorsMapToStatusAndNameTheField(t *testing.T) {
	cases := []struct {
		err    error
		status int
		field  string
	}{
		{domain.Invalid("events[0].data", "is not valid JSON"), 400, "events[0].data"},
		{domain.Conflict("expectedVersion", "stream is at 3"), 409, "expectedVersion"},
		{domain.TooLarge("events[2]", "too big"), 413, "events[2]"},
		{domain.NotFound("caseId", "no such case"), 404, "caseId"},
		{domain.Unavailable("postgres down", errors.New("refused")), 503, ""},
		{errors.New("secret detail"), 500, ""},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		writeError(rec, c.err)
		var body errorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if rec.Code != c.status || body.Error.Field != c.field {
			t.Errorf("%v: status %d field %q, want %d %q", c.err, rec.Code, body.Error.Field, c.status, c.field)
		}
		if c.status == http.StatusInternalServerError && body.Error.Message != "internal error" {
			t.Errorf("internal detail leaked: %q", body.Error.Message)
		}
	}
}
