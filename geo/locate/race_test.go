//go:build race

package locate

// raceEnabled: the race detector slows the brute-force references ~20×, so the big cities
// are checked on fewer points under -race (the plain run checks them in full).
const raceEnabled = true
