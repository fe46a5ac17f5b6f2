package plugin

import (
	"encoding/json"
	"time"
)

// ThresholdsKey is where a profile keeps the values that value thresholds
// (If's "trigger once", a node's run_once) last let pass: profile
// aux.thresholds.<key> = {"value": ..., "expires": unix seconds or null}.
const ThresholdsKey = "thresholds"

// PassThreshold is Tracardi's value threshold: it reports whether value
// differs from the value that last passed under key for this profile. The
// first value passes; a value equal to the remembered one does not (until
// ttl, when positive, has passed since it was remembered); a different value
// passes and is remembered. The memory lives in the profile, so it is saved
// with it. An event without a profile has nothing to remember by: every
// value passes.
func (s *State) PassThreshold(key string, value any, ttl time.Duration, now time.Time) bool {
	if s.Profile == nil {
		return true
	}
	cur, err := json.Marshal(value)
	if err != nil {
		return true
	}
	aux, ok := s.Profile["aux"].(map[string]any)
	if !ok {
		aux = map[string]any{}
		s.Profile["aux"] = aux
	}
	all, ok := aux[ThresholdsKey].(map[string]any)
	if !ok {
		all = map[string]any{}
		aux[ThresholdsKey] = all
	}
	if last, ok := all[key].(map[string]any); ok {
		exp, hasExp := last["expires"].(float64)
		expired := hasExp && float64(now.Unix()) >= exp
		if prev, err := json.Marshal(last["value"]); err == nil && string(prev) == string(cur) && !expired {
			return false
		}
	}
	var stored any
	_ = json.Unmarshal(cur, &stored)
	rec := map[string]any{"value": stored, "expires": nil}
	if ttl > 0 {
		rec["expires"] = float64(now.Add(ttl).Unix())
	}
	all[key] = rec
	return true
}

// PassThreshold is State.PassThreshold keyed by this node (and name, which
// tells apart several thresholds of one node).
func (r *ActionRunner) PassThreshold(name string, value any, ttl time.Duration) bool {
	key := r.Node.ID
	if r.Flow != nil {
		key = r.Flow.ID + "/" + key
	}
	if name != "" {
		key += "/" + name
	}
	return r.State.PassThreshold(key, value, ttl, time.Now())
}
