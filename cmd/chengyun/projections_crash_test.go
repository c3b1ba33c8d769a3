package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/chengyun/chengyun/commands"
	"github.com/chengyun/chengyun/domain"
	"github.com/chengyun/chengyun/domain/cases"
	"github.com/chengyun/chengyun/eventstore/embedded"
	"github.com/chengyun/chengyun/geo/cities"
	"github.com/chengyun/chengyun/projections"
	"github.com/chengyun/chengyun/projections/pebblesink"
)

// fillCity writes cases through the real command handler into store until the log holds at
// least events events: reports at points spread over Wuhan, each taken along a random path of
// its loop, from 16 writers at once.
func fillCity(t testing.TB, store domain.EventStore, events uint64) {
	t.Helper()
	fsys, _ := cities.Open("wuhan")
	lc, err := loadCity("wuhan", fsys)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Second); return now }
	h := commands.NewHandler(store, lc.City, clock)
	b := lc.model.Bound()
	paths := [][]cases.Command{
		{cases.Verify{}, cases.Register{}, cases.Dispatch{}, cases.Accept{}, cases.Handle{Feedback: "已处置"}, cases.Inspect{Pass: true}, cases.Close{}},
		{cases.Verify{}, cases.Register{}, cases.Dispatch{}, cases.Return{Reason: "非本单位"}, cases.Dispatch{}, cases.Accept{}, cases.Supervise{Note: "请加快"}},
		{cases.Verify{}, cases.Register{}, cases.Dispatch{}, cases.Accept{}, cases.RequestExtension{Extra: "1d", Reason: "材料"}, cases.GrantExtension{},
			cases.Handle{Feedback: "已处置"}, cases.Inspect{Pass: false, Note: "未完成"}, cases.Handle{Feedback: "再次处置"}, cases.Inspect{Pass: true}, cases.Close{}},
		{cases.Verify{}}, {cases.Void{Reason: "误报"}},
	}
	meta := commands.Meta{Actor: "test", Channel: "test"}
	var written atomic.Uint64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for written.Load() < events {
				pt := cases.Point{Lon: b.Min[0] + rand.Float64()*(b.Max[0]-b.Min[0]), Lat: b.Min[1] + rand.Float64()*(b.Max[1]-b.Min[1])}
				if !lc.index.Locate(orb.Point{pt.Lon, pt.Lat}).Inside {
					continue
				}
				res, err := h.Execute(context.Background(), commands.NewCaseID(commands.Meta{}), cases.Report{Source: cases.SourcePatrol, Category: "P0101",
					Title: "井盖缺失", Location: cases.Location{Point: &pt}}, meta)
				if err != nil {
					errs <- err
					return
				}
				n := uint64(1)
				for _, c := range paths[rand.IntN(len(paths))] {
					if _, err := h.Execute(context.Background(), res.CaseID, c, meta); err != nil {
						errs <- err
						return
					}
					n++
				}
				written.Add(n)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

var progressLine = regexp.MustCompile(`^cases: (\d+) of (\d+) events`)

// TestRebuildKilledMidCatchUp fills an embedded store, starts `chengyun rebuild`, kills it
// with SIGKILL once its checkpoint is past 0 and before the head, and runs `rebuild --resume`:
// it carries on from the checkpoint, and the read model it ends with equals a fresh rebuild's,
// row for row, with the checkpoint at the head and every case's counters what its events say.
func TestRebuildKilledMidCatchUp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	store, err := embedded.Open(dir, embedded.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	fillCity(t, store, 30_000)
	st, _ := store.Stats(context.Background())
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	head := st.LastPosition

	// The first rebuild, killed mid-way.
	cmd := exec.Command(binary, "rebuild", "--store", dir, "--progress", "5ms", "--batch", "200")
	stdout, _ := cmd.StdoutPipe()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killedAt := uint64(0)
	sc := bufio.NewScanner(stdout)
	var seen []string
	for sc.Scan() {
		seen = append(seen, sc.Text())
		if m := progressLine.FindStringSubmatch(sc.Text()); m != nil {
			if n, _ := strconv.ParseUint(m[1], 10, 64); n > 0 && n < head {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				killedAt = n
				break
			}
		}
	}
	err = cmd.Wait()
	if killedAt == 0 {
		t.Fatalf("the rebuild ended before it could be killed mid-way (%v): %q %s", err, seen, stderr.String())
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("rebuild was not killed: %v", err)
	}

	// The restart carries on from the checkpoint the killed process committed.
	out, err := exec.Command(binary, "rebuild", "--resume", "--store", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`cases: resuming from position (\d+) of (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("resume did not say where it started: %s", out)
	}
	from, _ := strconv.ParseUint(string(m[1]), 10, 64)
	// Every checkpoint the killed process reported was synced: the restart starts at or past it.
	if from < killedAt || from >= head {
		t.Fatalf("resumed from %d (killed after %d of %d): %s", from, killedAt, head, out)
	}
	if !bytes.Contains(out, []byte(fmt.Sprintf("cases: rebuilt at position %d, %d events", head, head-from))) {
		t.Fatalf("resume did not apply exactly the %d events after its checkpoint: %s", head-from, out)
	}
	t.Logf("killed after position %d, resumed from %d, head %d", killedAt, from, head)

	// A fresh rebuild elsewhere, to compare with.
	fresh := filepath.Join(t.TempDir(), "fresh")
	if out, err := exec.Command(binary, "rebuild", "--store", dir, "--projections", fresh).CombinedOutput(); err != nil {
		t.Fatalf("fresh rebuild: %v\n%s", err, out)
	}
	resumedRows, resumedAt := readSink(t, dir+"-projections")
	freshRows, freshAt := readSink(t, fresh)
	if resumedAt != head || freshAt != head {
		t.Fatalf("checkpoints %d and %d, head %d", resumedAt, freshAt, head)
	}
	if len(freshRows) < 3000 || !reflect.DeepEqual(resumedRows, freshRows) {
		t.Fatalf("the resumed read model (%d rows) differs from a fresh rebuild (%d rows)", len(resumedRows), len(freshRows))
	}
	checkRowsAgainstLog(t, dir, resumedRows)
}

func readSink(t *testing.T, dir string) (map[string]any, uint64) {
	t.Helper()
	s, err := pebblesink.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows := map[string]any{}
	err = s.Scan(context.Background(), projections.CaseListName, func(k string, v []byte) error {
		var x any
		err := json.Unmarshal(v, &x)
		rows[k] = x
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pos, err := s.Checkpoint(context.Background(), projections.CaseListName)
	if err != nil {
		t.Fatal(err)
	}
	return rows, pos
}

// checkRowsAgainstLog: each stored case applied exactly the events of its stream (version
// and counters), so no event was applied twice or skipped across the kill.
func checkRowsAgainstLog(t *testing.T, dir string, rows map[string]any) {
	t.Helper()
	store, err := embedded.Open(dir, embedded.Options{Logger: slog.New(slog.DiscardHandler), MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for id, v := range rows {
		st := v.(map[string]any)["state"].(map[string]any)
		evs, err := store.ReadStream(context.Background(), cases.StreamID(id), 1, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]float64{}
		for _, e := range evs {
			n[e.Type]++
		}
		num := func(k string) float64 { f, _ := st[k].(float64); return f }
		if num("version") != float64(len(evs)) || num("returns") != n[cases.TypeReturned] || num("reworks") != n[cases.TypeReworkOrdered] ||
			num("extensions") != n[cases.TypeExtGranted] || num("supervised") != n[cases.TypeSupervised] {
			t.Fatalf("case %s: stored %v, stream %v (%d events)", id, st, n, len(evs))
		}
	}
}

func TestRebuildRefusesBadInput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	fillEmbedded(t, dir, 3)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rebuild", "--store", dir, "nosuch"}, `"nosuch" is not a projection (one of cases)`},
		{[]string{"rebuild", "--store", filepath.Join(t.TempDir(), "missing")}, "no embedded store"},
		{[]string{"rebuild", "--store", dir, "--batch", "0"}, "--batch 0"},
	} {
		out, err := exec.Command(binary, c.args...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("%v: %v %s, want an error saying %q", c.args, err, out, c.want)
		}
	}
}
