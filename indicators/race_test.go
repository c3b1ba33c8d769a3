//go:build race

package indicators

// raceEnabled: the race detector slows the agreement run about tenfold, so under -race it
// replays a sixth of the history (make test also runs it in full without -race).
const raceEnabled = true
