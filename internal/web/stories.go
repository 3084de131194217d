package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/stories"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Career stories: browsing, one story, writing and changing one's own, and the moderators'
// queue. Who may see what is stories.CanView, applied by the area in every read.

// storyBodyLimit is the most a story form with its attachment may send: one file and the text.
const storyBodyLimit = stories.MaxAttachmentBytes + 1<<20

// storyUpload reports whether a path takes a story form, which may carry an attachment
// (POST /stories and POST /stories/{id}), so the body limit (limitBody) leaves room for one.
func storyUpload(p string) bool {
	if p == "/stories" {
		return true
	}
	rest, ok := strings.CutPrefix(p, "/stories/")
	if !ok || rest == "" {
		return false
	}
	_, err := strconv.ParseInt(rest, 10, 64)
	return err == nil
}

type storiesListData struct {
	Results    *stories.Results
	Query      url.Values // the filter, for page links
	Filtered   bool
	Mine       []*stories.Story
	Levels     []levelOption
	LevelNames map[int]string
	Settings   []stories.Setting
	Moderator  bool
	PrevLink   string // the pages either side, keeping the filter; "" at either end
	NextLink   string
}

// levelChoices are the career levels with their (possibly relabelled) names, for choices.
func levelChoices(names map[int]string, selected int) []levelOption {
	out := make([]levelOption, 0, stories.Levels)
	for n := 1; n <= stories.Levels; n++ {
		out = append(out, levelOption{Number: n, Name: names[n], Selected: n == selected})
	}
	return out
}

func (s *Server) storiesList(w http.ResponseWriter, r *http.Request) {
	if shortenQuery(w, r) {
		return
	}
	q := r.URL.Query()
	u := auth.UserFrom(r.Context())
	f := stories.FilterFrom(q)
	d := &storiesListData{Query: f.Values(), Settings: stories.Settings, Moderator: stories.CanModerate(u)}
	d.LevelNames = s.careerLevelNames(r)
	d.Levels = levelChoices(d.LevelNames, f.Level)
	d.Filtered = len(d.Query) > 0
	status := http.StatusOK
	var errs valid.Errors
	var err error
	d.Results, err = s.stories.Search(r.Context(), f)
	if errors.As(err, &errs) {
		status = http.StatusUnprocessableEntity
		d.Results = &stories.Results{Page: 1, Pages: 1}
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	if p := d.Results.Page; p > 1 {
		d.PrevLink = storiesPageLink(d.Query, min(p-1, d.Results.Pages))
	}
	if p := d.Results.Page; p < d.Results.Pages {
		d.NextLink = storiesPageLink(d.Query, p+1)
	}
	if d.Mine, err = s.stories.Mine(r.Context(), u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "stories", view{Title: "Career stories", Errors: errs, Form: q, Data: d})
}

// shortenQuery sends the browser to the same page without a filter form's empty fields, so the
// address bar holds a short link worth sharing (as the directory does). It reports whether it
// answered the request.
func shortenQuery(w http.ResponseWriter, r *http.Request) bool {
	clean, empty := url.Values{}, false
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			if strings.TrimSpace(v) == "" {
				empty = true
			} else {
				clean.Add(k, v)
			}
		}
	}
	if !empty {
		return false
	}
	target := r.URL.Path
	if len(clean) > 0 {
		target += "?" + clean.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return true
}

// storiesPageLink is the browse page's address for another page, keeping the filter.
func storiesPageLink(q url.Values, page int) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	v.Set("page", strconv.Itoa(page))
	return "/stories?" + v.Encode() + "#results"
}

type storyData struct {
	Story     *stories.Story
	LevelName string
	Author    bool
	Moderator bool   // may publish or decline it (stories.CanDecide)
	QueueLink string // where it is in the moderator's queue
}

func (s *Server) showStory(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := auth.UserFrom(r.Context())
	st, err := s.stories.Get(r.Context(), u, id)
	if s.failed(w, r, err, stories.ErrNotFound) {
		return
	}
	d := storyData{Story: st, LevelName: s.careerLevelNames(r)[st.Level], Author: st.IsAuthor(u), Moderator: stories.CanDecide(u, st)}
	if d.Moderator {
		page, err := s.stories.QueuePage(r.Context(), u, st.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.QueueLink = storyQueueLink(page) + "#story-" + strconv.FormatInt(st.ID, 10)
	}
	s.render(w, r, http.StatusOK, "story", view{Title: st.DisplayName + ": " + st.Role, Data: d,
		Crumbs: []navLink{{Label: "Career stories", Href: "/stories"}}})
}

func (s *Server) storyAttachment(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	a, data, err := s.stories.AttachmentData(r.Context(), auth.UserFrom(r.Context()), id)
	if s.failed(w, r, err, stories.ErrNotFound) {
		return
	}
	sendFile(w, a.Name, a.ContentType, data)
}

type storyFormData struct {
	Story      *stories.Story // nil for a new story
	Action     string
	Levels     []levelOption
	Settings   []stories.Setting
	Accept     string
	MaxFile    string
	Attachment *stories.Attachment // the one kept when nothing new is chosen
}

func (s *Server) storyForm(w http.ResponseWriter, r *http.Request, status int, st *stories.Story, form url.Values, errs valid.Errors) {
	level, _ := strconv.Atoi(form.Get("level"))
	d := storyFormData{Story: st, Action: "/stories", Settings: stories.Settings, Accept: stories.AcceptedExtensions,
		MaxFile: portfolio.SizeLabel(stories.MaxAttachmentBytes)}
	d.Levels = levelChoices(s.careerLevelNames(r), level)
	title := "Share your career story"
	crumbs := []navLink{{Label: "Career stories", Href: "/stories"}}
	if st != nil {
		d.Action = "/stories/" + strconv.FormatInt(st.ID, 10)
		d.Attachment = st.Attachment
		title = "Change your career story"
		crumbs = append(crumbs, navLink{Label: st.Role, Href: d.Action})
	}
	s.render(w, r, status, "story-form", view{Title: title, Errors: errs, Form: form, Data: d, Crumbs: crumbs})
}

// storyValues is a story as its form's fields.
func storyValues(in stories.Input) url.Values {
	return url.Values{"display_name": {in.DisplayName}, "role": {in.Role}, "level": {in.Level}, "setting": {in.Setting},
		"path": {in.Path}, "barriers": {in.Barriers}, "enablers": {in.Enablers}, "five_years": {in.FiveYears}, "advice": {in.Advice}}
}

// storyInput reads a story form.
func storyInput(f url.Values) stories.Input {
	return stories.Input{DisplayName: f.Get("display_name"), Role: f.Get("role"), Level: f.Get("level"), Setting: f.Get("setting"),
		Path: f.Get("path"), Barriers: f.Get("barriers"), Enablers: f.Get("enablers"), FiveYears: f.Get("five_years"), Advice: f.Get("advice")}
}

func (s *Server) newStory(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	// Start from what Pillars already knows; the person changes what they like.
	first, _, _ := strings.Cut(strings.TrimSpace(u.Name), " ")
	in := stories.Input{DisplayName: first, Role: u.JobTitle}
	if u.CareerLevel > 0 {
		in.Level = strconv.Itoa(u.CareerLevel)
	}
	s.storyForm(w, r, http.StatusOK, nil, storyValues(in), nil)
}

// readStoryForm parses a story form, which may carry an attachment, and returns the attachment
// (nil when none was chosen) or the problem with it.
func (s *Server) readStoryForm(w http.ResponseWriter, r *http.Request) (*stories.Upload, valid.Errors, bool) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, nil, s.parseForm(w, r)
	}
	if err := r.ParseMultipartForm(4 << 20); err != nil {
		if isTooLarge(err) {
			s.tooLarge(w, r, storyBodyLimit)
			return nil, nil, false
		}
		s.errorPage(w, r, http.StatusBadRequest, "Pillars could not read what you sent", "The form arrived incomplete or garbled. Go back, check it and send it again.")
		return nil, nil, false
	}
	var errs valid.Errors
	files := r.MultipartForm.File["attachment"]
	if len(files) == 0 || (files[0].Filename == "" && files[0].Size == 0) {
		return nil, nil, true
	}
	fh := files[0]
	if fh.Size > stories.MaxAttachmentBytes {
		// Refused by the size sent, before reading it, with the file's real size in the message.
		return nil, stories.TooLarge(fh.Filename, fh.Size), true
	}
	f, err := fh.Open()
	if err != nil {
		errs.Add("attachment", "The file could not be read: choose it again")
		return nil, errs, true
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, stories.MaxAttachmentBytes+1))
	if err != nil {
		errs.Add("attachment", "The file could not be read: choose it again")
		return nil, errs, true
	}
	return &stories.Upload{Name: fh.Filename, Data: data}, nil, true
}

// storyTextFields are the free-text fields the confidentiality check reads, with the
// attachment's name: a story may mention the people its author has worked with.
func storyTextFields(form url.Values, up *stories.Upload) map[string]string {
	fields := map[string]string{}
	for _, k := range []string{"role", "path", "barriers", "enablers", "five_years", "advice"} {
		fields[k] = form.Get(k)
	}
	if up != nil {
		fields["attachment"] = up.Name
	}
	return fields
}

func (s *Server) createStory(w http.ResponseWriter, r *http.Request) {
	s.saveStory(w, r, nil)
}

func (s *Server) editStory(w http.ResponseWriter, r *http.Request) {
	st, ok := s.ownStory(w, r)
	if !ok {
		return
	}
	s.storyForm(w, r, http.StatusOK, st, storyValues(stories.InputOf(st)), nil)
}

func (s *Server) updateStory(w http.ResponseWriter, r *http.Request) {
	st, ok := s.ownStory(w, r)
	if !ok {
		return
	}
	s.saveStory(w, r, st)
}

// ownStory loads the signed-in person's own story from the path: 404 for anyone else's.
func (s *Server) ownStory(w http.ResponseWriter, r *http.Request) (*stories.Story, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	st, err := s.stories.Own(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if s.failed(w, r, err, stories.ErrNotFound) {
		return nil, false
	}
	return st, true
}

// saveStory checks and stores a new story (st nil) or the author's change to st.
func (s *Server) saveStory(w http.ResponseWriter, r *http.Request, st *stories.Story) {
	up, errs, ok := s.readStoryForm(w, r)
	if !ok {
		return
	}
	u := auth.UserFrom(r.Context())
	form := r.PostForm
	in := storyInput(form)
	subject := "career-story:new"
	if st != nil {
		subject = "career-story:" + strconv.FormatInt(st.ID, 10)
	}
	errs = append(errs, s.confidentiality(r, form, storyTextFields(form, up), subject)...)
	if errs.Any() {
		// Say everything that needs fixing at once, in the form's order.
		_, _, more := stories.Check(in, up)
		s.storyForm(w, r, http.StatusUnprocessableEntity, st, form, stories.InFormOrder(append(errs, more...)))
		return
	}
	var saved *stories.Story
	var err error
	if st == nil {
		saved, err = s.stories.Create(r.Context(), u.ID, in, up)
	} else {
		saved, err = s.stories.Update(r.Context(), u.ID, st.ID, in, up, form.Get("remove_attachment") == "yes")
	}
	var verrs valid.Errors
	if errors.As(err, &verrs) {
		s.storyForm(w, r, http.StatusUnprocessableEntity, st, form, stories.InFormOrder(verrs))
		return
	}
	if s.failed(w, r, err, stories.ErrNotFound) {
		return
	}
	msg := "Thank you for sharing your story. A moderator will read it before it is published, and you will get an email either way."
	if st != nil {
		msg = "Your changes are saved. A moderator will read the story again before it is shown to others."
	}
	s.flash(r, msg)
	http.Redirect(w, r, "/stories/"+strconv.FormatInt(saved.ID, 10), http.StatusSeeOther)
}

func (s *Server) withdrawStory(w http.ResponseWriter, r *http.Request) {
	st, ok := s.ownStory(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		s.render(w, r, http.StatusOK, "story-withdraw", view{Title: "Withdraw your story?", Data: st,
			Crumbs: []navLink{{Label: "Career stories", Href: "/stories"}}})
		return
	}
	err := s.stories.Withdraw(r.Context(), auth.UserFrom(r.Context()).ID, st.ID)
	if s.failed(w, r, err, stories.ErrNotFound) {
		return
	}
	s.flash(r, "Your story has been withdrawn and deleted, with its attachment.")
	http.Redirect(w, r, "/stories", http.StatusSeeOther)
}

// storyDecisionRefused answers a moderation request the area refused: 403 for someone who may
// not moderate, and for a moderator's own story (another moderator reviews it). It reports
// whether it answered.
func (s *Server) storyDecisionRefused(w http.ResponseWriter, r *http.Request, err error, verb string) bool {
	switch {
	case errors.Is(err, stories.ErrNotAllowed):
		s.errorPage(w, r, http.StatusForbidden, "You cannot see this page",
			"Career stories are checked by site administrators and programme leads.")
	case errors.Is(err, stories.ErrOwnStory):
		s.errorPage(w, r, http.StatusForbidden, "You cannot "+verb+" your own story",
			"You cannot "+verb+" your own story: another moderator will review it, and you will get an email when they have.")
	default:
		return false
	}
	return true
}

type storyModerationData struct {
	Queue      *stories.Queue
	LevelNames map[int]string
	PrevLink   string // the pages either side; "" at either end
	NextLink   string
}

// storyQueueLink is the address of a page of the moderation queue.
func storyQueueLink(page int) string {
	if page <= 1 {
		return "/stories/moderation"
	}
	return "/stories/moderation?page=" + strconv.Itoa(page)
}

// queuePage reads the queue's page number from a link or a decision form; 1 when absent.
func queuePage(v string) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

func (s *Server) renderStoryModeration(w http.ResponseWriter, r *http.Request, status int, page int, errs valid.Errors, form url.Values) {
	q, err := s.stories.Pending(r.Context(), auth.UserFrom(r.Context()), page)
	if s.storyDecisionRefused(w, r, err, "") {
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := storyModerationData{Queue: q, LevelNames: s.careerLevelNames(r)}
	if q.Page > 1 {
		d.PrevLink = storyQueueLink(q.Page - 1)
	}
	if q.Page < q.Pages {
		d.NextLink = storyQueueLink(q.Page + 1)
	}
	s.render(w, r, status, "stories-moderation", view{Title: "Career stories waiting", Errors: errs, Form: form,
		Data: d, Crumbs: []navLink{{Label: "Career stories", Href: "/stories"}}})
}

func (s *Server) storyModeration(w http.ResponseWriter, r *http.Request) {
	s.renderStoryModeration(w, r, http.StatusOK, queuePage(r.URL.Query().Get("page")), nil, url.Values{})
}

// storyDecision reads a moderator's form: the story, the revision they read and the page of the
// queue they were on. Whether they may decide is the area's to say (Publish, Decline).
func (s *Server) storyDecision(w http.ResponseWriter, r *http.Request) (*auth.User, int64, int, int, bool) {
	if !s.parseForm(w, r) {
		return nil, 0, 0, 0, false
	}
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, 0, 0, 0, false
	}
	rev, _ := strconv.Atoi(r.PostForm.Get("revision"))
	return auth.UserFrom(r.Context()), id, rev, queuePage(r.PostForm.Get("page")), true
}

// changedSinceRead re-renders the queue saying the author changed the story meanwhile.
func (s *Server) changedSinceRead(w http.ResponseWriter, r *http.Request, page int, id int64) {
	s.renderStoryModeration(w, r, http.StatusConflict, page, valid.Errors{{Field: fmt.Sprintf("story-%d", id),
		Message: "The author changed this story after you opened the page, so nothing was done: read the new version below before deciding"}}, url.Values{})
}

func (s *Server) publishStory(w http.ResponseWriter, r *http.Request) {
	u, id, rev, page, ok := s.storyDecision(w, r)
	if !ok {
		return
	}
	err := s.stories.Publish(r.Context(), u, id, rev, stories.Notify(s.emailInTx()))
	if s.storyDecisionRefused(w, r, err, "publish") {
		return
	}
	if errors.Is(err, stories.ErrChanged) {
		s.changedSinceRead(w, r, page, id)
		return
	}
	if s.failed(w, r, err, stories.ErrNotFound) {
		return
	}
	s.flash(r, "The story is published, and its author has been told.")
	http.Redirect(w, r, storyQueueLink(page), http.StatusSeeOther)
}

func (s *Server) declineStory(w http.ResponseWriter, r *http.Request) {
	u, id, rev, page, ok := s.storyDecision(w, r)
	if !ok {
		return
	}
	err := s.stories.Decline(r.Context(), u, id, rev, r.PostForm.Get("reason"), stories.Notify(s.emailInTx()))
	if s.storyDecisionRefused(w, r, err, "decline") {
		return
	}
	var errs valid.Errors
	switch {
	case errors.As(err, &errs):
		s.renderStoryModeration(w, r, http.StatusUnprocessableEntity, page, suffixed(errs, id), url.Values{fmt.Sprintf("reason-%d", id): {r.PostForm.Get("reason")}})
		return
	case errors.Is(err, stories.ErrChanged):
		s.changedSinceRead(w, r, page, id)
		return
	}
	if s.failed(w, r, err, stories.ErrNotFound) {
		return
	}
	s.flash(r, "The story was not published, and its author has been sent your reason.")
	http.Redirect(w, r, storyQueueLink(page), http.StatusSeeOther)
}
