package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Sharing part of the portfolio: with a named supervisor or mentor, or by an expiring link;
// revocable, every view logged. Access through a share is decided only by
// portfolio.CanViewShared.

// shareEntry shares one entry, with a person or by link, from the entry's page.
func (s *Server) shareEntry(w http.ResponseWriter, r *http.Request) {
	e, ok := s.ownEntry(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	token, err := s.share(r, portfolio.Target{EntryID: e.ID})
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.entryPage(w, r, http.StatusUnprocessableEntity, errs, r.PostForm, "")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if token != "" {
		// The link is shown once, on this page: only its hash is stored.
		s.entryPage(w, r, http.StatusOK, nil, nil, s.cfg.BaseURL+"/shared/"+token)
		return
	}
	s.flash(r, "Shared. They can read the entry and leave feedback, and you can stop sharing at any time.")
	http.Redirect(w, r, "/portfolio/entries/"+strconv.FormatInt(e.ID, 10)+"#sharing", http.StatusSeeOther)
}

// share makes a share from the form: "how" is "person" or "link".
func (s *Server) share(r *http.Request, t portfolio.Target) (string, error) {
	u := auth.UserFrom(r.Context())
	switch r.PostForm.Get("how") {
	case "person":
		return "", s.portfolio.ShareWith(r.Context(), u, t, r.PostForm.Get("viewer"), s.accounts)
	case "link":
		days, err := strconv.Atoi(r.PostForm.Get("days"))
		if err != nil {
			return "", valid.Errors{{Field: "days", Message: "Enter how many days the link works for, as a number"}}
		}
		return s.portfolio.ShareLink(r.Context(), u.ID, t, days)
	}
	return "", valid.Errors{{Field: "how", Message: "Choose whether to share with a person or by a link"}}
}

func (s *Server) revokePortfolioShare(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.portfolio.RevokeShare(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if s.failed(w, r, err, portfolio.ErrNotFound) {
		return
	}
	s.flash(r, "Sharing stopped. The link or person can no longer see it.")
	back := "/portfolio/sharing"
	if p := r.FormValue("back"); p != "" {
		back = safeNext(p)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

type sharingData struct {
	Shares      []portfolio.Share
	Views       []portfolio.View
	Collections []portfolio.Collection
	Entries     []portfolio.Item
	NewLink     string
	MaxDays     int
	Titles      map[int64]string
}

// portfolioSharing is the owner's overview: collections, every share, and the log of views.
func (s *Server) portfolioSharing(w http.ResponseWriter, r *http.Request) {
	s.sharingPage(w, r, http.StatusOK, nil, nil, "")
}

func (s *Server) sharingPage(w http.ResponseWriter, r *http.Request, status int, errs valid.Errors, form url.Values, newLink string) {
	u := auth.UserFrom(r.Context())
	d := &sharingData{NewLink: newLink, MaxDays: portfolio.MaxLinkDays, Titles: map[int64]string{}}
	var err error
	if d.Shares, err = s.portfolio.Shares(r.Context(), u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Views, err = s.portfolio.ViewLog(r.Context(), u.ID, 200); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Collections, err = s.portfolio.Collections(r.Context(), u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	// The newest 100 entries to choose from for a collection.
	for page := 1; page <= 4; page++ {
		res, err := s.portfolio.Search(r.Context(), u.ID, portfolio.Filter{Page: page})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Entries = append(d.Entries, res.Items...)
		if page >= res.Pages {
			break
		}
	}
	for _, it := range d.Entries {
		d.Titles[it.ID] = it.Title
	}
	if form == nil {
		form = url.Values{"days": {"14"}}
	}
	s.render(w, r, status, "portfolio-sharing", view{Title: "Sharing your portfolio", Errors: errs, Form: form, Data: d,
		Crumbs: []navLink{{Label: "Your CPD portfolio", Href: "/portfolio"}}})
}

func (s *Server) createCollection(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	var ids []int64
	for _, v := range r.PostForm["entries"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	_, err := s.portfolio.CreateCollection(r.Context(), auth.UserFrom(r.Context()).ID, r.PostForm.Get("title"), r.PostForm.Get("description"), ids)
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.sharingPage(w, r, http.StatusUnprocessableEntity, errs, r.PostForm, "")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Collection made. You can now share it as one.")
	http.Redirect(w, r, "/portfolio/sharing#collections", http.StatusSeeOther)
}

func (s *Server) deleteCollection(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.portfolio.DeleteCollection(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if s.failed(w, r, err, portfolio.ErrNotFound) {
		return
	}
	s.flash(r, "Collection deleted. Its entries are still in your portfolio.")
	http.Redirect(w, r, "/portfolio/sharing#collections", http.StatusSeeOther)
}

func (s *Server) shareCollection(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	token, err := s.share(r, portfolio.Target{CollectionID: id})
	var errs valid.Errors
	switch {
	case errors.Is(err, portfolio.ErrNotFound):
		s.notFound(w, r)
	case errors.As(err, &errs):
		for i := range errs {
			errs[i].Field = "c" + strconv.FormatInt(id, 10) + "-" + errs[i].Field
		}
		s.sharingPage(w, r, http.StatusUnprocessableEntity, errs, r.PostForm, "")
	case err != nil:
		s.serverError(w, r, err)
	case token != "":
		s.sharingPage(w, r, http.StatusOK, nil, nil, s.cfg.BaseURL+"/shared/"+token)
	default:
		s.flash(r, "Collection shared.")
		http.Redirect(w, r, "/portfolio/sharing", http.StatusSeeOther)
	}
}

// sharedWithMe lists what others share with the signed-in supervisor or mentor.
func (s *Server) portfolioSharedWithMe(w http.ResponseWriter, r *http.Request) {
	items, err := s.portfolio.SharedWithMe(r.Context(), auth.UserFrom(r.Context()).ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "portfolio-shared-list", view{Title: "Portfolio entries shared with you", Data: items})
}

type sharedPageData struct {
	Shared  *portfolio.Shared
	Base    string // where this share's pages live: /portfolio/shared/{id} or /shared/{token}
	Entry   *portfolio.Entry
	Types   []portfolio.Option
	ByEntry map[int64][]portfolio.Comment
	Link    bool
}

// readShare is the reader's view of a share, by a named person (id) or by link (token).
func (s *Server) readShare(w http.ResponseWriter, r *http.Request, status int, errs valid.Errors, form url.Values) {
	actor := auth.UserFrom(r.Context())
	token := r.PathValue("token")
	var id int64
	base := "/shared/" + token
	if token == "" {
		var ok bool
		if id, ok = pathID(r, "id"); !ok {
			s.notFound(w, r)
			return
		}
		base = "/portfolio/shared/" + strconv.FormatInt(id, 10)
	}
	sh, err := s.portfolio.CanViewShared(r.Context(), actor, id, token)
	if s.failed(w, r, err, portfolio.ErrNotFound) {
		return
	}
	entryID, _ := strconv.ParseInt(r.URL.Query().Get("entry"), 10, 64)
	if r.Method == http.MethodPost {
		entryID, _ = strconv.ParseInt(r.PostForm.Get("entry"), 10, 64)
	}
	if sh.EntryID != 0 {
		entryID = 0
	}
	shared, err := s.portfolio.OpenShared(r.Context(), actor, sh, entryID)
	if s.failed(w, r, err, portfolio.ErrNotFound) {
		return
	}
	d := &sharedPageData{Shared: shared, Base: base, ByEntry: map[int64][]portfolio.Comment{}, Link: token != ""}
	if len(shared.Entries) == 1 && (sh.EntryID != 0 || entryID != 0) {
		d.Entry = shared.Entries[0]
	}
	for _, c := range shared.Comments {
		d.ByEntry[c.EntryID] = append(d.ByEntry[c.EntryID], c)
	}
	if d.Types, err = s.portfolio.ActivityTypes(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	title := shared.Title + " (shared by " + shared.OwnerName + ")"
	s.render(w, r, status, "portfolio-shared", view{Title: title, Errors: errs, Form: form, Data: d, NoIndex: true})
}

func (s *Server) readNamedShare(w http.ResponseWriter, r *http.Request) {
	s.readShare(w, r, http.StatusOK, nil, nil)
}

func (s *Server) readLinkShare(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.readShare(w, r, http.StatusOK, nil, nil)
}

// commentOnShare leaves feedback through a share the reader may use.
func (s *Server) commentOnShare(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	actor := auth.UserFrom(r.Context())
	token := r.PathValue("token")
	var id int64
	if token == "" {
		var ok bool
		if id, ok = pathID(r, "id"); !ok {
			s.notFound(w, r)
			return
		}
	}
	sh, err := s.portfolio.CanViewShared(r.Context(), actor, id, token)
	if s.failed(w, r, err, portfolio.ErrNotFound) {
		return
	}
	entryID, _ := strconv.ParseInt(r.PostForm.Get("entry"), 10, 64)
	if sh.EntryID != 0 {
		entryID = sh.EntryID
	}
	errs := s.confidentiality(r, r.PostForm, map[string]string{"body": r.PostForm.Get("body")}, "cpd-share:"+strconv.FormatInt(sh.ID, 10))
	if errs.Any() {
		s.readShare(w, r, http.StatusUnprocessableEntity, errs, r.PostForm)
		return
	}
	err = s.portfolio.AddComment(r.Context(), actor, sh, entryID, r.PostForm.Get("author"), r.PostForm.Get("body"))
	var verrs valid.Errors
	if errors.As(err, &verrs) {
		s.readShare(w, r, http.StatusUnprocessableEntity, verrs, r.PostForm)
		return
	}
	if s.failed(w, r, err, portfolio.ErrNotFound) {
		return
	}
	back := "/portfolio/shared/" + strconv.FormatInt(sh.ID, 10)
	if token != "" {
		back = "/shared/" + token
	}
	if sh.CollectionID != 0 {
		back += "?entry=" + strconv.FormatInt(entryID, 10)
	}
	if actor != nil {
		s.flash(r, "Your feedback has been added.")
	}
	http.Redirect(w, r, back+"#feedback", http.StatusSeeOther)
}
