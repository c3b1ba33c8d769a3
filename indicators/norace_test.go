//go:build !race

package indicators

const raceEnabled = false
