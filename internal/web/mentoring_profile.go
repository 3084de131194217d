package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/valid"
)

type mentorProfileData struct {
	Profile        *mentoring.Profile // nil before the person registers
	Kinds          []mentoring.Labelled
	Accreditations []mentoring.Labelled
	Modes          []mentoring.Labelled
	Regions        []string
	Elements       []elementGroup
	ChosenModes    map[string]bool
	MaxCapacity    int
	Extensions     string
	FileDropped    bool // a file was sent with a form that had problems: it must be chosen again
}

// profileForm is a profile input as the form's values.
func profileForm(in mentoring.ProfileInput) url.Values {
	f := url.Values{"kind": {in.Kind}, "level": {in.Level}, "background": {in.Background}, "accreditation": {in.Accreditation},
		"accreditation_detail": {in.AccreditationDetail}, "fee": {in.Fee}, "region": {in.Region}, "capacity": {in.Capacity},
		"line_manager": {in.LineManager}, "modes": in.Modes, "elements": in.Elements}
	f.Set("charge", "paid")
	if in.Free {
		f.Set("charge", "free")
	}
	f.Set("listed", "no")
	if in.Listed {
		f.Set("listed", "yes")
	}
	return f
}

func (s *Server) renderMentorProfile(w http.ResponseWriter, r *http.Request, status int, p *mentoring.Profile, errs valid.Errors, form url.Values, dropped bool) {
	groups, err := s.mentoringElementGroups(r, form["elements"])
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := &mentorProfileData{Profile: p, Kinds: mentoring.ProfileKinds, Accreditations: mentoring.Accreditations, Modes: mentoring.Modes,
		Regions: mentoring.Regions, Elements: groups, ChosenModes: map[string]bool{}, MaxCapacity: mentoring.MaxCapacity,
		Extensions: mentoring.EvidenceExtensions, FileDropped: dropped}
	for _, m := range form["modes"] {
		d.ChosenModes[m] = true
	}
	title := "Offer mentoring or coaching"
	if p != nil {
		title = "Your mentoring profile"
	}
	s.render(w, r, status, "mentoring-profile", view{Title: title, Errors: errs, Form: form, Data: d,
		Crumbs: []navLink{{Label: "Mentoring", Href: "/mentoring"}}})
}

func (s *Server) mentorProfileForm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := auth.UserFrom(ctx)
	manager, _, err := s.mentoring.LineManager(ctx, u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p, err := s.mentoring.Profile(ctx, u.ID)
	var form url.Values
	switch {
	case err == nil:
		form = profileForm(mentoring.ProfileInputOf(p, manager))
	case errors.Is(err, mentoring.ErrNotFound):
		p = nil
		// A first profile starts listed, free, with the person's own career level.
		form = url.Values{"listed": {"yes"}, "charge": {"free"}, "capacity": {"2"}, "line_manager": {manager}}
		if u.CareerLevel > 0 {
			form.Set("level", strconv.Itoa(u.CareerLevel))
		}
	default:
		s.serverError(w, r, err)
		return
	}
	s.renderMentorProfile(w, r, http.StatusOK, p, nil, form, false)
}

// profileInputFrom reads the profile form.
func profileInputFrom(f url.Values) mentoring.ProfileInput {
	return mentoring.ProfileInput{Kind: f.Get("kind"), Level: f.Get("level"), Background: f.Get("background"),
		Accreditation: f.Get("accreditation"), AccreditationDetail: f.Get("accreditation_detail"), Free: f.Get("charge") != "paid",
		Fee: f.Get("fee"), Modes: f["modes"], Region: f.Get("region"), Capacity: f.Get("capacity"), Listed: f.Get("listed") == "yes",
		Elements: f["elements"], LineManager: f.Get("line_manager")}
}

func (s *Server) saveMentorProfile(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := auth.UserFrom(ctx)
	// The form is multipart when it carries evidence; a plain form is read the same way.
	if err := r.ParseMultipartForm(2 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		if isTooLarge(err) {
			s.tooLarge(w, r, portfolio.MaxFileBytes)
			return
		}
		s.errorPage(w, r, http.StatusBadRequest, "Pillars could not read what you sent", "The form arrived incomplete or garbled. Go back, check it and send it again.")
		return
	}
	in := profileInputFrom(r.PostForm)
	if f, h, err := r.FormFile("evidence"); err == nil {
		data, err := io.ReadAll(io.LimitReader(f, portfolio.MaxFileBytes+1))
		f.Close()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		in.EvidenceName, in.Evidence = h.Filename, data
		if in.EvidenceName == "" {
			in.EvidenceName = "evidence"
		}
	}
	_, err := s.mentoring.SaveProfile(ctx, u.ID, in)
	var errs valid.Errors
	if errors.As(err, &errs) {
		old, perr := s.mentoring.Profile(ctx, u.ID)
		if errors.Is(perr, mentoring.ErrNotFound) {
			old = nil
		} else if perr != nil {
			s.serverError(w, r, perr)
			return
		}
		s.renderMentorProfile(w, r, http.StatusUnprocessableEntity, old, errs, r.PostForm, len(in.Evidence) > 0 && errs.For("evidence") == "")
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	msg := "Your mentoring profile is saved."
	if p, err := s.mentoring.Profile(ctx, u.ID); err == nil && p.Status == mentoring.AccreditationPending {
		msg += " Your accreditation will show once an administrator has checked your evidence."
	}
	s.flash(r, msg)
	http.Redirect(w, r, "/mentoring", http.StatusSeeOther)
}

// ownEvidence sends the person their own accreditation evidence.
func (s *Server) ownEvidence(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	name, ctype, data, err := s.mentoring.Evidence(r.Context(), u, u.ID)
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return
	}
	sendFile(w, name, ctype, data)
}
