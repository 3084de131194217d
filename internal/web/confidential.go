package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/privacy"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

const confidentialPrefix = privacy.ProblemPrefix

// confirmField is the checkbox a person ticks to save text in which the confidentiality check
// found something that might identify a service user.
const confirmField = "checked_confidential"

// confidentiality checks free text before it is saved, field by field, for anything that could
// identify a service user (HCPC's rule for what practitioners record). Unless the person has
// ticked "I have checked this", each finding becomes a problem on its field, saying what was
// found; the form keeps everything typed. A ticked override is recorded in the audit log (who,
// where, how many findings; never the text).
func (s *Server) confidentiality(r *http.Request, form url.Values, fields map[string]string, subject string) valid.Errors {
	errs, total := privacy.Problems(fields)
	if total == 0 {
		return nil
	}
	if form.Get(confirmField) == "yes" {
		var actor any
		if u := auth.UserFrom(r.Context()); u != nil {
			actor = u.ID
		}
		if _, err := s.db.Exec(r.Context(), `INSERT INTO audit_events (actor_id, action, subject, detail, at) VALUES (?, 'privacy.confirmed', ?, ?, ?)`,
			actor, subject, fmt.Sprintf("%d possible identifiers confirmed", total), store.Now()); err != nil {
			s.log.Error("audit privacy confirmation", "err", err)
		}
		return nil
	}
	return errs
}
