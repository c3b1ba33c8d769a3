//go:build !race

package locate

const raceEnabled = false
