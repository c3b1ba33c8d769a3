package embedded

import (
	"bytes"
	"errors"

	"github.com/bits-and-blooms/bloom/v3"
	"github.com/cockroachdb/pebble/v2"
)

// idFilter answers "may this event id be stored?" from memory, so the idempotency check of a
// new id (nearly every append) costs no Pebble lookup. It grows as a series of Bloom filters,
// each twice the capacity of the one before, at 1% false positives each: a positive is then
// confirmed with a real lookup, a negative is certain.
type idFilter struct {
	filters []*bloom.BloomFilter
	inLast  uint
	capLast uint
}

const firstFilterCapacity = 1 << 20

func newIDFilter() *idFilter {
	return &idFilter{filters: []*bloom.BloomFilter{bloom.NewWithEstimates(firstFilterCapacity, 0.01)}, capLast: firstFilterCapacity}
}

func (f *idFilter) add(id []byte) {
	if f.inLast >= f.capLast {
		f.capLast *= 2
		f.filters = append(f.filters, bloom.NewWithEstimates(f.capLast, 0.01))
		f.inLast = 0
	}
	f.filters[len(f.filters)-1].Add(id)
	f.inLast++
}

func (f *idFilter) mayContain(id []byte) bool {
	for _, b := range f.filters {
		if b.Test(id) {
			return true
		}
	}
	return false
}

// loadIDFilter fills a filter with every id in the store's id index: one sequential scan at
// open, about a second per few million events.
func loadIDFilter(db *pebble.DB) (*idFilter, error) {
	f := newIDFilter()
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixID}, UpperBound: []byte{prefixID + 1}})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		f.add(it.Key()[1:])
	}
	return f, it.Error()
}

// loadStreamFilter fills a filter with every stream that has events, from the stream index
// (one entry per append, so a stream appended to often is added once per run of entries).
func loadStreamFilter(db *pebble.DB) (*idFilter, error) {
	f := newIDFilter()
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixStream}, UpperBound: []byte{prefixStream + 1}})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var last []byte
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if len(k) < 10 {
			return nil, errors.New("stream index entry damaged")
		}
		name := k[1 : len(k)-9]
		if !bytes.Equal(name, last) {
			f.add(name)
			last = append(last[:0], name...)
		}
	}
	return f, it.Error()
}
