package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/citation"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

type option struct{ Value, Label string }

type directoryListData struct {
	Results   *directory.Results
	Query     url.Values // the filter, for page and export links
	Filtered  bool
	Providers []string
	Elements  []elementGroup
	Formats   []option
	Costs     []option
	Kinds     []option
	Moderator bool
}

var directoryFormats = []option{{"online", "Online"}, {"blended", "Blended"}, {"in-person", "In person"}}
var directoryCosts = []option{{"free", "Free"}, {"10000", "Up to £100"}, {"100000", "Up to £1,000"}, {"paid", "Paid"}}
var directoryKinds = []option{{"courses", "Programmes and courses"}, {"resources", "Resources to read"}, {"organisations", "Organisations and schemes"}}

// directoryElements lists the elements an item can develop, for the filter and the suggestion form.
func (s *Server) directoryElements(r *http.Request) []elementGroup {
	groups, _ := s.tagGroups(r, nil)
	return groups
}

func (s *Server) directoryList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// A search form sends every field, most of them empty: send the browser to the address
	// without them, so the address bar holds a short link worth sharing.
	clean, empty := url.Values{}, false
	for k, vs := range q {
		for _, v := range vs {
			if strings.TrimSpace(v) == "" {
				empty = true
			} else {
				clean.Add(k, v)
			}
		}
	}
	if empty {
		target := "/directory"
		if len(clean) > 0 {
			target += "?" + clean.Encode()
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	f := directory.FilterFrom(q)
	d := &directoryListData{Query: f.Values(), Formats: directoryFormats, Costs: directoryCosts, Kinds: directoryKinds,
		Elements: s.directoryElements(r), Moderator: directory.CanModerate(auth.UserFrom(r.Context()))}
	d.Filtered = len(d.Query) > 0
	status := http.StatusOK
	var errs valid.Errors
	var err error
	d.Results, err = s.directory.Search(r.Context(), f)
	if errors.As(err, &errs) {
		status = http.StatusUnprocessableEntity
		d.Results = &directory.Results{Page: 1, Pages: 1}
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Providers, err = s.directory.Providers(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "directory", view{Title: "Directory", Errors: errs, Form: q, Data: d})
}

func (s *Server) directoryShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	e, err := s.directory.Get(r.Context(), id)
	if errors.Is(err, directory.ErrNotFound) {
		s.notFound(w, r)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "directory-item", view{Title: e.Title, Data: e, Crumbs: []navLink{{Label: "Directory", Href: "/directory"}}})
}

type suggestData struct {
	Kinds    []directory.KindOption
	Formats  []option
	Elements []elementGroup
	Levels   []int
	Chosen   map[string]bool // levels ticked
}

func (s *Server) suggestView(r *http.Request, errs valid.Errors, form url.Values) view {
	d := suggestData{Kinds: directory.SuggestKinds, Formats: directoryFormats, Elements: s.directoryElements(r), Chosen: map[string]bool{}}
	for i := 1; i <= directory.Levels; i++ {
		d.Levels = append(d.Levels, i)
	}
	for _, l := range form["levels"] {
		d.Chosen[l] = true
	}
	return view{Title: "Suggest something for the directory", Errors: errs, Form: form, Data: d, Crumbs: []navLink{{Label: "Directory", Href: "/directory"}}}
}

func (s *Server) suggestForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "directory-suggest", s.suggestView(r, nil, url.Values{}))
}

// inputFrom reads the suggestion form.
func inputFrom(f url.Values) directory.Input {
	in := directory.Input{Kind: f.Get("kind"), Title: f.Get("title"), Provider: f.Get("provider"), Summary: f.Get("summary"),
		Format: f.Get("format"), Hours: f.Get("hours"), Cost: f.Get("cost"), Free: f.Get("free") == "yes", URL: f.Get("url"),
		Authors: f.Get("authors"), Year: f.Get("year"), Journal: f.Get("journal"), DOI: f.Get("doi"), Levels: f["levels"],
		ConfirmDuplicate: f.Get("confirm_duplicate") == "yes"}
	if el := f.Get("element"); el != "" {
		in.Elements = []string{el}
	}
	return in
}

func (s *Server) suggest(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	_, err := s.directory.Suggest(r.Context(), u.ID, inputFrom(r.PostForm))
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.render(w, r, http.StatusUnprocessableEntity, "directory-suggest", s.suggestView(r, errs, r.PostForm))
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Thank you: your suggestion will be checked by a moderator before it is listed. If it is not added, you will get an email saying why.")
	http.Redirect(w, r, "/directory", http.StatusSeeOther)
}

type moderationData struct {
	Pending []*directory.Entry
}

// moderator answers 403 itself unless the person may moderate the directory.
func (s *Server) moderator(w http.ResponseWriter, r *http.Request) (*auth.User, bool) {
	u := auth.UserFrom(r.Context())
	if !directory.CanModerate(u) {
		s.errorPage(w, r, http.StatusForbidden, "You cannot see this page",
			"The directory's moderation queue is for site administrators and programme leads.")
		return nil, false
	}
	return u, true
}

func (s *Server) renderModeration(w http.ResponseWriter, r *http.Request, status int, errs valid.Errors, form url.Values) {
	pending, err := s.directory.Pending(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "directory-moderation", view{Title: "Directory suggestions", Errors: errs, Form: form, Data: moderationData{Pending: pending},
		Crumbs: []navLink{{Label: "Directory", Href: "/directory"}}})
}

func (s *Server) moderation(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.moderator(w, r); !ok {
		return
	}
	s.renderModeration(w, r, http.StatusOK, nil, url.Values{})
}

// suffixed moves problems to fields named for one queue item, so the error summary links to
// that item's field among several.
func suffixed(errs valid.Errors, id int64) valid.Errors {
	out := make(valid.Errors, len(errs))
	for i, e := range errs {
		e.Field = fmt.Sprintf("%s-%d", e.Field, id)
		out[i] = e
	}
	return out
}

func (s *Server) approveSuggestion(w http.ResponseWriter, r *http.Request) {
	u, ok := s.moderator(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	id, _ := pathID(r, "id")
	e, err := s.directory.PendingEntry(r.Context(), id)
	if errors.Is(err, directory.ErrNotFound) {
		s.notFound(w, r)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	in := directory.InputOf(e)
	in.Title, in.Summary, in.URL = r.PostForm.Get("title"), r.PostForm.Get("summary"), r.PostForm.Get("url")
	_, err = s.directory.Approve(r.Context(), u.ID, id, in)
	var errs valid.Errors
	if errors.As(err, &errs) {
		form := url.Values{}
		for _, k := range []string{"title", "summary", "url"} {
			form.Set(fmt.Sprintf("%s-%d", k, id), r.PostForm.Get(k))
		}
		s.renderModeration(w, r, http.StatusUnprocessableEntity, suffixed(errs, id), form)
		return
	} else if errors.Is(err, directory.ErrNotFound) {
		s.notFound(w, r)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, fmt.Sprintf("%q is now listed in the directory.", in.Title))
	http.Redirect(w, r, "/directory/moderation", http.StatusSeeOther)
}

// emailInTx is the directory's hook for sending an email with the change that calls for it.
func (s *Server) emailInTx() directory.Notify {
	return func(ctx context.Context, tx *store.Tx, m mail.Message) error {
		return s.queue.EnqueueTx(ctx, tx, jobs.EmailArgs{Message: m}, time.Time{})
	}
}

func (s *Server) declineSuggestion(w http.ResponseWriter, r *http.Request) {
	u, ok := s.moderator(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	id, _ := pathID(r, "id")
	err := s.directory.Decline(r.Context(), u.ID, id, r.PostForm.Get("reason"), s.emailInTx())
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.renderModeration(w, r, http.StatusUnprocessableEntity, suffixed(errs, id), url.Values{fmt.Sprintf("reason-%d", id): {r.PostForm.Get("reason")}})
		return
	} else if errors.Is(err, directory.ErrNotFound) {
		s.notFound(w, r)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "The suggestion was declined and the person who made it has been sent your reason.")
	http.Redirect(w, r, "/directory/moderation", http.StatusSeeOther)
}

func (s *Server) directoryExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := directory.FilterFrom(r.URL.Query())
		var buf bytes.Buffer
		var err error
		ctype, name := "application/x-bibtex; charset=utf-8", "pillars-directory.bib"
		if format == "ris" {
			ctype, name = "application/x-research-info-systems; charset=utf-8", "pillars-directory.ris"
			err = s.directory.ExportRIS(r.Context(), &buf, f)
		} else {
			err = s.directory.ExportBibTeX(r.Context(), &buf, f)
		}
		var errs valid.Errors
		if errors.As(err, &errs) {
			s.errorPage(w, r, http.StatusUnprocessableEntity, "Pillars cannot export this search", errs[0].Message+". Go back and change the search.")
			return
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		_, _ = w.Write(buf.Bytes())
	}
}

func (s *Server) directoryImport(w http.ResponseWriter, r *http.Request) {
	u, ok := s.moderator(w, r)
	if !ok {
		return
	}
	fail := func(msg string) {
		s.renderModeration(w, r, http.StatusUnprocessableEntity, valid.Errors{{Field: "file", Message: msg}}, url.Values{})
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		if isTooLarge(err) {
			s.tooLarge(w, r, citation.MaxFileBytes)
			return
		}
		fail("Choose a BibTeX (.bib) or RIS (.ris) file to import")
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		fail("Choose a BibTeX (.bib) or RIS (.ris) file to import")
		return
	}
	defer f.Close()
	doc, err := io.ReadAll(io.LimitReader(f, citation.MaxFileBytes+1))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	trimmed := strings.TrimLeft(string(doc), " \t\r\n\ufeff")
	var refs []citation.Reference
	switch {
	case trimmed == "":
		fail("The file is empty: choose the file again")
		return
	case strings.HasPrefix(trimmed, "@") || strings.HasPrefix(trimmed, "%"):
		refs, err = citation.ParseBibTeX(bytes.NewReader(doc))
	default:
		refs, err = citation.ParseRIS(bytes.NewReader(doc))
	}
	var errs valid.Errors
	if err == nil {
		var res *directory.Imported
		res, err = s.directory.ImportCitations(r.Context(), u.ID, refs)
		if err == nil {
			msg := fmt.Sprintf("%d %s added to the directory.", res.Added, pluralWords(res.Added, "resource was", "resources were"))
			if len(res.Duplicates) > 0 {
				msg += fmt.Sprintf(" %d already listed (the same DOI or link) and not added again: %s.", len(res.Duplicates), strings.Join(res.Duplicates, "; "))
			}
			s.flash(r, msg)
			http.Redirect(w, r, "/directory/moderation", http.StatusSeeOther)
			return
		}
	}
	if errors.As(err, &errs) {
		for i := range errs {
			errs[i].Field = "file"
		}
		s.renderModeration(w, r, http.StatusUnprocessableEntity, errs, url.Values{})
		return
	}
	s.serverError(w, r, err)
}

func pluralWords(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// directoryPageLink is a directory page's address for another page, keeping the filters.
func directoryPageLink(q url.Values, page int) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	v.Set("page", strconv.Itoa(page))
	return "/directory?" + v.Encode()
}
