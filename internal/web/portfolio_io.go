package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/leap2a"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/valid"
)

// The person owns their record: the whole portfolio exports as LEAP2A (the UK ePortfolio
// interchange format Mahara and PebblePad use) or JSON, and imports back.

func (s *Server) exportPortfolio(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	a, err := s.portfolio.Snapshot(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	format := r.PathValue("format")
	if format != "leap2a.zip" && format != "json" {
		s.notFound(w, r)
		return
	}
	// The confidentiality check runs again before any export. With findings, the person sees
	// them first and exports only by confirming; the confirmation is recorded, never the text.
	if findings := portfolio.ArchiveFindings(a); len(findings) > 0 {
		if r.URL.Query().Get(confirmField) != "yes" {
			s.render(w, r, http.StatusOK, "portfolio-export-check", view{Title: "Check before you export", Data: exportCheckData{Format: format, Findings: findings},
				Crumbs: []navLink{{Label: "Your CPD portfolio", Href: "/portfolio"}}})
			return
		}
		if _, err := s.db.Exec(r.Context(), `INSERT INTO audit_events (actor_id, action, subject, detail, at) VALUES (?, 'privacy.confirmed', ?, ?, ?)`,
			u.ID, "portfolio-export:"+format, fmt.Sprintf("%d possible identifiers confirmed", len(findings)), time.Now().UTC()); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	var buf bytes.Buffer
	name := "pillars-portfolio-" + time.Now().UTC().Format("2006-01-02")
	contentType := "application/json"
	switch format {
	case "leap2a.zip":
		err = leap2a.Write(&buf, a)
		name += "-leap2a.zip"
		contentType = "application/zip"
	case "json":
		err = portfolio.WriteJSON(&buf, a)
		name += ".json"
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	sendFile(w, name, contentType, buf.Bytes())
}

type exportCheckData struct {
	Format   string
	Findings []portfolio.Finding
}

type importData struct {
	Result *portfolio.ImportResult
	Notes  []string
	Limit  string
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "portfolio-import", view{Title: "Import a portfolio", Data: importData{Limit: portfolio.SizeLabel(portfolio.MaxArchiveBytes)},
		Crumbs: []navLink{{Label: "Your CPD portfolio", Href: "/portfolio"}}})
}

// importPortfolio adds a LEAP2A or JSON export to the person's portfolio, all or nothing.
func (s *Server) importPortfolio(w http.ResponseWriter, r *http.Request) {
	fail := func(errs valid.Errors) {
		s.render(w, r, http.StatusUnprocessableEntity, "portfolio-import", view{Title: "Import a portfolio", Errors: errs,
			Data: importData{Limit: portfolio.SizeLabel(portfolio.MaxArchiveBytes)}, Crumbs: []navLink{{Label: "Your CPD portfolio", Href: "/portfolio"}}})
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		if isTooLarge(err) {
			s.tooLarge(w, r, portfolio.MaxArchiveBytes)
			return
		}
		fail(valid.Errors{{Field: "file", Message: "Choose a LEAP2A (.zip or .xml) or Pillars JSON file to import"}})
		return
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		fail(valid.Errors{{Field: "file", Message: "Choose a LEAP2A (.zip or .xml) or Pillars JSON file to import"}})
		return
	}
	defer f.Close()
	// A portfolio can be hundreds of megabytes: only a couple are read at once across the server,
	// and each straight from the upload's temporary file rather than copied into memory.
	select {
	case s.importSlots <- struct{}{}:
		defer func() { <-s.importSlots }()
	default:
		w.Header().Set("Retry-After", "60")
		s.errorPage(w, r, http.StatusServiceUnavailable, "Pillars is busy importing", "Other portfolios are being imported just now. Nothing was changed. Try again in a minute.")
		return
	}
	head := make([]byte, 64)
	n, _ := io.ReadFull(f, head)
	trimmed := bytes.TrimLeft(head[:n], " \t\r\n\xef\xbb\xbf")
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		s.serverError(w, r, err)
		return
	}
	var a *portfolio.Archive
	var notes []string
	switch {
	case fh.Size == 0:
		err = valid.Errors{{Field: "file", Message: fmt.Sprintf("%q is empty: choose the file again", portfolio.CleanFilename(fh.Filename))}}
	case bytes.HasPrefix(trimmed, []byte("{")):
		a, err = portfolio.ReadJSON(f)
	default:
		a, notes, err = leap2a.Read(f, fh.Size)
	}
	var errs valid.Errors
	if errors.As(err, &errs) {
		fail(errs)
		return
	}
	if err != nil {
		fail(valid.Errors{{Field: "file", Message: "Pillars could not read this file: " + strings.TrimSpace(err.Error()) + ". Export it again from the system it came from."}})
		return
	}
	// Imported text gets the same confidentiality check as typed text: findings are listed and
	// the import goes ahead only when the person confirms, which is recorded.
	if findings := portfolio.ArchiveFindings(a); len(findings) > 0 {
		if r.PostForm.Get(confirmField) != "yes" {
			var errs valid.Errors
			for i, f := range findings {
				if i == 10 {
					errs = append(errs, valid.FieldError{Field: "file", Message: fmt.Sprintf("and %d more", len(findings)-10)})
					break
				}
				errs = append(errs, valid.FieldError{Field: "file", Message: fmt.Sprintf("%s%s “%s” in %s", confidentialPrefix, strings.ToLower(f.Kind[:1])+f.Kind[1:], f.Text, f.Where)})
			}
			fail(errs)
			return
		}
		if _, err := s.db.Exec(r.Context(), `INSERT INTO audit_events (actor_id, action, subject, detail, at) VALUES (?, 'privacy.confirmed', ?, ?, ?)`,
			auth.UserFrom(r.Context()).ID, "portfolio-import", fmt.Sprintf("%d possible identifiers confirmed", len(findings)), time.Now().UTC()); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	res, err := s.portfolio.Restore(r.Context(), auth.UserFrom(r.Context()).ID, a)
	if errors.As(err, &errs) {
		fail(errs)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "portfolio-import", view{Title: "Portfolio imported", Data: importData{Result: res, Notes: notes, Limit: portfolio.SizeLabel(portfolio.MaxArchiveBytes)},
		Crumbs: []navLink{{Label: "Your CPD portfolio", Href: "/portfolio"}}})
}
