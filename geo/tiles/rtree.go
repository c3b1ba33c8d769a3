package tiles

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
)

// rtree is a static packed R-tree (sort-tile-recursive) over the world bounds of a layer's
// features: a tile asks it for the few hundred features it touches instead of scanning tens of
// thousands. Built once, read-only after, so safe for concurrent queries.
type rtree struct {
	items  []int32     // item ids in leaf order
	ib     []orb.Bound // bounds of items, in the same order
	nodes  []rnode     // level by level, leaves first; the root is last
	levels []int       // levels[i] is the first node of level i; the last level holds the root
}

// rnode is a bound and a range: of item ids for a leaf, of child nodes otherwise.
type rnode struct {
	b          orb.Bound
	start, end int32
}

const rfan = 16

func newRTree(bounds []orb.Bound) *rtree {
	t := &rtree{}
	if len(bounds) == 0 {
		return t
	}
	// Leaves: sort item ids into vertical slices by x, each slice by y, pack by rfan.
	ids := make([]int32, len(bounds))
	for i := range ids {
		ids[i] = int32(i)
	}
	cx := func(b orb.Bound) float64 { return b.Min[0] + b.Max[0] }
	cy := func(b orb.Bound) float64 { return b.Min[1] + b.Max[1] }
	leaves := (len(ids) + rfan - 1) / rfan
	slice := rfan * int(ceilSqrt(leaves))
	slices.SortFunc(ids, func(a, b int32) int { return cmp.Compare(cx(bounds[a]), cx(bounds[b])) })
	for s := 0; s < len(ids); s += slice {
		part := ids[s:min(s+slice, len(ids))]
		slices.SortFunc(part, func(a, b int32) int { return cmp.Compare(cy(bounds[a]), cy(bounds[b])) })
	}
	t.items = ids
	t.ib = make([]orb.Bound, len(ids))
	for i, id := range ids {
		t.ib[i] = bounds[id]
	}
	for s := 0; s < len(ids); s += rfan {
		e := min(s+rfan, len(ids))
		b := bounds[ids[s]]
		for _, id := range ids[s+1 : e] {
			b = b.Union(bounds[id])
		}
		t.nodes = append(t.nodes, rnode{b: b, start: int32(s), end: int32(e)})
	}
	t.levels = []int{0}
	// Upper levels: the nodes of a level are already spatially ordered, pack them in runs.
	for lo := 0; len(t.nodes)-lo > 1; {
		hi := len(t.nodes)
		t.levels = append(t.levels, hi)
		for s := lo; s < hi; s += rfan {
			e := min(s+rfan, hi)
			b := t.nodes[s].b
			for _, n := range t.nodes[s+1 : e] {
				b = b.Union(n.b)
			}
			t.nodes = append(t.nodes, rnode{b: b, start: int32(s), end: int32(e)})
		}
		lo = hi
	}
	return t
}

// search appends to out the ids of the items whose bound intersects q, in no special order.
func (t *rtree) search(q orb.Bound, out []int32) []int32 {
	if len(t.nodes) == 0 {
		return out
	}
	return t.visit(len(t.nodes)-1, len(t.levels)-1, q, out)
}

func (t *rtree) visit(ni, level int, q orb.Bound, out []int32) []int32 {
	n := &t.nodes[ni]
	if !n.b.Intersects(q) {
		return out
	}
	if level == 0 {
		for i := n.start; i < n.end; i++ {
			if t.ib[i].Intersects(q) {
				out = append(out, t.items[i])
			}
		}
		return out
	}
	for c := n.start; c < n.end; c++ {
		out = t.visit(int(c), level-1, q, out)
	}
	return out
}

func ceilSqrt(n int) int {
	r := 1
	for r*r < n {
		r++
	}
	return r
}
