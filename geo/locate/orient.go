package locate

import "math"

// The crossing test needs the sign of a 2×2 determinant to be exact: two polygons that share
// an edge must agree on which side of it a point lies, or a point near a vertex where three
// areas meet can end up in two of them (or none). A float64 evaluation is exact whenever its
// error bound says so (Shewchuk's filter, the common case); otherwise the determinant is
// evaluated exactly with error-free transformations into a fixed-size expansion on the stack,
// so the exact path allocates nothing either.

// epsilon is half an ulp of 1, the unit roundoff of float64.
const epsilon = 1.0 / (1 << 53)

// ccwErrBound is Shewchuk's bound A for orient2d: if |det| exceeds it times the sum of the
// magnitudes of the two products, the floating-point sign is the true sign.
const ccwErrBound = (3.0 + 16.0*epsilon) * epsilon

// orient returns the sign of (b-a)×(p-a): +1 when p lies to the left of the directed line
// a→b, -1 when to the right, 0 when on it, computed exactly.
func orient(ax, ay, bx, by, px, py float64) int {
	left := float64((bx - ax) * (py - ay))
	right := float64((by - ay) * (px - ax))
	det := float64(left - right)
	bound := ccwErrBound * (math.Abs(left) + math.Abs(right))
	if det > bound {
		return 1
	}
	if -det > bound {
		return -1
	}
	return orientExact(ax, ay, bx, by, px, py)
}

// orientExact evaluates (bx-ax)(py-ay) - (by-ay)(px-ax) exactly. Each difference is split into
// an exact two-term sum, each product of two-term sums into four exact two-term products, and
// the 16 resulting terms are summed into a nonoverlapping expansion whose largest component has
// the sign of the whole.
func orientExact(ax, ay, bx, by, px, py float64) int {
	u1, u0 := twoSum(bx, -ax)
	v1, v0 := twoSum(py, -ay)
	w1, w0 := twoSum(by, -ay)
	z1, z0 := twoSum(px, -ax)

	var terms [16]float64
	n := 0
	add := func(a, b float64, neg bool) {
		x, y := twoProd(a, b)
		if neg {
			x, y = -x, -y
		}
		terms[n], terms[n+1] = x, y
		n += 2
	}
	add(u1, v1, false)
	add(u1, v0, false)
	add(u0, v1, false)
	add(u0, v0, false)
	add(w1, z1, true)
	add(w1, z0, true)
	add(w0, z1, true)
	add(w0, z0, true)

	var e [17]float64
	m := 0
	for _, t := range terms {
		m = growExpansion(&e, m, t)
	}
	for i := m - 1; i >= 0; i-- {
		switch {
		case e[i] > 0:
			return 1
		case e[i] < 0:
			return -1
		}
	}
	return 0
}

// growExpansion adds b to the nonoverlapping expansion e[:m] (increasing magnitude) and returns
// the new length; zero components are dropped so the last component is always the largest.
func growExpansion(e *[17]float64, m int, b float64) int {
	q := b
	k := 0
	for i := 0; i < m; i++ {
		var h float64
		q, h = twoSum(q, e[i])
		if h != 0 {
			e[k] = h
			k++
		}
	}
	if q != 0 {
		e[k] = q
		k++
	}
	return k
}

// twoSum returns x = fl(a+b) and the exact error y, a+b = x+y. The explicit conversions keep
// the compiler from fusing the operations (the Go spec allows fusing otherwise).
func twoSum(a, b float64) (x, y float64) {
	x = float64(a + b)
	bv := float64(x - a)
	av := float64(x - bv)
	br := float64(b - bv)
	ar := float64(a - av)
	return x, float64(ar + br)
}

// twoProd returns x = fl(a·b) and the exact error y, a·b = x+y.
func twoProd(a, b float64) (x, y float64) {
	x = float64(a * b)
	return x, math.FMA(a, b, -x)
}
