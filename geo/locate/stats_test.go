package locate

import "testing"

// TestLatticeMostlyFull guards the point of the lattice: most occupied buckets of Wuhan's grid
// level lie inside one grid and are answered with no polygon test.
func TestLatticeMostlyFull(t *testing.T) {
	ix := New(loadWuhan(t))
	for _, lv := range ix.levels {
		full, lists := 0, 0
		for _, cell := range lv.lat.cells {
			switch {
			case cell&fullBit != 0:
				full++
			case lv.lat.lists[cell&offsetMask] != 0:
				lists++
			}
		}
		t.Logf("%s: %d×%d buckets, %d inside one area, %d with lists (%.2f areas each)", lv.level, ix.frame.nx, ix.frame.ny, full, lists, float64(lv.lat.candidates)/float64(max(lists, 1)))
		if lv.level == ix.Level() && full < lists {
			t.Errorf("%s: only %d of %d occupied buckets are inside one area", lv.level, full, full+lists)
		}
	}
}
