// Package identity decides when profiles are one person and merges them:
// the merge keys a profile holds (hashed contact ids such as "emm-...",
// and keys asked for by identification points and the merge_profiles
// plugin), and the rule that folds several profiles into one without
// losing anything (see Merge and docs/data-model.md).
package identity

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tracflow/tracflow/internal/domain"
	"github.com/tracflow/tracflow/internal/notation"
)

// MaxConflicts bounds the conflicts Merge records on the survivor
// (metadata.merge.conflicts keeps the newest ones).
const MaxConflicts = 100

// Order sorts profiles into merge order: the oldest first (by
// metadata.time.insert, then by id). The first one survives: every
// process merging the same profiles picks the same survivor.
func Order(profiles []map[string]any) {
	sort.SliceStable(profiles, func(i, j int) bool {
		a, b := domain.Str(profiles[i], "metadata", "time", "insert"), domain.Str(profiles[j], "metadata", "time", "insert")
		if a != b {
			return a < b
		}
		return domain.Str(profiles[i], "id") < domain.Str(profiles[j], "id")
	})
}

// Merge folds profiles (at least one, in Order's order) into a new
// document with the first profile's id. The rule, field by field:
//
//   - id: the first (oldest) profile's; ids: every id and alias of every
//     profile, the merged-away ids included, so they keep finding the
//     survivor.
//   - stats: numbers summed (visits, views, counters), at any depth.
//   - interests: numbers summed per interest.
//   - segments: united (each once, in first-seen order).
//   - metadata.time: insert and create the earliest, update the latest;
//     visit.count summed, visit.current the latest and visit.last the
//     latest of the others; the latest session (visit.session/activity)
//     kept.
//   - everything else (traits, data, consents, aux, ...): objects merged
//     key by key at any depth; lists united; where two profiles hold
//     different plain values at one place, the value of the profile
//     updated last (metadata.time.update) wins and the other is recorded
//     in metadata.merge.conflicts as {field, value, profile}.
//
// Merge does not change its arguments.
func Merge(profiles []map[string]any) map[string]any {
	if len(profiles) == 0 {
		return nil
	}
	// Values are overlaid oldest-updated first, so the last updated wins.
	byUpdate := append([]map[string]any(nil), profiles...)
	sort.SliceStable(byUpdate, func(i, j int) bool {
		return domain.Str(byUpdate[i], "metadata", "time", "update") < domain.Str(byUpdate[j], "metadata", "time", "update")
	})
	m := &merger{}
	out := map[string]any{}
	for _, p := range byUpdate {
		src := notation.DeepCopy(p).(map[string]any)
		pid := domain.Str(p, "id")
		for k, v := range src {
			switch k {
			case "id", "ids", "metadata", "operation", "stats", "interests", "segments":
				continue
			}
			out[k] = m.value(out[k], v, k, pid, out[k] != nil)
		}
	}
	out["id"] = domain.Str(profiles[0], "id")
	out["ids"] = unitedIDs(profiles)
	out["stats"] = sumTree(profiles, "stats")
	out["interests"] = sumTree(profiles, "interests")
	out["segments"] = unitedList(profiles, "segments")
	out["metadata"] = m.metadata(byUpdate)
	out["operation"] = map[string]any{"new": false, "update": true, "segment": false, "merge": []any{}}
	return out
}

type merger struct {
	conflicts []any
}

// value merges src into dst at path; had says dst came from an earlier
// profile.
func (m *merger) value(dst, src any, path, pid string, had bool) any {
	if !had {
		return src
	}
	switch s := src.(type) {
	case map[string]any:
		d, ok := dst.(map[string]any)
		if !ok {
			break
		}
		for k, v := range s {
			old, present := d[k]
			d[k] = m.value(old, v, path+"."+k, pid, present && old != nil)
		}
		return d
	case []any:
		if d, ok := dst.([]any); ok {
			return unite(d, s)
		}
	case nil:
		return dst // a missing value never erases one
	}
	if s, ok := src.(string); ok && s == "" {
		return dst // nor does an empty string
	}
	if !sameJSON(dst, src) {
		m.conflicts = append(m.conflicts, map[string]any{"field": path, "value": dst, "profile": pid})
	}
	return src
}

func (m *merger) metadata(byUpdate []map[string]any) map[string]any {
	md := map[string]any{}
	for _, p := range byUpdate {
		if pm, ok := p["metadata"].(map[string]any); ok {
			md = m.value(md, notation.DeepCopy(pm), "metadata", domain.Str(p, "id"), true).(map[string]any)
		}
	}
	// Those merges' plain conflicts are times, settled below: not recorded.
	m.conflicts = filterConflicts(m.conflicts, "metadata.")
	tm, _ := md["time"].(map[string]any)
	if tm == nil {
		tm = map[string]any{}
		md["time"] = tm
	}
	var inserts, creates, updates, currents, lasts []string
	count := 0.0
	var latestVisit map[string]any
	latestActivity := ""
	for _, p := range byUpdate {
		inserts = appendStr(inserts, domain.Str(p, "metadata", "time", "insert"))
		creates = appendStr(creates, domain.Str(p, "metadata", "time", "create"))
		updates = appendStr(updates, domain.Str(p, "metadata", "time", "update"))
		currents = appendStr(currents, domain.Str(p, "metadata", "time", "visit", "current"))
		lasts = appendStr(lasts, domain.Str(p, "metadata", "time", "visit", "last"))
		v := visitOf(p)
		c, _ := notation.ToFloat(v["count"])
		count += c
		if a, _ := v["activity"].(string); a != "" && a >= latestActivity {
			latestActivity, latestVisit = a, v
		}
	}
	setMin(tm, "insert", inserts)
	setMin(tm, "create", creates)
	setMax(tm, "update", updates)
	visit, _ := tm["visit"].(map[string]any)
	if visit == nil {
		visit = map[string]any{}
		tm["visit"] = visit
	}
	visit["count"] = count
	sort.Strings(currents)
	if n := len(currents); n > 0 {
		visit["current"] = currents[n-1]
		lasts = append(lasts, currents[:n-1]...)
	}
	setMax(visit, "last", lasts)
	if latestVisit != nil {
		visit["session"], visit["activity"] = latestVisit["session"], latestVisit["activity"]
	}
	if len(m.conflicts) > 0 {
		mg, _ := md["merge"].(map[string]any)
		if mg == nil {
			mg = map[string]any{}
			md["merge"] = mg
		}
		prev, _ := mg["conflicts"].([]any)
		all := append(prev, m.conflicts...)
		if len(all) > MaxConflicts {
			all = all[len(all)-MaxConflicts:]
		}
		mg["conflicts"] = all
	}
	return md
}

func filterConflicts(list []any, prefix string) []any {
	out := list[:0]
	for _, c := range list {
		if f, _ := c.(map[string]any)["field"].(string); !strings.HasPrefix(f, prefix) {
			out = append(out, c)
		}
	}
	return out
}

func visitOf(p map[string]any) map[string]any {
	md, _ := p["metadata"].(map[string]any)
	tm, _ := md["time"].(map[string]any)
	v, _ := tm["visit"].(map[string]any)
	return v
}

func appendStr(l []string, s string) []string {
	if s == "" {
		return l
	}
	return append(l, s)
}

func setMin(m map[string]any, k string, l []string) {
	if len(l) > 0 {
		sort.Strings(l)
		m[k] = l[0]
	}
}

func setMax(m map[string]any, k string, l []string) {
	if len(l) > 0 {
		sort.Strings(l)
		m[k] = l[len(l)-1]
	}
}

// sumTree adds up the numbers of the profiles' field (an object) at every
// depth; a non-number value is kept as the last profile holding it has it.
func sumTree(profiles []map[string]any, field string) map[string]any {
	out := map[string]any{}
	for _, p := range profiles {
		if m, ok := p[field].(map[string]any); ok {
			addInto(out, notation.DeepCopy(m).(map[string]any))
		}
	}
	return out
}

func addInto(dst, src map[string]any) {
	for k, v := range src {
		switch s := v.(type) {
		case map[string]any:
			if d, ok := dst[k].(map[string]any); ok {
				addInto(d, s)
				continue
			}
		default:
			if f, ok := notation.ToFloat(v); ok {
				if _, isBool := v.(bool); !isBool {
					if g, ok := notation.ToFloat(dst[k]); ok {
						if _, isBool := dst[k].(bool); !isBool {
							dst[k] = f + g
							continue
						}
					}
				}
			}
		}
		if v != nil {
			dst[k] = v
		}
	}
}

func unitedIDs(profiles []map[string]any) []any {
	out := []any{}
	seen := map[string]bool{domain.Str(profiles[0], "id"): true}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for i, p := range profiles {
		if i > 0 {
			add(domain.Str(p, "id"))
		}
		ids, _ := p["ids"].([]any)
		for _, id := range ids {
			s, _ := id.(string)
			add(s)
		}
	}
	return out
}

func unitedList(profiles []map[string]any, field string) []any {
	out := []any{}
	for _, p := range profiles {
		if l, ok := p[field].([]any); ok {
			out = unite(out, notation.DeepCopy(l).([]any))
		}
	}
	return out
}

// unite appends to a the items of b it does not hold yet.
func unite(a, b []any) []any {
	keys := map[string]bool{}
	for _, x := range a {
		keys[jsonKey(x)] = true
	}
	for _, x := range b {
		k := jsonKey(x)
		if !keys[k] {
			keys[k] = true
			a = append(a, x)
		}
	}
	return a
}

func jsonKey(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func sameJSON(a, b any) bool { return jsonKey(a) == jsonKey(b) }
