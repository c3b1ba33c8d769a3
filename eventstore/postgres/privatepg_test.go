package postgres

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chengyun/chengyun/eventstore/storetest"
)

const pgBin = "/usr/lib/postgresql/15/bin"

// privatePG is a PostgreSQL 15 server of one test's own, which the test may crash and restart
// without disturbing the shared server other packages use. It runs as user postgres (initdb
// refuses root) on a free port of 127.0.0.1, with its data and socket in a temporary directory.
type privatePG struct {
	t    testing.TB
	dir  string
	data string
	port int
	URL  string
}

// startPrivatePG initialises and starts a private server, stopped and removed when t ends. It
// skips (fails under CI=true) when the test cannot run one: not root, or no PostgreSQL 15.
func startPrivatePG(t testing.TB) *privatePG {
	t.Helper()
	if err := canRunPrivatePG(); err != nil {
		storetest.NeedService(t, "a private PostgreSQL server", err)
	}
	pgUser, _ := user.Lookup("postgres")
	uid, _ := strconv.Atoi(pgUser.Uid)
	gid, _ := strconv.Atoi(pgUser.Gid)
	// Not t.TempDir: its parent directories are private to root, and the server runs as postgres.
	dir, err := os.MkdirTemp("", "chengyun-pg-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		_ = os.RemoveAll(dir)
		t.Fatal(err)
	}
	p := &privatePG{t: t, dir: dir, data: filepath.Join(dir, "data"), port: freePort(t)}
	p.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
	t.Cleanup(func() {
		_ = p.pgctl("stop", "-m", "immediate")
		_ = os.RemoveAll(dir)
	})
	if out, err := p.run(filepath.Join(pgBin, "initdb"), "-D", p.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.Start()
	return p
}

func canRunPrivatePG() error {
	if os.Geteuid() != 0 {
		return errors.New("the test must run as root to start a server as user postgres")
	}
	for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(pgBin, b)); err != nil {
			return fmt.Errorf("PostgreSQL 15 binaries: %w", err)
		}
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		return err
	}
	if _, err := user.Lookup("postgres"); err != nil {
		return err
	}
	return nil
}

// Start starts the server and waits until it accepts connections (after a crash, that is
// after recovery).
func (p *privatePG) Start() {
	p.t.Helper()
	opts := fmt.Sprintf("-c port=%d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c fsync=on -c synchronous_commit=on -c shared_buffers=32MB -c max_connections=40",
		p.port, p.dir)
	if err := p.pgctl("start", "-l", filepath.Join(p.dir, "server.log"), "-t", "60", "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "server.log"))
		p.t.Fatalf("start private server: %v\n%s", err, log)
	}
}

// Crash stops the server the way a power cut would: immediately, without a checkpoint.
func (p *privatePG) Crash() {
	p.t.Helper()
	if err := p.pgctl("stop", "-m", "immediate"); err != nil {
		p.t.Fatalf("stop private server: %v", err)
	}
}

func (p *privatePG) pgctl(args ...string) error {
	args = append([]string{"-D", p.data, "-w"}, args...)
	out, err := p.run(filepath.Join(pgBin, "pg_ctl"), args...)
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}

func (p *privatePG) run(cmd string, args ...string) ([]byte, error) {
	c := exec.Command("runuser", append([]string{"-u", "postgres", "--", cmd}, args...)...)
	c.Dir = p.dir
	return c.CombinedOutput()
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
