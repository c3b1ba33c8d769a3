package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// server is one chengyun serve process on a simulated clock.
type server struct {
	t     *testing.T
	cmd   *exec.Cmd
	base  string
	logs  syncBuffer
	token string // the admin's session
}

const testAdminPassword = "a long test password"

func startServer(t *testing.T, dir string, clock time.Time) *server {
	t.Helper()
	port := freePort(t)
	s := &server{t: t, base: "http://127.0.0.1:" + port}
	s.cmd = exec.Command(binary, "serve", "--addr", "127.0.0.1:"+port, "--store", dir,
		"--clock-start", clock.Format(time.RFC3339), "--clock-rate", "1", "--deadline-tick", "@every 1s", "--admin-password", testAdminPassword)
	s.cmd.Stderr = &s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.cmd.Process.Kill(); _ = s.cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(s.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				s.token = login(t, s.base, "admin", testAdminPassword)
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %s", s.logs.String())
		}
	}
}

// kill stops the process the hard way: no graceful shutdown, no drained queue.
func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

func (s *server) post(path, body string) map[string]any {
	s.t.Helper()
	req, _ := http.NewRequest("POST", s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode >= 300 {
		s.t.Fatalf("POST %s: %d %v", path, resp.StatusCode, out)
	}
	return out
}

type caseView struct {
	Case struct {
		Status    string `json:"status"`
		Deadlines []struct {
			Stage  string    `json:"stage"`
			Due    time.Time `json:"due"`
			WarnAt time.Time `json:"warnAt"`
		} `json:"deadlines"`
	} `json:"case"`
	Timeline []struct {
		Type string `json:"type"`
	} `json:"timeline"`
}

func (s *server) view(id string) caseView {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.base+"/api/v1/cases/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var v caseView
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		s.t.Fatal(err)
	}
	return v
}

func (v caseView) count(typ string) int {
	n := 0
	for _, e := range v.Timeline {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// waitFor polls the case until it holds want events of typ (10 s at most).
func (s *server) waitFor(id, typ string, want int) caseView {
	s.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		v := s.view(id)
		if v.count(typ) >= want || time.Now().After(deadline) {
			if got := v.count(typ); got != want {
				s.t.Fatalf("%d %s events, want %d: %s", got, typ, want, s.logs.String())
			}
			return v
		}
	}
}

// TestDeadlinesAcrossKilledServers dispatches a case on one server process, kills it, and
// brings up servers whose simulated clocks stand past the warning point and past the
// deadline: the warning and the overdue mark are each written exactly once, however many
// processes die and tick in between.
func TestDeadlinesAcrossKilledServers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	monday := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	s := startServer(t, dir, monday)
	id := s.post("/api/v1/cases", `{"source":"patrol","category":"E0101","title":"私搭乱建","location":{"address":"江岸区","district":"420102"}}`)["caseId"].(string)
	for _, c := range []string{"verify", "register", "dispatch", "accept"} {
		s.post("/api/v1/cases/"+id+"/"+c, `{}`)
	}
	v := s.view(id)
	if v.Case.Status != "accepted" || len(v.Case.Deadlines) != 1 || v.Case.Deadlines[0].Stage != "handle" {
		t.Fatalf("accepted case: %+v", v.Case)
	}
	handle := v.Case.Deadlines[0]
	s.kill()

	s = startServer(t, dir, handle.WarnAt.Add(time.Second))
	s.waitFor(id, "CaseDeadlineWarned", 1)
	s.kill()

	for range 2 { // the second server past the deadline must find nothing left to do
		s = startServer(t, dir, handle.Due.Add(time.Minute))
		v = s.waitFor(id, "CaseOverdue", 1)
		time.Sleep(2500 * time.Millisecond) // a few more ticks
		if v = s.view(id); v.count("CaseOverdue") != 1 || v.count("CaseDeadlineWarned") != 1 {
			t.Fatalf("after more ticks: %d overdue, %d warned", v.count("CaseOverdue"), v.count("CaseDeadlineWarned"))
		}
		s.kill()
	}
}

// login starts a session over HTTP and returns its token.
func login(t testing.TB, base, user, password string) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	code := call(t, "POST", base+"/api/v1/auth/login", "", fmt.Sprintf(`{"login":%q,"password":%q}`, user, password), &out)
	if code != 200 || out.Token == "" {
		t.Fatalf("login %s: %d", user, code)
	}
	return out.Token
}

// call sends a request with an optional bearer token and decodes the JSON answer into out.
func call(t testing.TB, method, url, token, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}
