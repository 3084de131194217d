package web

import "net/http"

// RecoverPanicsForTest exposes the panic middleware to the external tests.
func (s *Server) RecoverPanicsForTest(h http.Handler) http.Handler { return s.recoverPanics(h) }
