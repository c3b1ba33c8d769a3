// Package catalog holds what a city's cases are and who handles them, as data rather than
// code: the categories file lists the 数字化城市管理 部件 (parts) and 事件 (events) classes in
// the GB/T 30428 / CJ/T 214 lineage and the 12345 hotline categories, each with a default
// responsible department and a time limit per stage; the routing file lists the departments
// and the rules that refine, by district, street and grid, which department a case goes to.
//
// Both parsers take bytes (the caller reads the files), validate everything and return
// immutable values, so a bad file is refused at start rather than discovered mid-dispatch.
// Every error is a *domain.Error whose Field is the path of the offending YAML field.
package catalog
