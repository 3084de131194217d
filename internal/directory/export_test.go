package directory

// ScoringCurrent reports whether recommendations are served from the in-memory columns.
func ScoringCurrent(s *Service) bool {
	s.scoring.mu.Lock()
	defer s.scoring.mu.Unlock()
	return s.scoring.loaded && !s.scoring.reloading
}
