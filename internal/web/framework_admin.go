package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/valid"
)

func (s *Server) frameworkImportForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "framework-import", view{Title: "Import a framework", Crumbs: []navLink{{Label: "Administration", Href: "/admin"}}})
}

// importProblems turns an import failure into form errors, one per problem, all pointing at the
// document box.
func importProblems(err error) (valid.Errors, bool) {
	var verr *framework.ValidationError
	if errors.As(err, &verr) {
		var errs valid.Errors
		for _, line := range verr.Lines() {
			errs = append(errs, valid.FieldError{Field: "document", Message: line})
		}
		return errs, true
	}
	if errors.Is(err, framework.ErrVersionLocked) {
		return valid.Errors{{Field: "document", Message: strings.TrimPrefix(err.Error(), framework.ErrVersionLocked.Error()+": ")}}, true
	}
	return nil, false
}

func (s *Server) frameworkImport(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(s.cfg.MaxUploadBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		if isTooLarge(err) {
			s.tooLarge(w, r, s.cfg.MaxUploadBytes)
			return
		}
		s.errorPage(w, r, http.StatusBadRequest, "Pillars could not read what you sent", "The upload arrived incomplete. Go back and try again.")
		return
	}
	doc, name := r.FormValue("document"), "pasted text"
	if f, hdr, err := r.FormFile("file"); err == nil {
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if len(b) > 0 {
			doc, name = string(b), hdr.Filename
		}
	}
	// Whatever arrived, by upload or typing, goes back into the box if there is a problem.
	form := url.Values{"document": {doc}}
	var errs valid.Errors
	switch {
	case strings.TrimSpace(doc) == "":
		errs.Add("document", "Choose a framework file (.yaml) or paste its text")
	case !utf8.ValidString(doc):
		errs.Add("document", "The file is not text: a framework file is YAML saved as UTF-8 text")
	}
	if !errs.Any() {
		res, err := s.frameworks.Import(r.Context(), name, []byte(doc), auth.UserFrom(r.Context()).ID, false)
		if problems, ok := importProblems(err); ok {
			errs = problems
		} else if err != nil {
			s.serverError(w, r, err)
			return
		} else {
			switch res.Outcome {
			case "unchanged":
				s.flash(r, fmt.Sprintf("Version %s of %s is already stored with exactly this content. Nothing changed.", res.Framework.Version, res.Framework.Title))
			case "replaced":
				s.flash(r, fmt.Sprintf("Version %s of %s has been updated. No saved data used it yet, so it could be changed in place.", res.Framework.Version, res.Framework.Title))
			default:
				s.flash(r, fmt.Sprintf("Imported version %s of %s. It is now the current version.", res.Framework.Version, res.Framework.Title))
			}
			http.Redirect(w, r, "/frameworks/"+res.Framework.Key, http.StatusSeeOther)
			return
		}
	}
	s.render(w, r, http.StatusUnprocessableEntity, "framework-import", view{Title: "Import a framework", Errors: errs, Form: form, Crumbs: []navLink{{Label: "Administration", Href: "/admin"}}})
}

type levelNamesData struct {
	Key    string
	Title  string
	Levels []levelNameRow
}

type levelNameRow struct {
	Number  int
	Default string
	Field   string
}

func (s *Server) levelNamesPage(w http.ResponseWriter, r *http.Request, status int, form url.Values, errs valid.Errors) {
	d, ok := s.loadFramework(w, r)
	if !ok {
		return
	}
	if len(d.F.Levels) == 0 {
		s.notFound(w, r)
		return
	}
	data := levelNamesData{Key: d.Key, Title: d.F.Title}
	if form == nil {
		form = url.Values{}
		for n, name := range d.LevelNames {
			form.Set("level-"+strconv.Itoa(n), name)
		}
	}
	for _, l := range d.F.Levels {
		data.Levels = append(data.Levels, levelNameRow{Number: l.Number, Default: l.Name, Field: "level-" + strconv.Itoa(l.Number)})
	}
	s.render(w, r, status, "level-names", view{Title: "Rename the levels of " + d.F.Title, Data: data, Form: form, Errors: errs,
		Crumbs: []navLink{{Label: "Administration", Href: "/admin"}}})
}

func (s *Server) levelNamesForm(w http.ResponseWriter, r *http.Request) {
	s.levelNamesPage(w, r, http.StatusOK, nil, nil)
}

func (s *Server) levelNames(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	key := r.PathValue("key")
	f, _, err := s.frameworks.Get(r.Context(), key, "")
	if s.failed(w, r, err, framework.ErrNotFound) {
		return
	}
	names := map[int]string{}
	var errs valid.Errors
	for _, l := range f.Levels {
		field := "level-" + strconv.Itoa(l.Number)
		v := strings.TrimSpace(r.PostForm.Get(field))
		if utf8.RuneCountInString(v) > 80 {
			errs.Add(field, fmt.Sprintf("The name for level %d must be 80 characters or fewer", l.Number))
		}
		names[l.Number] = v
	}
	if errs.Any() {
		s.levelNamesPage(w, r, http.StatusUnprocessableEntity, r.PostForm, errs)
		return
	}
	if err := s.frameworks.SetLevelNames(r.Context(), key, names, auth.UserFrom(r.Context()).ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "The level names have been saved.")
	http.Redirect(w, r, "/frameworks/"+key, http.StatusSeeOther)
}
