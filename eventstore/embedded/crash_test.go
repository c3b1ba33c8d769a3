package embedded

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/eventstore/storetest"
)

// The crash test runs a real child process (this test binary, re-executed) that appends with
// many concurrent writers and prints each acknowledged event id; the parent kills it with
// SIGKILL at a random moment and checks the store: it opens, its chain verifies, and every
// acknowledged id is there exactly once.
const crashChildEnv = "CHENGYUN_CRASH_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

// crashChild appends forever from 32 writers (single events and batches of 1–8) until killed.
func crashChild(dir string) {
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	fmt.Fprintln(out, "ready")
	out.Flush()
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("case-crash-%d-%d", os.Getpid(), w)
			for {
				batch := make([]domain.EventData, 1+rand.IntN(8))
				for i := range batch {
					batch[i] = storetest.NewEvent("CaseReported", 400)
				}
				if _, err := s.Append(context.Background(), stream, domain.ExpectAny, batch); err != nil {
					fmt.Fprintln(os.Stderr, "child append:", err)
					os.Exit(3)
				}
				mu.Lock()
				for _, e := range batch {
					fmt.Fprintln(out, "ack", e.ID)
				}
				out.Flush() // one write per acknowledged append: what the parent reads was acked
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func crashRounds() int {
	if n, err := strconv.Atoi(os.Getenv("CHENGYUN_CRASH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 3
}

func TestCrashKillKeepsAcknowledgedEvents(t *testing.T) {
	dir := t.TempDir() + "/data"
	acked := map[string]bool{}
	for round := range crashRounds() {
		n := crashOnce(t, dir, acked)
		s := openAt(t, dir)
		rep, err := domain.VerifyChain(context.Background(), s)
		if err != nil || !rep.OK {
			t.Fatalf("round %d: verify after kill: %v %v", round, rep, err)
		}
		seen := map[string]int{}
		for _, e := range storetest.ReadAllEvents(t, s) {
			seen[e.ID]++
			if seen[e.ID] > 1 {
				t.Fatalf("round %d: event %s stored twice", round, e.ID)
			}
		}
		for id := range acked {
			if seen[id] != 1 {
				t.Fatalf("round %d: acknowledged event %s is missing after the kill", round, id)
			}
		}
		_ = s.Close()
		t.Logf("round %d: killed after %d acks this round; %d acknowledged in all, %d stored, chain OK", round, n, len(acked), rep.Events)
	}
}

// crashOnce starts the child on dir, kills it with SIGKILL after a random time, and adds the
// ids it acknowledged to acked.
func crashOnce(t *testing.T, dir string, acked map[string]bool) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || lines.Text() != "ready" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child did not start: %s", stderr.String())
	}
	killAt := time.Duration(200+rand.IntN(1300)) * time.Millisecond
	timer := time.AfterFunc(killAt, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
	defer timer.Stop()
	n := 0
	for lines.Scan() {
		if id, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
			acked[id] = true
			n++
		}
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended by itself (%v) instead of being killed: %s", err, stderr.String())
	}
	if n == 0 {
		t.Fatalf("child acknowledged nothing in %v: %s", killAt, stderr.String())
	}
	return n
}
