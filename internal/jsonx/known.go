package jsonx

import "reflect"

// Known holds documents already encoded, by identity (the map itself, not
// equal contents), so that an encoder meeting one of them again copies its
// bytes instead of encoding it a second time. The collector hands the
// encodings its store wrote to the destinations this way. The bytes stand
// for a document only while it does not change: fill a Known after the last
// change and use it before the next. The zero value is empty and holds a
// few documents without allocating; a nil *Known knows nothing.
type Known struct {
	few  [8]knownDoc // the first request of a visit writes six
	n    int
	more map[uintptr][]byte // past len(few)
}

type knownDoc struct {
	id  uintptr
	raw []byte
}

// Add records that doc encodes as raw: valid JSON of an object, as this
// package or encoding/json writes doc (its keys in any order).
func (k *Known) Add(doc map[string]any, raw []byte) {
	if k == nil || doc == nil {
		return
	}
	id := mapID(doc)
	for i := range k.n {
		if k.few[i].id == id {
			k.few[i].raw = raw
			return
		}
	}
	if k.n < len(k.few) {
		k.few[k.n] = knownDoc{id, raw}
		k.n++
		return
	}
	if k.more == nil {
		k.more = map[uintptr][]byte{}
	}
	k.more[id] = raw
}

// Len reports how many documents k holds.
func (k *Known) Len() int {
	if k == nil {
		return 0
	}
	return k.n + len(k.more)
}

func (k *Known) lookup(m map[string]any) ([]byte, bool) {
	if k == nil || k.n == 0 {
		return nil, false
	}
	id := mapID(m)
	for i := range k.n {
		if k.few[i].id == id {
			return k.few[i].raw, true
		}
	}
	raw, ok := k.more[id]
	return raw, ok
}

// mapID is a map's identity: the address of its header. The Known's
// holder keeps the documents alive while it is used, so an address is not
// reused meanwhile.
func mapID(m map[string]any) uintptr { return uintptr(reflect.ValueOf(m).UnsafePointer()) }

// AppendSortedKnown is AppendSorted, except that an object k holds is
// written as k holds it (its keys in the order they were written there).
func AppendSortedKnown(dst []byte, v any, k *Known) ([]byte, error) {
	return encoder{sorted: true, known: k}.append(dst, v)
}
