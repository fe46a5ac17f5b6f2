package workflow

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/internal/tql"
	"github.com/tracflow/tracflow/plugin"
)

// runOnce is a compiled run_once flag: the node runs only when the watched
// value differs from the one it last ran with for this profile (kept in the
// profile by plugin.State.PassThreshold, for ttl when positive).
type runOnce struct {
	value notation.Value // type "value": a reference
	cond  *tql.Condition // type "condition": its result is watched
	ttl   time.Duration
}

func compileRunOnce(ro *runOnceSpec) (*runOnce, *CompileError) {
	const field = "data.spec.run_once"
	o := &runOnce{}
	switch ttl := ro.TTL.(type) {
	case nil:
	case float64:
		if ttl < 0 {
			return nil, &CompileError{Field: field + ".ttl", Message: "must be 0 or more seconds"}
		}
		o.ttl = time.Duration(ttl * float64(time.Second))
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(ttl), 64)
		if err != nil || f < 0 {
			return nil, &CompileError{Field: field + ".ttl", Message: fmt.Sprintf("expected 0 or more seconds, got %q", ttl)}
		}
		o.ttl = time.Duration(f * float64(time.Second))
	default:
		return nil, &CompileError{Field: field + ".ttl", Message: "expected a number of seconds"}
	}
	if strings.TrimSpace(ro.Value) == "" {
		return nil, &CompileError{Field: field + ".value", Message: "is empty: say what to watch, a reference (type value) or a condition (type condition)"}
	}
	switch ro.Type {
	case "", "value":
		v, err := notation.CompileValue(ro.Value)
		if err != nil || !v.IsRef() {
			return nil, &CompileError{Field: field + ".value", Message: fmt.Sprintf("expected a reference such as profile@traits.plan, got %q", ro.Value)}
		}
		o.value = v
	case "condition":
		c, err := tql.Parse(ro.Value)
		if err != nil {
			return nil, &CompileError{Field: field + ".value", Message: err.Error()}
		}
		o.cond = c
	default:
		return nil, &CompileError{Field: field + ".type", Message: fmt.Sprintf("expected value or condition, got %q", ro.Type)}
	}
	return o, nil
}

// pass reports whether the node may run on this payload, and remembers the
// watched value when it may. A missing reference watches null.
func (o *runOnce) pass(st *plugin.State, key string, payload plugin.Payload) (bool, error) {
	sc := &notation.Scope{Payload: payload, Event: map[string]any(st.Event), Profile: map[string]any(st.Profile),
		Session: map[string]any(st.Session), Flow: st.FlowData(), Memory: st.Memory}
	var watched any
	if o.cond != nil {
		ok, err := o.cond.Eval(sc)
		if err != nil {
			return false, err
		}
		watched = ok
	} else {
		v, err := o.value.Resolve(sc)
		if err != nil && !errors.Is(err, notation.ErrMissing) {
			return false, err
		}
		watched = v
	}
	return st.PassThreshold(key, watched, o.ttl, time.Now()), nil
}
