package destinations

import (
	"encoding/binary"
	"errors"
	"slices"
)

// encodeBatch appends matched deliveries to b in the form decodeBatch
// reads: a count, then per delivery its maximum attempts and six strings,
// each length-prefixed (unsigned varints).
func encodeBatch(b []byte, ps []pending) []byte {
	n := binary.MaxVarintLen64
	for i := range ps {
		p := &ps[i]
		n += 7*binary.MaxVarintLen64 + len(p.d.DestinationID) + len(p.d.Key) + len(p.d.ProfileID) + len(p.d.EventID) + len(p.d.EventType) + len(p.data)
	}
	b = slices.Grow(b, n)
	b = binary.AppendUvarint(b, uint64(len(ps)))
	for i := range ps {
		p := &ps[i]
		b = binary.AppendUvarint(b, uint64(p.maxAttempts))
		for _, s := range [...]string{p.d.DestinationID, p.d.Key, p.d.ProfileID, p.d.EventID, p.d.EventType, p.data} {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	return b
}

var errBadBatch = errors.New("destinations: a malformed batch of deliveries")

// decodeBatch reads what encodeBatch wrote.
func decodeBatch(b []byte) ([]pending, error) {
	next := func() (uint64, bool) {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return 0, false
		}
		b = b[k:]
		return v, true
	}
	str := func() (string, bool) {
		n, ok := next()
		if !ok || n > uint64(len(b)) {
			return "", false
		}
		s := string(b[:n])
		b = b[n:]
		return s, true
	}
	count, ok := next()
	if !ok || count > uint64(len(b)) { // every delivery takes 7 bytes at least
		return nil, errBadBatch
	}
	ps := make([]pending, count)
	for i := range ps {
		p := &ps[i]
		ma, ok := next()
		if !ok || ma > MaxMaxAttempts {
			return nil, errBadBatch
		}
		p.maxAttempts = int(ma)
		for _, dst := range [...]*string{&p.d.DestinationID, &p.d.Key, &p.d.ProfileID, &p.d.EventID, &p.d.EventType, &p.data} {
			if *dst, ok = str(); !ok {
				return nil, errBadBatch
			}
		}
		if p.d.DestinationID == "" || p.d.Key == "" {
			return nil, errBadBatch
		}
	}
	if len(b) != 0 {
		return nil, errBadBatch
	}
	return ps, nil
}
