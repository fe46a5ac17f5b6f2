package inbox

// SetBeforeCommit makes the writer call f before it commits each group of
// requests (nil: no longer).
func SetBeforeCommit(s *Service, f func()) {
	if f == nil {
		s.beforeCommit.Store(nil)
		return
	}
	s.beforeCommit.Store(&f)
}
