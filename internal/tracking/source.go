package tracking

import "fmt"

// CheckSource answers ErrUnknownSource or ErrDisabledSource (wrapped, with
// the id) when the tracker would refuse events of the source, nil
// otherwise. The asynchronous collector checks a request with it before
// queueing it, so that a refused request is answered at once.
func (t *Tracker) CheckSource(id string) error {
	src, ok := t.cat.Snapshot().Sources[id]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownSource, id)
	}
	if en, ok := src["enabled"].(bool); ok && !en {
		return fmt.Errorf("%w: %q", ErrDisabledSource, id)
	}
	return nil
}

// Asynchronous says whether the source asks for its events to be
// processed asynchronously (its "asynchronous" setting): the collector
// queues them durably and answers before the flows run.
func (t *Tracker) Asynchronous(id string) bool {
	b, _ := t.cat.Snapshot().Sources[id]["asynchronous"].(bool)
	return b
}
