package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

var binary string

// TestMain builds the real binary once: the serve test runs it as a process and stops it with
// a signal, as an operator would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chengyun-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "chengyun")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func fillEmbedded(t *testing.T, dir string, n int) {
	t.Helper()
	s, err := embedded.Open(dir, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := s.Append(context.Background(), "case-cli", domain.ExpectedVersion(i), []domain.EventData{storetest.NewEvent("CaseReported", 200)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func runVerify(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code, err := verify(args, &out)
	if err != nil {
		t.Fatalf("verify %v: %v", args, err)
	}
	return code, out.String()
}

func TestVerifyEmbedded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	fillEmbedded(t, dir, 30)
	code, out := runVerify(t, "--store", dir)
	if code != 0 || !strings.Contains(out, "OK: 30 events") {
		t.Fatalf("intact store: exit %d, %q", code, out)
	}
	deleteEmbeddedEvent(t, dir, 12)
	code, out = runVerify(t, "--store", dir)
	if code != 1 || !strings.Contains(out, "BROKEN at position 12") {
		t.Fatalf("tampered store: exit %d, %q", code, out)
	}
	code, out = runVerify(t, "--store", dir, "--json")
	var rep domain.VerifyReport
	if code != 1 || json.Unmarshal([]byte(out), &rep) != nil || rep.BrokenAt != 12 {
		t.Fatalf("json report: exit %d, %q", code, out)
	}
}

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func get(t *testing.T, url string) (int, string) { t.Helper(); return getAs(t, url, "") }

func getAs(t testing.TB, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeRunsAndStopsGracefully(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	fillEmbedded(t, dir, 7)
	port := freePort(t)
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:"+port)
	cmd.Env = append(os.Environ(), "CHENGYUN_STORE="+dir, "CHENGYUN_LOG_FORMAT=json")
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://127.0.0.1:" + port
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The first start made an admin and printed a one-time password to the terminal, not to
	// the log; until it is changed the admin may do nothing else.
	if code, _ := get(t, base+"/api/v1/status"); code != 401 {
		t.Fatalf("status without login: %d, want 401", code)
	}
	m := regexp.MustCompile(`one-time password (\S+)`).FindStringSubmatch(logs.String())
	if m == nil || strings.Count(logs.String(), m[1]) != 1 {
		t.Fatalf("no one-time password printed once: %s", logs.String())
	}
	token := login(t, base, "admin", m[1])
	if code := call(t, "GET", base+"/api/v1/status", token, "", nil); code != 403 {
		t.Fatalf("status before changing the one-time password: %d, want 403", code)
	}
	if code := call(t, "POST", base+"/api/v1/auth/password", token, fmt.Sprintf(`{"oldPassword":%q,"password":"a new long password"}`, m[1]), nil); code != 200 {
		t.Fatalf("change password: %d", code)
	}
	var st struct {
		Store domain.StoreStats `json:"store"`
	}
	// 7 filled events, the admin's creation and password (2) and new password (1), the session (1).
	if code := call(t, "GET", base+"/api/v1/status", token, "", &st); code != 200 || st.Store.Events != 11 || st.Store.Kind != "embedded" || st.Store.Streams != 3 {
		t.Fatalf("status: %d %+v", code, st)
	}
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("readyz: %d", code)
	}
	if code, body := getAs(t, base+"/metrics", token); code != 200 || !strings.Contains(body, "chengyun_append_seconds") || !strings.Contains(body, "chengyun_subscription_lag_events") {
		t.Fatalf("metrics: %d, missing chengyun series", code)
	}
	if code, body := get(t, base+"/status"); code != 200 || !strings.Contains(body, "城运") || !strings.Contains(body, "English") {
		t.Fatalf("status page: %d", code)
	}
	if code, body := getAs(t, base+"/api/v1/geo/city", token); code != 200 || !strings.Contains(body, "武汉市") || !strings.Contains(body, "agg-grids") {
		t.Fatalf("city: %d %s", code, body)
	}
	for _, layer := range []string{"districts", "agg-districts"} {
		if code, _ := getAs(t, base+"/tiles/"+layer+"/8/209/105.pbf", token); code != 200 {
			t.Fatalf("tile of %s: %d", layer, code)
		}
	}
	if code, _ := get(t, base+"/nothing-here"); code != 404 {
		t.Fatalf("unknown path: %d", code)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v: %s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("serve did not stop on SIGTERM: %s", logs.String())
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop in the logs: %s", logs.String())
	}
	if code, out := runVerify(t, "--store", dir); code != 0 {
		t.Fatalf("verify after serve: %s", out)
	}
}

func TestServeHelpListsEnvironment(t *testing.T) {
	out, _ := exec.Command(binary, "serve", "--help").CombinedOutput()
	for _, want := range []string{"CHENGYUN_ADDR", "CHENGYUN_STORE", "CHENGYUN_LOG_LEVEL", "CHENGYUN_PG_SCHEMA", "CHENGYUN_SHUTDOWN_TIMEOUT", "postgres://", "esdb://"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("serve --help does not mention %s:\n%s", want, out)
		}
	}
}

// A mistyped path must not verify as an empty, intact store.
func TestVerifyRefusesMissingStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "no-such-store")
	code, err := verify([]string{"--store", dir}, io.Discard)
	if err == nil || code != 2 {
		t.Fatalf("verify of a missing store: exit %d, %v", code, err)
	}
	if _, statErr := os.Stat(dir); statErr == nil {
		t.Fatal("verify created a store")
	}
}

// syncBuffer is a buffer a child process writes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
