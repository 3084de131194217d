package web

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/privacy"
	"github.com/pillars-ot/pillars/internal/valid"
)

// The CPD portfolio's own pages: the timeline with search and filters, and writing an entry.
// Sharing, the audit pack and import/export are in the files beside this one.

type portfolioListData struct {
	Filter    portfolio.Filter
	Results   *portfolio.Results
	Drafts    []*portfolio.Entry
	Types     []portfolio.Option
	TagGroups []elementGroup
	Standards []portfolio.Option
	Query     url.Values // the filter as a query string, for paging links
	Filtered  bool
	Used      int64
	Limit     int64
}

func filterFrom(q url.Values) portfolio.Filter {
	f := portfolio.Filter{Query: q.Get("q"), Type: q.Get("type"), Standard: q.Get("standard"), From: q.Get("from"), To: q.Get("to")}
	if fw, el, ok := strings.Cut(q.Get("tag"), ":"); ok {
		f.Tag = portfolio.Tag{Framework: fw, Element: el}
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	return f
}

// portfolioHome is the timeline: every saved entry, newest first, or the ones a search finds.
func (s *Server) portfolioHome(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	q := r.URL.Query()
	d := &portfolioListData{Filter: filterFrom(q), Query: url.Values{}, Limit: portfolio.MaxPersonBytes}
	for _, k := range []string{"q", "type", "tag", "standard", "from", "to"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			d.Query.Set(k, v)
			d.Filtered = true
		}
	}
	var err error
	status := http.StatusOK
	var errs valid.Errors
	d.Results, err = s.portfolio.Search(r.Context(), u.ID, d.Filter)
	if errors.As(err, &errs) {
		status = http.StatusUnprocessableEntity
		d.Results = &portfolio.Results{Page: 1, Pages: 1}
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Drafts, err = s.portfolio.Drafts(r.Context(), u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Types, err = s.portfolio.ActivityTypes(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Standards, err = s.portfolio.Standards(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.TagGroups, err = s.tagGroups(r, nil); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Used, err = s.portfolio.StorageUsed(r.Context(), u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "portfolio", view{Title: "Your CPD portfolio", Errors: errs, Form: q, Data: d})
}

// tagGroups lists the elements an entry can be tagged with (portfolio.TagSets), marking chosen ones.
func (s *Server) tagGroups(r *http.Request, chosen map[string]bool) ([]elementGroup, error) {
	var out []elementGroup
	for _, set := range portfolio.TagSets {
		f, _, err := s.frameworks.Get(r.Context(), set.Framework, "")
		if err != nil {
			continue // a framework an administrator removed: nothing to offer
		}
		g := elementGroup{Title: f.Title}
		for _, e := range f.All() {
			if slices.Contains(set.Kinds, e.Kind) {
				v := f.Key + ":" + e.Key
				g.Options = append(g.Options, elementOption{Value: v, Label: e.Title, Checked: chosen[v]})
			}
		}
		out = append(out, g)
	}
	return out, nil
}

type stageField struct {
	Name   string
	Title  string
	Prompt string
}

// fieldFindings are the confidentiality check's findings in one field, shown in place with a
// button that redacts each.
type fieldFindings struct {
	Field    string
	Label    string
	Findings []privacy.Finding
}

type entryFormData struct {
	EntryID   int64
	DraftID   int64
	Action    string
	Models    []portfolio.Model
	Model     *portfolio.Model
	Stages    []stageField
	Types     []portfolio.Option
	TagGroups []elementGroup
	Goals     []plan.Goal
	Entry     *portfolio.Entry
	Findings  []fieldFindings
	Pending   bool
	Kept      bool
	OwnerID   int64
	OwnerTok  string
	Accept    string
	MaxFile   string
}

func (s *Server) entryForm(w http.ResponseWriter, r *http.Request, status int, entry *portfolio.Entry, form url.Values, errs valid.Errors) {
	u := auth.UserFrom(r.Context())
	model := portfolio.ModelByKey(form.Get("model"))
	if model == nil {
		model = &portfolio.Models[0]
		form.Set("model", model.Key)
	}
	d := &entryFormData{Models: portfolio.Models, Model: model, Entry: entry, OwnerID: u.ID, Accept: portfolio.AcceptedExtensions, MaxFile: portfolio.SizeLabel(portfolio.MaxFileBytes)}
	d.DraftID, _ = strconv.ParseInt(form.Get("draft_id"), 10, 64)
	var err error
	if d.OwnerTok, err = s.accounts.FormToken(r.Context(), u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Action = "/portfolio/entries"
	if entry != nil {
		d.EntryID = entry.ID
		d.Action = "/portfolio/entries/" + strconv.FormatInt(entry.ID, 10)
		d.Pending = entry.Pending != nil
	}
	d.Kept = form.Get("kept") == "1"
	for _, st := range model.Stages {
		d.Stages = append(d.Stages, stageField{Name: "stage_" + st.Key, Title: st.Title, Prompt: st.Prompt})
	}
	if d.Types, err = s.portfolio.ActivityTypes(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	chosen := map[string]bool{}
	for _, v := range form["tags"] {
		chosen[v] = true
	}
	if d.TagGroups, err = s.tagGroups(r, chosen); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Goals, err = s.plans.Goals(r.Context(), u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if hasConfidentialProblem(errs) {
		d.Findings = entryFindings(form, model)
	}
	title := "Record CPD"
	if entry != nil {
		title = "Edit: " + entry.Title
		if entry.Title == "" {
			title = "Edit a draft"
		}
	}
	s.render(w, r, status, "entry-form", view{Title: title, Errors: errs, Form: form, Data: d,
		Crumbs: []navLink{{Label: "Your CPD portfolio", Href: "/portfolio"}}})
}

func hasConfidentialProblem(errs valid.Errors) bool {
	for _, e := range errs {
		if strings.HasPrefix(e.Message, confidentialPrefix) {
			return true
		}
	}
	return false
}

// entryTextFields are the free-text fields of an entry the confidentiality check reads.
func entryTextFields(form url.Values, model *portfolio.Model) map[string]string {
	fields := map[string]string{"title": form.Get("title")}
	for _, st := range model.Stages {
		fields["stage_"+st.Key] = form.Get("stage_" + st.Key)
	}
	return fields
}

func entryFindings(form url.Values, model *portfolio.Model) []fieldFindings {
	var out []fieldFindings
	add := func(field, label string) {
		if f := privacy.Check(form.Get(field)); len(f) > 0 {
			out = append(out, fieldFindings{Field: field, Label: label, Findings: f})
		}
	}
	add("title", "Title")
	for _, st := range model.Stages {
		add("stage_"+st.Key, st.Title)
	}
	return out
}

// entryInput reads an entry form.
func entryInput(form url.Values) portfolio.EntryInput {
	in := portfolio.EntryInput{Title: form.Get("title"), StartedOn: form.Get("started_on"), EndedOn: form.Get("ended_on"),
		ActivityType: form.Get("activity_type"), Hours: form.Get("hours"), Model: form.Get("model"), Stages: map[string]string{}}
	if m := portfolio.ModelByKey(in.Model); m != nil {
		for _, st := range m.Stages {
			in.Stages[st.Key] = form.Get("stage_" + st.Key)
		}
	}
	for _, v := range form["tags"] {
		fw, el, _ := strings.Cut(v, ":")
		in.Tags = append(in.Tags, portfolio.Tag{Framework: fw, Element: el})
	}
	in.GoalID, _ = strconv.ParseInt(form.Get("goal_id"), 10, 64)
	return in
}

// entryForm values from a stored entry (or its autosaved pending changes).
func entryValues(in portfolio.EntryInput) url.Values {
	form := url.Values{"title": {in.Title}, "started_on": {in.StartedOn}, "ended_on": {in.EndedOn}, "activity_type": {in.ActivityType},
		"hours": {in.Hours}, "model": {in.Model}}
	for k, v := range in.Stages {
		form.Set("stage_"+k, v)
	}
	for _, t := range in.Tags {
		form.Add("tags", t.Framework+":"+t.Element)
	}
	if in.GoalID != 0 {
		form.Set("goal_id", strconv.FormatInt(in.GoalID, 10))
	}
	return form
}

// goalOwner tells the portfolio whether a development-plan goal is the person's own.
func (s *Server) goalOwner(ctx context.Context, ownerID, goalID int64) bool {
	_, err := s.plans.Goal(ctx, ownerID, goalID)
	return err == nil
}

func (s *Server) newEntry(w http.ResponseWriter, r *http.Request) {
	form := url.Values{"model": {r.URL.Query().Get("model")}}
	if kept := s.takeKeptForm(w, r); kept != nil {
		form = kept
		form.Set("kept", "1")
	}
	s.entryForm(w, r, http.StatusOK, nil, form, nil)
}

// readEntryForm parses an entry form, which may carry evidence files.
func (s *Server) readEntryForm(w http.ResponseWriter, r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(4 << 20); err != nil {
			if isTooLarge(err) {
				s.tooLarge(w, r, evidenceBodyLimit)
				return false
			}
			s.errorPage(w, r, http.StatusBadRequest, "Pillars could not read what you sent", "The form arrived incomplete or garbled. Go back, check it and send it again.")
			return false
		}
		return true
	}
	return s.parseForm(w, r)
}

// uploadedFiles reads the evidence files sent with a form, checking each; a problem keeps the
// rest of the form as typed.
func uploadedFiles(r *http.Request) ([]upload, valid.Errors) {
	var errs valid.Errors
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []upload
	for _, fh := range r.MultipartForm.File["evidence"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		if fh.Size > portfolio.MaxFileBytes {
			errs.Add("evidence", fmt.Sprintf("%q is %s: each file must be %s or smaller. Save a smaller copy, for example a PDF of the pages that matter", portfolio.CleanFilename(fh.Filename), portfolio.SizeLabel(fh.Size), portfolio.SizeLabel(portfolio.MaxFileBytes)))
			continue
		}
		f, err := fh.Open()
		if err != nil {
			errs.Add("evidence", "A file could not be read: choose it again")
			continue
		}
		data, err := io.ReadAll(io.LimitReader(f, portfolio.MaxFileBytes+1))
		f.Close()
		if err != nil {
			errs.Add("evidence", "A file could not be read: choose it again")
			continue
		}
		if _, ferrs := portfolio.CheckFile(fh.Filename, data); ferrs.Any() {
			errs.Add("evidence", ferrs[0].Message)
			continue
		}
		out = append(out, upload{name: fh.Filename, data: data})
	}
	return out, errs
}

type upload struct {
	name string
	data []byte
}

// createEntry saves a new entry (or the draft autosave already made), or does one of the form's
// other buttons: change the model, redact a finding, save as a draft.
func (s *Server) createEntry(w http.ResponseWriter, r *http.Request) {
	if !s.readEntryForm(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	draftID, _ := strconv.ParseInt(r.PostForm.Get("draft_id"), 10, 64)
	var entry *portfolio.Entry
	if draftID != 0 {
		e, err := s.portfolio.Get(r.Context(), u.ID, draftID)
		if err != nil && !errors.Is(err, portfolio.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		if e != nil && e.Status == "draft" {
			entry = e
		}
	}
	s.saveEntry(w, r, entry)
}

func (s *Server) updateEntry(w http.ResponseWriter, r *http.Request) {
	e, ok := s.ownEntry(w, r)
	if !ok {
		return
	}
	if !s.readEntryForm(w, r) {
		return
	}
	s.saveEntry(w, r, e)
}

func (s *Server) saveEntry(w http.ResponseWriter, r *http.Request, entry *portfolio.Entry) {
	u := auth.UserFrom(r.Context())
	form := r.PostForm
	if entry != nil && entry.Status == "draft" {
		form.Set("draft_id", strconv.FormatInt(entry.ID, 10))
	}
	model := portfolio.ModelByKey(form.Get("model"))
	if model == nil {
		s.entryForm(w, r, http.StatusUnprocessableEntity, entry, form, valid.Errors{{Field: "model", Message: "Choose one of the reflective models"}})
		return
	}
	action := form.Get("action")
	if red := form.Get("redact"); red != "" {
		action = "redact"
	}
	switch action {
	case "model":
		// "Use this model": show the chosen model's stages, keeping everything typed. Text in a
		// stage the new model also has stays; the first stage gets any text from the old one.
		s.entryForm(w, r, http.StatusOK, entry, form, nil)
		return
	case "redact":
		field, offset, ok := parseRedact(form.Get("redact"))
		text := form.Get(field)
		if ok && (field == "title" || strings.HasPrefix(field, "stage_")) {
			for _, f := range privacy.Check(text) {
				if f.Offset == offset {
					form.Set(field, privacy.Redact(text, []privacy.Finding{f}))
				}
			}
		}
		errs, _ := privacy.Problems(entryTextFields(form, model))
		status := http.StatusOK
		if errs.Any() {
			status = http.StatusUnprocessableEntity
		}
		s.entryForm(w, r, status, entry, form, errs)
		return
	}
	draft := action == "draft"
	files, errs := uploadedFiles(r)
	if !draft {
		subject := "cpd-entry:new"
		if entry != nil {
			subject = "cpd-entry:" + strconv.FormatInt(entry.ID, 10)
		}
		names := entryTextFields(form, model)
		for i, f := range files {
			names["evidence-name-"+strconv.Itoa(i)] = f.name
		}
		for _, e := range s.confidentiality(r, form, names, subject) {
			if strings.HasPrefix(e.Field, "evidence-name-") {
				e.Field = "evidence"
			}
			errs.Add(e.Field, e.Message)
		}
	}
	in := entryInput(form)
	goals := s.goalOwner
	if errs.Any() {
		// Check the rest too, so the person sees every problem at once.
		if verrs := s.portfolio.Check(r.Context(), u.ID, in, draft, goals); verrs.Any() {
			for _, e := range verrs {
				errs.Add(e.Field, e.Message)
			}
		}
		s.entryForm(w, r, http.StatusUnprocessableEntity, entry, form, errs)
		return
	}
	var err error
	var saved *portfolio.Entry
	if entry == nil {
		saved, err = s.portfolio.Create(r.Context(), u.ID, in, draft, goals)
	} else {
		saved, err = s.portfolio.Update(r.Context(), u.ID, entry.ID, in, draft, goals)
	}
	var verrs valid.Errors
	if errors.As(err, &verrs) {
		s.entryForm(w, r, http.StatusUnprocessableEntity, entry, form, verrs)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if saved == nil { // a saved entry's draft: kept as pending changes
		s.flash(r, "Your changes are kept as a draft. They are not part of the entry until you save it.")
		http.Redirect(w, r, "/portfolio/entries/"+strconv.FormatInt(entry.ID, 10)+"/edit", http.StatusSeeOther)
		return
	}
	for _, f := range files {
		if _, err := s.portfolio.AddFile(r.Context(), u.ID, saved.ID, f.name, f.data); err != nil {
			if errors.As(err, &verrs) {
				form.Set("draft_id", strconv.FormatInt(saved.ID, 10))
				s.entryForm(w, r, http.StatusUnprocessableEntity, saved, entryValues(saved.Input()), verrs)
				return
			}
			s.serverError(w, r, err)
			return
		}
	}
	if draft {
		s.flash(r, "Your draft has been saved. It is not in your timeline or audit pack until you save it as an entry.")
		http.Redirect(w, r, "/portfolio/entries/"+strconv.FormatInt(saved.ID, 10)+"/edit", http.StatusSeeOther)
		return
	}
	s.flash(r, "Your entry has been saved.")
	http.Redirect(w, r, "/portfolio/entries/"+strconv.FormatInt(saved.ID, 10), http.StatusSeeOther)
}

func parseRedact(v string) (field string, offset int, ok bool) {
	field, off, found := strings.Cut(v, "@")
	if !found {
		return "", 0, false
	}
	n, err := strconv.Atoi(off)
	return field, n, err == nil
}

// ownEntry loads the signed-in person's entry named in the path; anyone else's answers 404.
func (s *Server) ownEntry(w http.ResponseWriter, r *http.Request) (*portfolio.Entry, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	e, err := s.portfolio.Get(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if s.failed(w, r, err, portfolio.ErrNotFound) {
		return nil, false
	}
	return e, true
}

type entryPageData struct {
	Entry      *portfolio.Entry
	Model      *portfolio.Model
	TypeLabel  string
	Comments   []portfolio.Comment
	Shares     []portfolio.Share
	Collection []portfolio.Collection
	NewLink    string
	MaxDays    int
	GoalTitle  string
}

func (s *Server) showEntry(w http.ResponseWriter, r *http.Request) {
	s.entryPage(w, r, http.StatusOK, nil, nil, "")
}

func (s *Server) entryPage(w http.ResponseWriter, r *http.Request, status int, errs valid.Errors, form url.Values, newLink string) {
	e, ok := s.ownEntry(w, r)
	if !ok {
		return
	}
	if e.Status == "draft" {
		http.Redirect(w, r, "/portfolio/entries/"+strconv.FormatInt(e.ID, 10)+"/edit", http.StatusSeeOther)
		return
	}
	u := auth.UserFrom(r.Context())
	d := &entryPageData{Entry: e, Model: e.ModelInfo(), NewLink: newLink, MaxDays: portfolio.MaxLinkDays}
	types, err := s.portfolio.ActivityTypes(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.TypeLabel = portfolio.Label(types, e.ActivityType)
	if d.Comments, err = s.portfolio.EntryComments(r.Context(), u.ID, e.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	all, err := s.portfolio.Shares(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, sh := range all {
		if sh.EntryID == e.ID {
			d.Shares = append(d.Shares, sh)
		}
	}
	if e.GoalID != 0 {
		if g, err := s.plans.Goal(r.Context(), u.ID, e.GoalID); err == nil {
			d.GoalTitle = g.Specific
		}
	}
	if form == nil {
		form = url.Values{"days": {"14"}}
	}
	s.render(w, r, status, "entry", view{Title: e.Title, Errors: errs, Form: form, Data: d, Crumbs: []navLink{{Label: "Your CPD portfolio", Href: "/portfolio"}}})
}

func (s *Server) editEntry(w http.ResponseWriter, r *http.Request) {
	e, ok := s.ownEntry(w, r)
	if !ok {
		return
	}
	in := e.Input()
	if e.Pending != nil {
		in = *e.Pending
	}
	form := entryValues(in)
	if e.Status == "draft" {
		form.Set("draft_id", strconv.FormatInt(e.ID, 10))
	}
	if kept := s.takeKeptForm(w, r); kept != nil {
		form = kept
		form.Set("kept", "1")
	}
	s.entryForm(w, r, http.StatusOK, e, form, nil)
}

// autosaveEntry is the htmx endpoint behind "drafts save as you type". A new entry becomes a
// draft on its first autosave; a saved entry keeps the changes apart as pending until the
// person saves. Text the confidentiality check flags is still kept (it is the person's own
// draft, seen by nobody else), and the check runs when they save.
func (s *Server) autosaveEntry(w http.ResponseWriter, r *http.Request) {
	if !s.readEntryForm(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	in := entryInput(r.PostForm)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if id == 0 {
		id, _ = strconv.ParseInt(r.PostForm.Get("draft_id"), 10, 64)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	now := time.Now().In(london).Format("15:04")
	var err error
	created := int64(0)
	if id == 0 {
		var e *portfolio.Entry
		e, err = s.portfolio.Create(r.Context(), u.ID, in, true, nil)
		if e != nil {
			created = e.ID
		}
	} else {
		_, err = s.portfolio.Update(r.Context(), u.ID, id, in, true, nil)
	}
	var errs valid.Errors
	switch {
	case errors.Is(err, portfolio.ErrNotFound):
		// Not this person's entry (or deleted): the same answer as any other record they
		// cannot see. htmx leaves the status line as it was.
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("Not saved: this entry no longer exists. Copy your text before leaving the page."))
	case errors.As(err, &errs):
		_, _ = w.Write([]byte(html.EscapeString("Not saved yet: " + errs[0].Message)))
	case err != nil:
		s.log.Error("autosave entry", "err", err)
		_, _ = w.Write([]byte("Not saved. Use “Save as draft”."))
	default:
		msg := "Draft saved at " + now + "."
		if created != 0 {
			// Tell the form which draft it now is, so the next autosave and the final save
			// update it rather than starting another.
			msg += `<input type="hidden" id="draft_id" name="draft_id" value="` + strconv.FormatInt(created, 10) + `" hx-swap-oob="true">`
		}
		_, _ = w.Write([]byte(msg))
	}
}

func (s *Server) discardPending(w http.ResponseWriter, r *http.Request) {
	e, ok := s.ownEntry(w, r)
	if !ok {
		return
	}
	if err := s.portfolio.DiscardPending(r.Context(), auth.UserFrom(r.Context()).ID, e.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Your unsaved changes have been discarded.")
	http.Redirect(w, r, "/portfolio/entries/"+strconv.FormatInt(e.ID, 10), http.StatusSeeOther)
}

func (s *Server) deleteEntry(w http.ResponseWriter, r *http.Request) {
	e, ok := s.ownEntry(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		s.render(w, r, http.StatusOK, "entry-delete", view{Title: "Delete " + e.Title + "?", Data: e, Crumbs: []navLink{{Label: "Your CPD portfolio", Href: "/portfolio"}}})
		return
	}
	if err := s.portfolio.Delete(r.Context(), auth.UserFrom(r.Context()).ID, e.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "The entry and its evidence have been deleted.")
	http.Redirect(w, r, "/portfolio", http.StatusSeeOther)
}

// addEvidence attaches files to an entry from its page.
func (s *Server) addEvidence(w http.ResponseWriter, r *http.Request) {
	e, ok := s.ownEntry(w, r)
	if !ok {
		return
	}
	if !s.readEntryForm(w, r) {
		return
	}
	files, errs := uploadedFiles(r)
	if len(files) == 0 && !errs.Any() {
		errs.Add("evidence", "Choose a file to add")
	}
	names := map[string]string{}
	for i, f := range files {
		names["evidence-"+strconv.Itoa(i)] = f.name
	}
	for _, pe := range s.confidentiality(r, r.PostForm, names, "cpd-entry:"+strconv.FormatInt(e.ID, 10)) {
		errs.Add("evidence", pe.Message+" (in the file name)")
	}
	if errs.Any() {
		s.entryPage(w, r, http.StatusUnprocessableEntity, errs, r.PostForm, "")
		return
	}
	u := auth.UserFrom(r.Context())
	for _, f := range files {
		if _, err := s.portfolio.AddFile(r.Context(), u.ID, e.ID, f.name, f.data); err != nil {
			var verrs valid.Errors
			if errors.As(err, &verrs) {
				s.entryPage(w, r, http.StatusUnprocessableEntity, verrs, r.PostForm, "")
				return
			}
			s.serverError(w, r, err)
			return
		}
	}
	s.flash(r, "Evidence added.")
	// #evidence-files is the section heading; #evidence is the file input.
	http.Redirect(w, r, "/portfolio/entries/"+strconv.FormatInt(e.ID, 10)+"#evidence-files", http.StatusSeeOther)
}

func (s *Server) downloadEvidence(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f, data, err := s.portfolio.FileData(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if s.failed(w, r, err, portfolio.ErrNotFound) {
		return
	}
	sendFile(w, f.Filename, f.ContentType, data)
}

// sendFile sends a stored file as a download, never to be rendered as a page of this site.
func sendFile(w http.ResponseWriter, name, contentType string, data []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, _ = w.Write(data)
}

func (s *Server) removeEvidence(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := auth.UserFrom(r.Context())
	f, _, err := s.portfolio.FileData(r.Context(), u.ID, id)
	if s.failed(w, r, err, portfolio.ErrNotFound) {
		return
	}
	if err := s.portfolio.RemoveFile(r.Context(), u.ID, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, fmt.Sprintf("%q has been removed.", f.Filename))
	http.Redirect(w, r, "/portfolio/entries/"+strconv.FormatInt(f.EntryID, 10)+"#evidence-files", http.StatusSeeOther)
}

type totalsData struct {
	Totals *portfolio.Totals
}

func (s *Server) portfolioTotals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	if !q.Has("from") && !q.Has("to") {
		from, to = portfolio.DefaultCycle(time.Now())
	}
	t, err := s.portfolio.Totals(r.Context(), auth.UserFrom(r.Context()).ID, from, to)
	var errs valid.Errors
	status := http.StatusOK
	if errors.As(err, &errs) {
		status = http.StatusUnprocessableEntity
		t = &portfolio.Totals{}
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	form := url.Values{"from": {from}, "to": {to}}
	s.render(w, r, status, "portfolio-totals", view{Title: "CPD hours", Errors: errs, Form: form, Data: totalsData{t},
		Crumbs: []navLink{{Label: "Your CPD portfolio", Href: "/portfolio"}}})
}
