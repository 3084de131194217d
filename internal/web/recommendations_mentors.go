package web

import (
	"errors"
	"net/http"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/mentoring"
)

// mentorsRecommended is how many mentors the recommendations page lists; /mentoring/find has
// the whole ranking.
const mentorsRecommended = 5

// mentorRecommendation is a mentor on the recommendations page, with why in words.
type mentorRecommendation struct {
	mentoring.Ranked
	Why []string
}

// recommendMentors ranks mentors for the same gaps, budget and region as the page's courses.
// A saved ask (/mentoring/find) says whether they want a mentor or a coach and how they can
// meet; without one, the course format stands in: online means video or phone, in person means
// in person.
func (s *Server) recommendMentors(r *http.Request, u *auth.User, p directory.Profile) ([]mentorRecommendation, error) {
	n := mentoring.Need{Want: "either", BudgetPence: int64(p.BudgetPence), Region: p.Region}
	for _, g := range p.Gaps {
		n.Gaps = append(n.Gaps, mentoring.Gap{Ref: g.Framework + ":" + g.Element, Title: g.Title, Size: g.Size})
	}
	ask, err := s.mentoring.Ask(r.Context(), u.ID)
	switch {
	case err == nil && ask.Status == mentoring.AskOpen:
		n.Want, n.Modes = ask.Want, ask.Modes
		if n.Region == "" {
			n.Region = ask.Region
		}
	case err == nil, errors.Is(err, mentoring.ErrNotFound):
		for _, f := range p.Formats {
			switch f {
			case "online":
				n.Modes = []string{"video", "phone"}
			case "in-person":
				n.Modes = []string{"in-person"}
			}
		}
	default:
		return nil, err
	}
	ranked, err := s.mentoring.RankFor(r.Context(), u.ID, n)
	if errors.Is(err, mentoring.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []mentorRecommendation
	for i := range ranked {
		// A mentor who helps with none of the gaps is not a recommendation for them.
		if len(ranked[i].Working) == 0 {
			continue
		}
		out = append(out, mentorRecommendation{Ranked: ranked[i], Why: ranked[i].Why(n, p.Picked)})
		if len(out) == mentorsRecommended {
			break
		}
	}
	return out, nil
}
