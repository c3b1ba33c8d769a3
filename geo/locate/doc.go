// Package locate finds the areas of a city that contain a point: the grid, community, street
// and district of a WGS84 lon/lat.
//
// # Which area a point belongs to
//
// Every area is tested with the crossing-number rule made half-open and exact:
//
//   - an edge counts for a point p when one of its ends lies strictly north of p and the other
//     does not, and p lies strictly west of the edge;
//   - p is inside a polygon when an odd number of the edges of its rings (outer and holes)
//     count, and inside a multipolygon when it is inside any of its polygons;
//   - the side of an edge is decided with an exact orientation predicate (a float64 filter
//     backed by exact expansion arithmetic), never with a rounded intersection.
//
// This is exactly "p belongs to the area that contains p+(ε, ε²)" for an infinitesimal ε: a
// point on an edge goes to the area on the edge's east side, on an east–west edge to the area
// on its north side, and a vertex to the area just north-east of it. Because the predicate is
// exact, areas that share edges (same vertices on both sides) never both claim a point and
// leave no gaps: a point on a shared edge or vertex belongs to exactly one of them, and a point
// on the city's east or north border belongs to none. Should areas overlap (bad data), the one
// with the lowest code wins.
//
// # How
//
// The finest level the city has (grids, else communities, …) is indexed by a flat lattice of
// buckets over its bound; a bucket lying wholly inside one area answers without any polygon
// test, other buckets list the few areas reaching into them. The parents come from the codes
// (Area.Parent). Should the finest level leave a gap inside a district, the next level out is
// searched, so a point inside the city always gets at least its district.
package locate
