package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Client is the simulator's side of the public HTTP API: it logs in like any user and sends
// the same requests a browser or the dispatch app would.
type Client struct {
	base   string
	http   *http.Client
	tokens map[Role]string
}

// Credentials are a login and password per simulated role; one user may play several.
type Credentials map[Role][2]string

// NewClient returns a client of the server at base (e.g. http://localhost:8080).
func NewClient(base string, conns int) *Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
	}
	return &Client{base: strings.TrimRight(base, "/"), http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, tokens: map[Role]string{}}
}

// Login starts a session for every role. Errors name the role and the server's answer.
func (c *Client) Login(ctx context.Context, creds Credentials) error {
	for _, r := range Roles {
		cr, ok := creds[r]
		if !ok {
			return fmt.Errorf("no credentials for the %s role", r)
		}
		var reply struct {
			Token     string `json:"token"`
			Principal struct {
				MustChangePassword bool `json:"mustChangePassword"`
			} `json:"principal"`
		}
		body, _ := json.Marshal(map[string]string{"login": cr[0], "password": cr[1]})
		if _, err := c.do(ctx, "POST", "/api/v1/auth/login", "", "", body, &reply); err != nil {
			return fmt.Errorf("log in as %s (%s role): %w", cr[0], r, err)
		}
		if reply.Principal.MustChangePassword {
			return fmt.Errorf("%s must change its one-time password before it can act: log in once in the browser, or start the server with --admin-password", cr[0])
		}
		c.tokens[r] = reply.Token
	}
	return nil
}

// CommandReply is what a case command answers.
type CommandReply struct {
	CaseID   string `json:"caseId"`
	Status   string `json:"status"`
	Replayed bool   `json:"-"`
}

// Command sends a case command as role: report when caseID is empty, else
// POST /api/v1/cases/{id}/{name}. key makes retries safe.
func (c *Client) Command(ctx context.Context, role Role, caseID, name, key string, cmd any) (CommandReply, error) {
	body, err := json.Marshal(cmd)
	if err != nil {
		return CommandReply{}, err
	}
	path := "/api/v1/cases"
	if caseID != "" {
		path += "/" + caseID + "/" + name
	}
	var reply CommandReply
	h, err := c.do(ctx, "POST", path, c.tokens[role], key, body, &reply)
	if err == nil {
		reply.Replayed = h.Get("Idempotent-Replayed") == "true"
	}
	return reply, err
}

// OpenCase is a case the live simulator finds in a list.
type OpenCase struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Source string `json:"source"`
}

// OpenCases pages through the cases in the given statuses.
func (c *Client) OpenCases(ctx context.Context, statuses []string, each func(OpenCase)) error {
	cursor := ""
	for {
		q := "/api/v1/cases?limit=200&status=" + strings.Join(statuses, ",")
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		var page struct {
			Cases []OpenCase `json:"cases"`
			Next  string     `json:"next"`
		}
		if _, err := c.do(ctx, "GET", q, c.tokens[Operator], "", nil, &page); err != nil {
			return err
		}
		for _, oc := range page.Cases {
			each(oc)
		}
		if page.Next == "" {
			return nil
		}
		cursor = page.Next
	}
}

// APIError is an answer other than 2xx, with the server's error body.
type APIError struct {
	Status int
	Code   string `json:"code"`
	Field  string `json:"field"`
	Msg    string `json:"message"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("HTTP %d %s %s: %s", e.Status, e.Code, e.Field, e.Msg)
}

func (c *Client) do(ctx context.Context, method, path, token, key string, body []byte, out any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		e := &APIError{Status: resp.StatusCode}
		var wrapped struct {
			Error *APIError `json:"error"`
		}
		if json.Unmarshal(b, &wrapped) == nil && wrapped.Error != nil {
			wrapped.Error.Status = resp.StatusCode
			e = wrapped.Error
		} else {
			_ = json.Unmarshal(b, e)
		}
		return resp.Header, e
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.Header, fmt.Errorf("%s %s: reply is not the expected JSON: %w", method, path, err)
		}
	}
	return resp.Header, nil
}
