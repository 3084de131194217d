package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/valid"
)

// ---- 360 feedback ----

// RoundJSON is one 360 round.
type RoundJSON struct {
	ID           int64   `json:"id"`
	Assessment   int64   `json:"assessment"`
	Title        string  `json:"title"`
	Deadline     string  `json:"deadline"`
	DeadlineDate string  `json:"deadline_date"`
	Status       string  `json:"status"`
	CreatedAt    string  `json:"created_at"`
	ClosedAt     *string `json:"closed_at"`
}

func roundJSON(x *assess.Round) RoundJSON {
	status := "closed"
	if x.Open(time.Now()) {
		status = "open"
	}
	return RoundJSON{ID: x.ID, Assessment: x.AssessmentID, Title: x.Title, Deadline: stamp(x.Deadline), DeadlineDate: x.Deadline.In(london).Format(time.DateOnly),
		Status: status, CreatedAt: stamp(x.CreatedAt), ClosedAt: stampPtr(x.ClosedAt)}
}

// GroupCountJSON is how many were invited and answered in one relationship group.
type GroupCountJSON struct {
	Relationship string `json:"relationship"`
	Label        string `json:"label"`
	Invited      int    `json:"invited"`
}

// LineManagerJSON is the one rater shown by name: line managers are not anonymous.
type LineManagerJSON struct {
	Name     string `json:"name"`
	Answered bool   `json:"answered"`
}

// RoundDetailJSON is a round with what its owner may see of the raters: counts, and the line
// manager by name. Other raters are never named.
type RoundDetailJSON struct {
	RoundJSON
	Invited     int              `json:"invited"`
	Answered    int              `json:"answered"`
	Groups      []GroupCountJSON `json:"groups"`
	LineManager *LineManagerJSON `json:"line_manager"`
}

// ListRounds answers GET /api/v1/feedback.
func (a *API) ListRounds(w http.ResponseWriter, r *http.Request) {
	rounds, err := a.Assess.Rounds(r.Context(), auth.UserFrom(r.Context()).ID)
	if err != nil {
		a.serverError(w, err)
		return
	}
	out := make([]RoundJSON, 0, len(rounds))
	for i := range rounds {
		out = append(out, roundJSON(&rounds[i]))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"rounds": out})
}

// CreateRound answers POST /api/v1/feedback: a 360 round on a submitted self-assessment, with its
// reminder and close scheduled.
func (a *API) CreateRound(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Assessment int64  `json:"assessment"`
		Title      string `json:"title"`
		Deadline   string `json:"deadline"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.Assessment <= 0 {
		Error(w, http.StatusUnprocessableEntity, "invalid", "Name the self-assessment raters are compared with.",
			[]valid.FieldError{{Field: "assessment", Message: "Give the id of one of your submitted self-assessments"}})
		return
	}
	body.Deadline = strings.TrimSpace(body.Deadline)
	deadline, okDate := endOfDay(body.Deadline)
	u := auth.UserFrom(r.Context())
	// With an unreadable date the area gets none, so it refuses and nothing is stored; the
	// message then says what was wrong with the date.
	round, err := a.Assess.CreateRound(r.Context(), u.ID, body.Assessment, body.Title, deadline, jobs.Schedule(a.Queue))
	if err != nil {
		var errs valid.Errors
		if !okDate && body.Deadline != "" && errors.As(err, &errs) {
			for i := range errs {
				if errs[i].Field == "deadline" {
					errs[i].Message = "Enter the deadline as a real date, like 2027-03-31"
				}
			}
			err = errs
		}
		a.fail(w, err, "submitted self-assessment", nil)
		return
	}
	WriteJSON(w, http.StatusCreated, roundJSON(round))
}

func (a *API) loadRound(w http.ResponseWriter, r *http.Request) (*assess.Round, bool) {
	id, ok := pathID(r)
	if !ok {
		notFound(w, "feedback round")
		return nil, false
	}
	round, err := a.Assess.Round(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if err != nil {
		a.fail(w, err, "feedback round", nil)
		return nil, false
	}
	return round, true
}

// GetRound answers GET /api/v1/feedback/{id}.
func (a *API) GetRound(w http.ResponseWriter, r *http.Request) {
	round, ok := a.loadRound(w, r)
	if !ok {
		return
	}
	st, err := a.Assess.Status(r.Context(), round.UserID, round.ID)
	if err != nil {
		a.fail(w, err, "feedback round", nil)
		return
	}
	out := RoundDetailJSON{RoundJSON: roundJSON(round), Invited: st.Invited, Answered: st.Answered, Groups: []GroupCountJSON{}}
	for _, g := range st.Groups {
		out.Groups = append(out.Groups, GroupCountJSON{string(g.Relationship), g.Relationship.Label(), g.Invited})
	}
	if lm := st.LineManager; lm != nil {
		out.LineManager = &LineManagerJSON{Name: lm.Name, Answered: lm.RespondedAt != nil}
	}
	WriteJSON(w, http.StatusOK, out)
}

// InviteRater answers POST /api/v1/feedback/{id}/raters: the rater is emailed a personal link.
// The link's token is never part of the answer.
func (a *API) InviteRater(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name         string `json:"name"`
		Email        string `json:"email"`
		Relationship string `json:"relationship"`
	}
	if !decode(w, r, &body) {
		return
	}
	round, ok := a.loadRound(w, r)
	if !ok {
		return
	}
	inv, err := a.Assess.Invite(r.Context(), auth.UserFrom(r.Context()), round.ID, body.Name, body.Email, assess.Relationship(body.Relationship), jobs.Invite(a.Queue, a.BaseURL))
	if err != nil {
		a.fail(w, err, "feedback round", nil)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"id": inv.Rater.ID, "relationship": string(inv.Rater.Relationship)})
}

// ReportGroupJSON is a column of the report.
type ReportGroupJSON struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	Raters int    `json:"raters"`
}

// GroupMeanJSON is one group's mean on one element, null when too few rated it to show.
type GroupMeanJSON struct {
	Group string   `json:"group"`
	Mean  *float64 `json:"mean"`
}

// ReportRowJSON is one element of the report. Others' figures are null whenever the web report
// would withhold them (fewer than assess.MinGroup ratings).
type ReportRowJSON struct {
	Element    string          `json:"element"`
	Title      string          `json:"title"`
	Self       *int            `json:"self"`
	Groups     []GroupMeanJSON `json:"groups"`
	Others     *float64        `json:"others"`
	Min        *int            `json:"min"`
	Max        *int            `json:"max"`
	Difference *float64        `json:"difference"`
}

// DifferenceJSON is a blind spot or a hidden strength.
type DifferenceJSON struct {
	Element    string  `json:"element"`
	Title      string  `json:"title"`
	Self       int     `json:"self"`
	Others     float64 `json:"others"`
	Difference float64 `json:"difference"`
}

// CommentJSON is one anonymous comment.
type CommentJSON struct {
	Kind string `json:"kind"`
	Body string `json:"body"`
}

// ReportJSON is a round's report as its owner may see it.
type ReportJSON struct {
	Round           RoundJSON         `json:"round"`
	Framework       string            `json:"framework"`
	Version         string            `json:"version"`
	Answered        int               `json:"answered"`
	Pending         bool              `json:"pending"` // the round is open: nothing others said is shown until it closes
	OthersShown     bool              `json:"others_shown"`
	Groups          []ReportGroupJSON `json:"groups"`
	Rows            []ReportRowJSON   `json:"rows"`
	BlindSpots      []DifferenceJSON  `json:"blind_spots"`
	HiddenStrengths []DifferenceJSON  `json:"hidden_strengths"`
	Comments        []CommentJSON     `json:"comments"`
}

func differences(rows []assess.ReportRow) []DifferenceJSON {
	out := make([]DifferenceJSON, 0, len(rows))
	for _, row := range rows {
		out = append(out, DifferenceJSON{row.Element.Key, row.Element.Title, row.Self, row.Others.Mean, row.Diff})
	}
	return out
}

// RoundReport answers GET /api/v1/feedback/{id}/report.
func (a *API) RoundReport(w http.ResponseWriter, r *http.Request) {
	round, ok := a.loadRound(w, r)
	if !ok {
		return
	}
	rep, err := a.Assess.Report(r.Context(), round.UserID, round.ID)
	if err != nil {
		a.fail(w, err, "feedback round", nil)
		return
	}
	out := ReportJSON{Round: roundJSON(rep.Round), Framework: rep.Framework.Key, Version: rep.Framework.Version, Answered: rep.Answered, OthersShown: rep.OthersShown, Pending: rep.Pending,
		Groups: []ReportGroupJSON{}, Rows: []ReportRowJSON{}, BlindSpots: []DifferenceJSON{}, HiddenStrengths: []DifferenceJSON{}, Comments: []CommentJSON{}}
	for _, g := range rep.Groups {
		out.Groups = append(out.Groups, ReportGroupJSON{g.Key, g.Label, g.Raters})
	}
	for _, row := range rep.Rows {
		rj := ReportRowJSON{Element: row.Element.Key, Title: row.Element.Title, Self: optInt(row.Self), Groups: []GroupMeanJSON{}}
		for i, st := range row.Groups {
			gm := GroupMeanJSON{Group: rep.Groups[i].Key}
			if st.Shown {
				m := st.Mean
				gm.Mean = &m
			}
			rj.Groups = append(rj.Groups, gm)
		}
		if row.Others.Shown {
			m := row.Others.Mean
			rj.Others = &m
			if row.Max > 0 { // the spread is withheld below assess.MinSpread ratings
				lo, hi := row.Min, row.Max
				rj.Min, rj.Max = &lo, &hi
			}
			if row.Self > 0 {
				d := row.Diff
				rj.Difference = &d
			}
		}
		out.Rows = append(out.Rows, rj)
	}
	if rep.OthersShown {
		out.BlindSpots, out.HiddenStrengths = differences(rep.BlindSpots()), differences(rep.HiddenStrengths())
		for _, c := range rep.Comments {
			out.Comments = append(out.Comments, CommentJSON{c.Kind, c.Body})
		}
	}
	WriteJSON(w, http.StatusOK, out)
}
