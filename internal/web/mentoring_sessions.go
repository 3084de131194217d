package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/valid"
)

func mentoringSessionPath(id int64) string { return "/mentoring/sessions/" + strconv.FormatInt(id, 10) }

// mentoringSessionFor reads the session in the path through the relationship gate: anyone but
// the pair gets 404.
func (s *Server) mentoringSessionFor(w http.ResponseWriter, r *http.Request) (*mentoring.Session, *mentoring.Relationship, *auth.User, bool) {
	u := auth.UserFrom(r.Context())
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, nil, nil, false
	}
	x, rel, err := s.mentoring.SessionFor(r.Context(), u.ID, id)
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return nil, nil, nil, false
	}
	return x, rel, u, true
}

type sessionFormView struct {
	R       *mentoring.Relationship
	Action  string
	Modes   []mentoring.Labelled
	Editing bool
	Back    string
}

func sessionForm(in mentoring.SessionInput) url.Values {
	return url.Values{"date": {in.Date}, "time": {in.Time}, "minutes": {in.Minutes}, "mode": {in.Mode}, "location": {in.Location}, "agenda": {in.Agenda}}
}

func sessionInputFrom(f url.Values) mentoring.SessionInput {
	return mentoring.SessionInput{Date: f.Get("date"), Time: f.Get("time"), Minutes: f.Get("minutes"), Mode: f.Get("mode"), Location: f.Get("location"), Agenda: f.Get("agenda")}
}

func (s *Server) renderSessionForm(w http.ResponseWriter, r *http.Request, status int, rel *mentoring.Relationship, u *auth.User, x *mentoring.Session, errs valid.Errors, form url.Values) {
	d := sessionFormView{R: rel, Modes: mentoring.SessionModes, Action: relationshipPath(rel.ID) + "/sessions", Back: relationshipPath(rel.ID)}
	title := "Plan a session"
	if x != nil {
		d.Editing, d.Action, d.Back, title = true, mentoringSessionPath(x.ID), mentoringSessionPath(x.ID), "Change the session"
	}
	s.render(w, r, status, "mentoring-session-form", view{Title: title, Errors: errs, Form: form, Data: d, Crumbs: relationshipCrumbs(rel, u.ID)})
}

// sessionProblems runs the confidentiality check on the agenda (it is emailed, and may name
// someone) and, when that finds something, the area's own checks too, so the form shows every
// problem at once.
func (s *Server) sessionProblems(r *http.Request, rel *mentoring.Relationship, subject string) valid.Errors {
	found := s.confidentiality(r, r.PostForm, map[string]string{"agenda": r.PostForm.Get("agenda")}, subject)
	if !found.Any() {
		return nil
	}
	errs := s.mentoring.CheckSession(rel, sessionInputFrom(r.PostForm))
	for _, e := range found {
		errs.Add(e.Field, e.Message)
	}
	return errs
}

func (s *Server) mentoringSessionNew(w http.ResponseWriter, r *http.Request) {
	rel, u, ok := s.relationshipFor(w, r)
	if !ok {
		return
	}
	if rel.Status != mentoring.StatusActive {
		s.relationshipRefused(w, r, mentoring.ErrRelationshipClosed, relationshipPath(rel.ID))
		return
	}
	s.renderSessionForm(w, r, http.StatusOK, rel, u, nil, nil, url.Values{"minutes": {"60"}})
}

func (s *Server) mentoringSessionCreate(w http.ResponseWriter, r *http.Request) {
	rel, u, ok := s.relationshipFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	// The agenda is emailed and may name someone: the confidentiality check runs first.
	errs := s.sessionProblems(r, rel, "mentoring:"+strconv.FormatInt(rel.ID, 10))
	var x *mentoring.Session
	var err error
	if !errs.Any() {
		x, err = s.mentoring.ScheduleSession(r.Context(), u.ID, rel.ID, sessionInputFrom(r.PostForm), s.relationshipOutbox())
		errors.As(err, &errs)
	}
	switch {
	case errs.Any():
		s.renderSessionForm(w, r, http.StatusUnprocessableEntity, rel, u, nil, errs, r.PostForm)
		return
	case s.relationshipRefused(w, r, err, relationshipPath(rel.ID)):
		return
	case s.failed(w, r, err, mentoring.ErrNotFound):
		return
	}
	_, other := rel.Other(u.ID)
	s.flash(r, "The session is planned. You and "+other+" have each been emailed a calendar invitation.")
	http.Redirect(w, r, mentoringSessionPath(x.ID), http.StatusSeeOther)
}

func (s *Server) mentoringSessionEdit(w http.ResponseWriter, r *http.Request) {
	x, rel, u, ok := s.mentoringSessionFor(w, r)
	if !ok {
		return
	}
	if rel.Status != mentoring.StatusActive {
		s.relationshipRefused(w, r, mentoring.ErrRelationshipClosed, mentoringSessionPath(x.ID))
		return
	}
	if x.Status != mentoring.SessionPlanned {
		s.relationshipRefused(w, r, mentoring.ErrSessionClosed, mentoringSessionPath(x.ID))
		return
	}
	s.renderSessionForm(w, r, http.StatusOK, rel, u, x, nil, sessionForm(mentoring.SessionInputOf(x)))
}

func (s *Server) mentoringSessionUpdate(w http.ResponseWriter, r *http.Request) {
	x, rel, u, ok := s.mentoringSessionFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	errs := s.sessionProblems(r, rel, "mentoring-session:"+strconv.FormatInt(x.ID, 10))
	var err error
	if !errs.Any() {
		err = s.mentoring.RescheduleSession(r.Context(), u.ID, x.ID, sessionInputFrom(r.PostForm), s.relationshipOutbox())
		errors.As(err, &errs)
	}
	switch {
	case errs.Any():
		s.renderSessionForm(w, r, http.StatusUnprocessableEntity, rel, u, x, errs, r.PostForm)
		return
	case s.relationshipRefused(w, r, err, mentoringSessionPath(x.ID)):
		return
	case s.failed(w, r, err, mentoring.ErrNotFound):
		return
	}
	s.flash(r, "The session is saved. If anything changed, you have both been emailed the updated invitation.")
	http.Redirect(w, r, mentoringSessionPath(x.ID), http.StatusSeeOther)
}

func (s *Server) mentoringSessionCancel(w http.ResponseWriter, r *http.Request) {
	x, _, u, ok := s.mentoringSessionFor(w, r)
	if !ok {
		return
	}
	err := s.mentoring.CancelSession(r.Context(), u.ID, x.ID, s.relationshipOutbox())
	if s.relationshipRefused(w, r, err, mentoringSessionPath(x.ID)) || s.failed(w, r, err, mentoring.ErrNotFound) {
		return
	}
	s.flash(r, "The session is cancelled. You have both been emailed a cancellation for your calendars.")
	http.Redirect(w, r, mentoringSessionPath(x.ID), http.StatusSeeOther)
}

func (s *Server) mentoringSessionHeld(w http.ResponseWriter, r *http.Request) {
	x, _, u, ok := s.mentoringSessionFor(w, r)
	if !ok {
		return
	}
	err := s.mentoring.MarkHeld(r.Context(), u.ID, x.ID)
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.flash(r, errs[0].Message+".")
		http.Redirect(w, r, mentoringSessionPath(x.ID), http.StatusSeeOther)
		return
	}
	if s.relationshipRefused(w, r, err, mentoringSessionPath(x.ID)) || s.failed(w, r, err, mentoring.ErrNotFound) {
		return
	}
	s.flash(r, "The session is marked as held. Add your notes below.")
	http.Redirect(w, r, mentoringSessionPath(x.ID)+"#notes", http.StatusSeeOther)
}

type sessionView struct {
	X            *mentoring.Session
	R            *mentoring.Relationship
	IsMentee     bool
	OtherName    string
	Length       string
	Status       string
	ArrangedBy   string
	CanChange    bool
	CanCancel    bool
	CanMarkHeld  bool
	CanCPD       bool
	NotesOpen    bool
	NotesVersion string
	// TheirNotes are the shared notes as the other person saved them while this person was
	// writing: shown beside what this person typed, so nothing is lost.
	Conflict    bool
	TheirNotes  string
	PrivateNote *mentoring.PrivateNote
	NoteSaved   string // when the private note was last saved, UK time
}

func (s *Server) mentoringSessionShow(w http.ResponseWriter, r *http.Request) {
	x, rel, u, ok := s.mentoringSessionFor(w, r)
	if !ok {
		return
	}
	s.mentoringSessionPage(w, r, http.StatusOK, x, rel, u, nil, nil, nil)
}

// mentoringSessionPage shows a session. form holds what was typed into one of its forms when
// that failed; the other form shows what is saved.
func (s *Server) mentoringSessionPage(w http.ResponseWriter, r *http.Request, status int, x *mentoring.Session, rel *mentoring.Relationship, u *auth.User, errs valid.Errors, form url.Values, theirNotes *string) {
	note, err := s.mentoring.MyPrivateNote(r.Context(), u.ID, x.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	_, other := rel.Other(u.ID)
	d := &sessionView{X: x, R: rel, IsMentee: rel.IsMentee(u.ID), OtherName: other, Length: strconv.Itoa(x.Minutes) + " minutes",
		Status:       map[string]string{mentoring.SessionPlanned: "Planned", mentoring.SessionHeld: "Held", mentoring.SessionCancelled: "Cancelled"}[x.Status],
		CanChange:    x.Status == mentoring.SessionPlanned && rel.Status == mentoring.StatusActive,
		CanCancel:    x.Status == mentoring.SessionPlanned && rel.Status == mentoring.StatusActive,
		CanMarkHeld:  x.Status == mentoring.SessionPlanned && x.DateUK() <= time.Now().In(london).Format(time.DateOnly),
		CanCPD:       x.Status == mentoring.SessionHeld && rel.IsMentee(u.ID),
		NotesOpen:    x.Status != mentoring.SessionCancelled,
		NotesVersion: mentoring.NotesVersion(x.SharedNotes), PrivateNote: note}
	if theirNotes != nil {
		d.Conflict, d.TheirNotes = true, *theirNotes
	}
	if note != nil {
		d.NoteSaved = note.UpdatedAt.In(london).Format("2 January 2006 at 15:04")
	}
	switch x.CreatedBy {
	case u.ID:
		d.ArrangedBy = "You"
	case rel.MenteeID, rel.MentorID:
		d.ArrangedBy = other
	}
	if form == nil {
		form = url.Values{}
	}
	if _, typed := form["shared_notes"]; !typed {
		form.Set("shared_notes", x.SharedNotes)
	} else if v := form.Get("version"); v != "" && theirNotes == nil {
		d.NotesVersion = v // keep the version they started from until they save
	}
	if _, typed := form["private_notes"]; !typed && note != nil {
		form.Set("private_notes", note.Body)
	}
	s.render(w, r, status, "mentoring-session", view{Title: "Session on " + x.StartsAt.In(london).Format("Monday 2 January 2006"), Errors: errs, Form: form, Data: d,
		Crumbs: relationshipCrumbs(rel, u.ID)})
}

func (s *Server) mentoringSessionNotes(w http.ResponseWriter, r *http.Request) {
	x, rel, u, ok := s.mentoringSessionFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	notes := r.PostForm.Get("shared_notes")
	// Shared notes may mention a service user: the confidentiality check comes first.
	errs := s.confidentiality(r, r.PostForm, map[string]string{"shared_notes": notes}, "mentoring-session:"+strconv.FormatInt(x.ID, 10))
	var err error
	if !errs.Any() {
		err = s.mentoring.SaveSharedNotes(r.Context(), u.ID, x.ID, notes, r.PostForm.Get("version"))
		errors.As(err, &errs)
	}
	var changed *mentoring.ErrNotesChanged
	if errors.As(err, &changed) {
		_, other := rel.Other(u.ID)
		errs = valid.Errors{{Field: "shared_notes", Message: other + " changed the shared notes while you were writing. Their version is shown above yours: combine them and save again"}}
		x.SharedNotes = changed.Current
		s.mentoringSessionPage(w, r, http.StatusConflict, x, rel, u, errs, r.PostForm, &changed.Current)
		return
	}
	switch {
	case errs.Any():
		s.mentoringSessionPage(w, r, http.StatusUnprocessableEntity, x, rel, u, errs, r.PostForm, nil)
		return
	case s.relationshipRefused(w, r, err, mentoringSessionPath(x.ID)):
		return
	case s.failed(w, r, err, mentoring.ErrNotFound):
		return
	}
	s.flash(r, "The shared notes are saved.")
	http.Redirect(w, r, mentoringSessionPath(x.ID)+"#notes", http.StatusSeeOther)
}

func (s *Server) mentoringSessionPrivate(w http.ResponseWriter, r *http.Request) {
	x, rel, u, ok := s.mentoringSessionFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	_, err := s.mentoring.SavePrivateNote(r.Context(), u.ID, x.ID, r.PostForm.Get("private_notes"))
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.mentoringSessionPage(w, r, http.StatusUnprocessableEntity, x, rel, u, errs, r.PostForm, nil)
		return
	}
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return
	}
	s.flash(r, "Your private notes are saved. Only you can read them.")
	http.Redirect(w, r, mentoringSessionPath(x.ID)+"#private", http.StatusSeeOther)
}

func (s *Server) mentoringSessionInvite(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	data, err := s.mentoring.SessionInvite(r.Context(), u.ID, id, s.cfg.BaseURL)
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="pillars-session-`+strconv.FormatInt(id, 10)+`.ics"`)
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}

func (s *Server) mentoringSessionCPD(w http.ResponseWriter, r *http.Request) {
	x, rel, u, ok := s.mentoringSessionFor(w, r)
	if !ok {
		return
	}
	entryID, err := s.mentoring.SessionToCPD(r.Context(), u.ID, x.ID, s.portfolio)
	var errs valid.Errors
	switch {
	case errors.Is(err, mentoring.ErrMenteeOnly):
		s.flash(r, "Only "+rel.MenteeName+" can turn this session into a CPD entry: it is their learning.")
		http.Redirect(w, r, mentoringSessionPath(x.ID), http.StatusSeeOther)
		return
	case errors.As(err, &errs):
		s.flash(r, "No CPD entry was made: "+errs[0].Message+".")
		http.Redirect(w, r, mentoringSessionPath(x.ID), http.StatusSeeOther)
		return
	case s.failed(w, r, err, mentoring.ErrNotFound):
		return
	}
	s.flash(r, "Here is your draft CPD entry from the session. Finish the reflection in your own words, then save it.")
	http.Redirect(w, r, "/portfolio/entries/"+strconv.FormatInt(entryID, 10)+"/edit", http.StatusSeeOther)
}

type privateNoteView struct {
	Saved string // UK time
	Note  *mentoring.PrivateNote
	X     *mentoring.Session
	R     *mentoring.Relationship
}

// privateNoteFor reads a private note by its id for its author only: to anyone else, the
// other person in the pair included, it does not exist.
func (s *Server) privateNoteFor(w http.ResponseWriter, r *http.Request) (*privateNoteView, *auth.User, bool) {
	u := auth.UserFrom(r.Context())
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, nil, false
	}
	note, err := s.mentoring.PrivateNoteByID(r.Context(), u.ID, id)
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return nil, nil, false
	}
	x, rel, err := s.mentoring.SessionFor(r.Context(), u.ID, note.SessionID)
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return nil, nil, false
	}
	return &privateNoteView{Note: note, X: x, R: rel, Saved: note.UpdatedAt.In(london).Format("2 January 2006 at 15:04")}, u, true
}

func (s *Server) privateNoteShow(w http.ResponseWriter, r *http.Request) {
	d, u, ok := s.privateNoteFor(w, r)
	if !ok {
		return
	}
	s.renderPrivateNote(w, r, http.StatusOK, d, u, nil, url.Values{"private_notes": {d.Note.Body}})
}

func (s *Server) renderPrivateNote(w http.ResponseWriter, r *http.Request, status int, d *privateNoteView, u *auth.User, errs valid.Errors, form url.Values) {
	crumbs := append(relationshipCrumbs(d.R, u.ID), navLink{Label: "Session on " + d.X.StartsAt.In(london).Format("2 January 2006"), Href: mentoringSessionPath(d.X.ID)})
	s.render(w, r, status, "mentoring-session-note", view{Title: "Your private notes", Errors: errs, Form: form, Data: d, Crumbs: crumbs})
}

func (s *Server) privateNoteUpdate(w http.ResponseWriter, r *http.Request) {
	d, u, ok := s.privateNoteFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	err := s.mentoring.UpdatePrivateNote(r.Context(), u.ID, d.Note.ID, r.PostForm.Get("private_notes"))
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.renderPrivateNote(w, r, http.StatusUnprocessableEntity, d, u, errs, r.PostForm)
		return
	}
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return
	}
	s.flash(r, "Your private notes are saved. Only you can read them.")
	http.Redirect(w, r, "/mentoring/notes/"+strconv.FormatInt(d.Note.ID, 10), http.StatusSeeOther)
}
