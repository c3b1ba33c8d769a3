package city

import (
	"cmp"
	"slices"
)

// item is something to group by position: a lattice piece (for streets) or a grid (for
// communities). Positions are in cell units, which are square on the ground.
type item struct {
	x, y float64
	w    float64 // weight to balance: area for streets, 1 for communities
	k    int     // the caller's index
}

// bisect splits items into k groups of about equal weight by recursive bisection: cut across
// the longer side of the group's extent where the weight on each side matches the number of
// groups that side will get. Groups come out compact and neighbouring groups get neighbouring
// numbers; the order is fixed by the sort keys, so the result is deterministic.
func bisect(items []item, k int) [][]item {
	k = min(k, len(items))
	if k <= 1 {
		return [][]item{items}
	}
	minX, maxX, minY, maxY := items[0].x, items[0].x, items[0].y, items[0].y
	total := 0.0
	for _, it := range items {
		minX, maxX = min(minX, it.x), max(maxX, it.x)
		minY, maxY = min(minY, it.y), max(maxY, it.y)
		total += it.w
	}
	byX := maxX-minX >= maxY-minY
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b item) int {
		if byX {
			return cmpItems(a.x, b.x, -a.y, -b.y, a.k, b.k) // west to east, then north to south
		}
		return cmpItems(-a.y, -b.y, a.x, b.x, a.k, b.k) // north to south, then west to east
	})
	k1 := k / 2
	target := total * float64(k1) / float64(k)
	m, best, cum := k1, -1.0, 0.0
	for i := range items {
		if i >= k1 && i <= len(items)-(k-k1) {
			if d := abs(cum - target); best < 0 || d < best {
				m, best = i, d
			}
		}
		cum += items[i].w
	}
	return append(bisect(items[:m], k1), bisect(items[m:], k-k1)...)
}

func cmpItems(a1, b1, a2, b2 float64, a3, b3 int) int {
	if c := cmp.Compare(a1, b1); c != 0 {
		return c
	}
	if c := cmp.Compare(a2, b2); c != 0 {
		return c
	}
	return a3 - b3
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
