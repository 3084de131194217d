package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/valid"
)

// The HCPC audit pack: pick a cycle, write the summary and statement against the readiness
// checklist, then build the files in a background job and download them.

type packListData struct {
	Packs []portfolio.Pack
}

func (s *Server) auditPacks(w http.ResponseWriter, r *http.Request) {
	start, end := portfolio.DefaultCycle(time.Now())
	s.auditPacksPage(w, r, http.StatusOK, url.Values{"profession": {portfolio.DefaultProfession}, "cycle_start": {start}, "cycle_end": {end}}, nil)
}

func (s *Server) auditPacksPage(w http.ResponseWriter, r *http.Request, status int, form url.Values, errs valid.Errors) {
	packs, err := s.portfolio.Packs(r.Context(), auth.UserFrom(r.Context()).ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "audit-packs", view{Title: "HCPC audit pack", Errors: errs, Form: form, Data: packListData{packs},
		Crumbs: []navLink{{Label: "Your CPD portfolio", Href: "/portfolio"}}})
}

func (s *Server) openAuditPack(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	p, err := s.portfolio.OpenPack(r.Context(), auth.UserFrom(r.Context()).ID, f.Get("profession"), strings.TrimSpace(f.Get("cycle_start")), strings.TrimSpace(f.Get("cycle_end")))
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.auditPacksPage(w, r, http.StatusUnprocessableEntity, f, errs)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/portfolio/audit/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

type packPageData struct {
	R             *portfolio.Readiness
	TypeLabels    []portfolio.Option
	Selected      map[int64]bool
	Export        *portfolio.Export
	SummaryLimit  int
	StatementMax  int
	ConfirmExport bool
}

func (s *Server) ownPack(w http.ResponseWriter, r *http.Request) (*portfolio.Readiness, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	rd, err := s.portfolio.Readiness(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if s.failed(w, r, err, portfolio.ErrNotFound) {
		return nil, false
	}
	return rd, true
}

func packValues(p *portfolio.Pack) url.Values {
	form := url.Values{"profession": {p.Profession}, "summary": {p.Summary}}
	for k, v := range p.Statement {
		form.Set("statement_"+k, v)
	}
	for k, v := range p.GapNotes {
		form.Set("gap_"+k, v)
	}
	for _, id := range p.Selected {
		form.Add("selected", strconv.FormatInt(id, 10))
	}
	return form
}

func (s *Server) auditPack(w http.ResponseWriter, r *http.Request) {
	rd, ok := s.ownPack(w, r)
	if !ok {
		return
	}
	s.packPage(w, r, http.StatusOK, rd, packValues(rd.Pack), nil, false)
}

func (s *Server) packPage(w http.ResponseWriter, r *http.Request, status int, rd *portfolio.Readiness, form url.Values, errs valid.Errors, confirmExport bool) {
	d := &packPageData{R: rd, Selected: map[int64]bool{}, SummaryLimit: portfolio.SummaryWordLimit, StatementMax: portfolio.StatementWordLimit, ConfirmExport: confirmExport}
	for _, v := range form["selected"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			d.Selected[id] = true
		}
	}
	var err error
	if d.TypeLabels, err = s.portfolio.ActivityTypes(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Export, err = s.portfolio.LatestExport(r.Context(), auth.UserFrom(r.Context()).ID, rd.Pack.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	title := "HCPC audit pack: " + portfolio.DateLabel(rd.Pack.CycleStart) + " to " + portfolio.DateLabel(rd.Pack.CycleEnd)
	s.render(w, r, status, "audit-pack", view{Title: title, Errors: errs, Form: form, Data: d,
		Crumbs: []navLink{{Label: "Your CPD portfolio", Href: "/portfolio"}, {Label: "HCPC audit pack", Href: "/portfolio/audit"}}})
}

func (s *Server) saveAuditPack(w http.ResponseWriter, r *http.Request) {
	rd, ok := s.ownPack(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	in := portfolio.PackInput{Profession: f.Get("profession"), Summary: f.Get("summary"), Statement: map[string]string{}, GapNotes: map[string]string{}}
	texts := map[string]string{"summary": in.Summary}
	for _, st := range rd.Standards {
		in.Statement[st.Key] = f.Get("statement_" + st.Key)
		texts["statement_"+st.Key] = in.Statement[st.Key]
	}
	for _, g := range rd.Gaps {
		in.GapNotes[g.From] = f.Get("gap_" + g.From)
		texts["gap_"+g.From] = in.GapNotes[g.From]
	}
	for _, v := range f["selected"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Selected = append(in.Selected, id)
		}
	}
	errs := s.confidentiality(r, f, texts, "audit-pack:"+strconv.FormatInt(rd.Pack.ID, 10))
	if !errs.Any() {
		err := s.portfolio.SavePack(r.Context(), auth.UserFrom(r.Context()).ID, rd.Pack.ID, in)
		if !errors.As(err, &errs) && err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if errs.Any() {
		s.packPage(w, r, http.StatusUnprocessableEntity, rd, f, errs, false)
		return
	}
	s.flash(r, "Your audit pack has been saved.")
	http.Redirect(w, r, "/portfolio/audit/"+strconv.FormatInt(rd.Pack.ID, 10)+"#readiness", http.StatusSeeOther)
}

// exportAuditPack checks the pack for anything identifying once more, then queues its build.
func (s *Server) exportAuditPack(w http.ResponseWriter, r *http.Request) {
	rd, ok := s.ownPack(w, r)
	if !ok {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	if len(rd.Findings) > 0 {
		if r.PostForm.Get(confirmField) != "yes" {
			errs := valid.Errors{{Field: "confidentiality", Message: confidentialPrefix + "the pack has " + plural(len(rd.Findings), "possible identifier") + ", listed below. Redact them in the entries or text, or tick “I have checked this” to build the pack anyway"}}
			s.packPage(w, r, http.StatusUnprocessableEntity, rd, packValues(rd.Pack), errs, true)
			return
		}
		if _, err := s.db.Exec(r.Context(), `INSERT INTO audit_events (actor_id, action, subject, detail, at) VALUES (?, 'privacy.confirmed', ?, ?, ?)`,
			u.ID, "audit-pack-export:"+strconv.FormatInt(rd.Pack.ID, 10), strconv.Itoa(len(rd.Findings))+" possible identifiers confirmed", time.Now().UTC()); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	id, err := s.portfolio.StartExport(r.Context(), u.ID, rd.Pack.ID, jobs.ExportPack(s.queue))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/portfolio/audit/"+strconv.FormatInt(rd.Pack.ID, 10)+"/exports/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

type exportPageData struct {
	PackID int64
	Export *portfolio.Export
}

func (s *Server) ownExport(w http.ResponseWriter, r *http.Request) (int64, *portfolio.Export, bool) {
	packID, ok1 := pathID(r, "id")
	exportID, ok2 := pathID(r, "export")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return 0, nil, false
	}
	e, err := s.portfolio.Export(r.Context(), auth.UserFrom(r.Context()).ID, exportID)
	if errors.Is(err, portfolio.ErrNotFound) || (err == nil && e.PackID != packID) {
		s.notFound(w, r)
		return 0, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return 0, nil, false
	}
	return packID, e, true
}

// auditExport shows an export's progress and, when done, its files. The page polls itself with
// htmx while the job runs; without JavaScript, "Check progress" reloads it.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request) {
	packID, e, ok := s.ownExport(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "audit-export", view{Title: "Building your audit pack", Data: exportPageData{packID, e},
		Crumbs: []navLink{{Label: "Your CPD portfolio", Href: "/portfolio"}, {Label: "HCPC audit pack", Href: "/portfolio/audit/" + strconv.FormatInt(packID, 10)}}})
}

func (s *Server) auditExportFile(w http.ResponseWriter, r *http.Request) {
	_, e, ok := s.ownExport(w, r)
	if !ok {
		return
	}
	fileID, ok := pathID(r, "file")
	if !ok {
		s.notFound(w, r)
		return
	}
	f, data, err := s.portfolio.ExportFileData(r.Context(), auth.UserFrom(r.Context()).ID, e.ID, fileID)
	if s.failed(w, r, err, portfolio.ErrNotFound) {
		return
	}
	sendFile(w, f.Name, f.ContentType, data)
}
