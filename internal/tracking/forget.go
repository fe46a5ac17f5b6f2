package tracking

// ForgetSessions drops sessions from the cache; call it when they are
// deleted outside the tracker (with their profile), so that a tracker that
// sends one of their ids again gets a new session rather than the cached
// copy of the deleted one.
func (t *Tracker) ForgetSessions(ids ...string) {
	if t.cache == nil {
		return
	}
	for _, id := range ids {
		t.cache.forgetSession(id)
	}
}
