package main

import (
	"fmt"
	"strings"
	"testing"
)

// caseFrame is a case-feed frame as the gateway encodes it: n cards after the header.
func caseFrame(from, n int, at int64) []byte {
	cards := make([]string, n)
	for i := range cards {
		cards[i] = fmt.Sprintf(`{"id":"01KB%022d","event":"CaseReported","at":%d,"pos":%d,"status":"reported",`+
			`"title":"江汉路步行街井盖缺失，行人易绊倒","category":"municipal.manhole","source":"hotline","urgency":"normal",`+
			`"district":"420103","street":"420103003","grid":"420103003002","lon":114.284512,"lat":30.581337,"reported":%d}`,
			from+i, at+int64(i), from+i, at+int64(i))
	}
	return fmt.Appendf(nil, `{"topic":"cases","kind":"deltas","seq":%d,"from":%d,"deltas":[%s]}`, from+n-1, from, strings.Join(cards, ","))
}

// TestFrameCountsEveryCard: each card of a frame inside the window is one delivery, its
// latency from its own "at"; a frame that skips a sequence is a gap, one that repeats is a
// duplicate.
func TestFrameCountsEveryCard(t *testing.T) {
	window.from.Store(1000)
	window.to.Store(0)
	defer window.from.Store(0)
	cl := &client{topics: []topicSeq{{"cases", 9}}}
	cl.frame(caseFrame(10, 5, 1000), 1010) // latencies 10, 9, 8, 7, 6 ms
	if cl.received != 5 || cl.gaps != 0 || cl.dups != 0 {
		t.Fatalf("received %d, gaps %d, dups %d; want 5, 0, 0", cl.received, cl.gaps, cl.dups)
	}
	for ms := 6; ms <= 10; ms++ {
		if cl.hist[ms] != 1 {
			t.Errorf("latency %d ms counted %d times, want once", ms, cl.hist[ms])
		}
	}
	cl.frame(caseFrame(16, 2, 1000), 1010) // 15 is missing
	cl.frame(caseFrame(17, 1, 1000), 1010) // 17 again
	if cl.gaps != 1 || cl.dups != 1 {
		t.Fatalf("gaps %d, dups %d; want 1 and 1", cl.gaps, cl.dups)
	}
	cl.frame(caseFrame(18, 1, 999), 1010) // reported before the window
	if cl.received != 8 {
		t.Fatalf("received %d, want 8 (the card reported before the window is not counted)", cl.received)
	}
}

func BenchmarkFrame(b *testing.B) {
	window.from.Store(1)
	defer window.from.Store(0)
	cl := &client{}
	f := caseFrame(1, 5, 1000)
	b.SetBytes(int64(len(f)))
	for b.Loop() {
		*cl.seqOf([]byte("cases")) = 0
		cl.frame(f, 1010)
	}
}

// TestFramePatches: a patch must follow the value it changes; one that skips a value is a
// gap, one that repeats is a duplicate.
func TestFramePatches(t *testing.T) {
	cl := &client{}
	for _, f := range []string{
		`{"topic":"indicators:city","kind":"snapshot","seq":7,"data":{}}`,
		`{"topic":"indicators:city","kind":"patch","seq":8,"data":{}}`,
		`{"topic":"indicators:city","kind":"patch","seq":10,"data":{}}`,
		`{"topic":"indicators:city","kind":"patch","seq":10,"data":{}}`,
		`{"topic":"indicators:city","kind":"state","seq":11,"data":{}}`,
	} {
		cl.frame([]byte(f), 0)
	}
	if cl.gaps != 1 || cl.dups != 1 || cl.states != 4 {
		t.Fatalf("gaps %d, dups %d, states %d; want 1, 1, 4", cl.gaps, cl.dups, cl.states)
	}
}

// TestCardTimes: a closed case's card ends with its closing instant after "reported"; a card
// of another shape is not counted.
func TestCardTimes(t *testing.T) {
	for _, c := range []struct {
		card         string
		at, reported int64
		ok           bool
	}{
		{`{"id":"a","event":"CaseReported","at":12,"pos":1,"title":"t","reported":10`, 12, 10, true},
		{`{"id":"a","event":"CaseClosed","at":30,"pos":2,"status":"closed","reported":10,"closedAt":29`, 30, 10, true},
		{`{"id":"a","at":12,"reported":10`, 0, 0, false},
		{`{"id":"a","event":"CaseReported","at":12,"pos":1`, 0, 0, false},
		{`{"id":"a`, 0, 0, false},
	} {
		at, reported, ok := cardTimes([]byte(c.card))
		if at != c.at || reported != c.reported || ok != c.ok {
			t.Errorf("%s: %d %d %v, want %d %d %v", c.card, at, reported, ok, c.at, c.reported, c.ok)
		}
	}
}

// FuzzFrame: no frame, however broken, panics the checker.
func FuzzFrame(f *testing.F) {
	f.Add(caseFrame(1, 3, 1000))
	f.Add([]byte(`{"topic":"indicators:city","kind":"patch","seq":8,"data":{}}`))
	f.Add([]byte(`{"topic":"cases","kind":"deltas","seq":2,"from":1,"deltas":[{"id":"x"},{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		window.from.Store(1)
		defer window.from.Store(0)
		(&client{}).frame(b, 5000)
	})
}
