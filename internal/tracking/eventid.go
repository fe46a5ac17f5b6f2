package tracking

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/plugin"
)

// eventID is what becomes of an event that came with an id.
type eventID struct {
	id    string // the id it is stored under
	retry bool   // already stored for this profile: not processed again
}

// eventIDs decides, for the events that came with an id, whether each is
// new, a retry of a stored event, or must take a new id because the id is
// another profile's event. It answers nil when no event has an id.
func (t *Tracker) eventIDs(ctx context.Context, p *Payload, profile plugin.Profile, res *Result) ([]eventID, error) {
	var out []eventID
	for i := range p.Events {
		id := p.Events[i].ID
		if id == "" {
			continue
		}
		if out == nil {
			out = make([]eventID, len(p.Events))
		}
		if slices.ContainsFunc(p.Events[:i], func(e EventIn) bool { return e.ID == id }) {
			out[i] = eventID{id: id, retry: true}
			res.Warnings = append(res.Warnings, fmt.Sprintf("events[%d]: event id %q is repeated in this request: a retry, not processed again", i, id))
			continue
		}
		d, err := t.st.Event(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			out[i] = eventID{id: id}
		case err != nil:
			return nil, fmt.Errorf("events[%d]: looking up event %q: %w", i, id, err)
		case ownedBy(d, profile):
			out[i] = eventID{id: id, retry: true}
			res.Warnings = append(res.Warnings, fmt.Sprintf("events[%d]: event %q was collected before: a retry, not processed again", i, id))
		default:
			out[i] = eventID{id: domain.NewID()}
			res.Warnings = append(res.Warnings, fmt.Sprintf("events[%d]: event id %q is already taken: the event was stored as %q", i, id, out[i].id))
		}
	}
	return out, nil
}

// ownedBy reports whether a stored event belongs to profile: to its id or
// one of its aliases, or to no profile when profile is nil.
func ownedBy(ev store.Doc, profile plugin.Profile) bool {
	owner := domain.Str(ev, "profile", "id")
	if profile == nil {
		return owner == ""
	}
	if owner == profile.ID() {
		return true
	}
	ids, _ := profile["ids"].([]any)
	return owner != "" && slices.Contains(ids, any(owner))
}

func (p *Payload) hasEventIDs() bool {
	return slices.ContainsFunc(p.Events, func(e EventIn) bool { return e.ID != "" })
}

// clone copies the payload deeply: flows may change the maps of a run's
// events, and a retried run must start from the request as it came.
func (p *Payload) clone() *Payload {
	c := *p
	c.Context = copyMap(p.Context)
	c.Props = copyMap(p.Props)
	c.Request = copyMap(p.Request)
	c.Options = copyMap(p.Options)
	c.Device = copyMap(p.Device)
	c.Events = make([]EventIn, len(p.Events))
	for i, e := range p.Events {
		e.Time = copyMap(e.Time)
		e.Properties = copyMap(e.Properties)
		e.Context = copyMap(e.Context)
		e.Options = copyMap(e.Options)
		if e.Tags != nil {
			e.Tags = notation.DeepCopy(e.Tags).([]any)
		}
		c.Events[i] = e
	}
	return &c
}

func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return notation.DeepCopy(m).(map[string]any)
}
