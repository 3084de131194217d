// Package api is Pillars' JSON API, version 1. Its handlers sit in the web package's one route
// table (so the same gates and route-by-role test cover them); this package owns the JSON shapes,
// the error format and the OpenAPI document that describes every endpoint.
package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/valid"
)

//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the embedded OpenAPI 3.1 document.
func OpenAPIDocument() []byte { return openAPIDocument }

// API holds what the handlers need.
type API struct {
	Frameworks *framework.Catalogue
	Log        *slog.Logger
	Assess     *assess.Service
	Plans      *plan.Service
	Accounts   *auth.Service
	Queue      jobs.Queue // emails to raters and a 360 round's reminder and close
	BaseURL    string     // for links in emails
}

// ErrorBody is every error's JSON shape: a stable code for programs, a sentence for people, and
// per-field problems where the input was at fault.
type ErrorBody struct {
	Error   string             `json:"error"`
	Message string             `json:"message"`
	Fields  []valid.FieldError `json:"fields,omitempty"`
}

// WriteJSON writes v with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// Error writes an ErrorBody.
func Error(w http.ResponseWriter, status int, code, message string, fields []valid.FieldError) {
	WriteJSON(w, status, ErrorBody{Error: code, Message: message, Fields: fields})
}

// OpenAPI serves the API description.
func (a *API) OpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(openAPIDocument)
}

// Me describes the token's owner.
type Me struct {
	ID          int64        `json:"id"`
	Email       string       `json:"email"`
	Name        string       `json:"name"`
	JobTitle    string       `json:"job_title"`
	CareerLevel *int         `json:"career_level"`
	Memberships []MemberJSON `json:"memberships"`
}

// MemberJSON is one membership.
type MemberJSON struct {
	Organisation string `json:"organisation"`
	OrgName      string `json:"organisation_name"`
	Role         string `json:"role"`
}

// MeHandler answers GET /api/v1/me.
func (a *API) MeHandler(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	me := Me{ID: u.ID, Email: u.Email, Name: u.Name, JobTitle: u.JobTitle, Memberships: []MemberJSON{}}
	if u.CareerLevel > 0 {
		lvl := u.CareerLevel
		me.CareerLevel = &lvl
	}
	for _, m := range u.Memberships {
		me.Memberships = append(me.Memberships, MemberJSON{Organisation: m.OrgSlug, OrgName: m.OrgName, Role: string(m.Role)})
	}
	WriteJSON(w, http.StatusOK, me)
}

// FrameworkSummary is one framework in a list.
type FrameworkSummary struct {
	Key       string `json:"key"`
	Title     string `json:"title"`
	Summary   string `json:"summary"`
	Version   string `json:"version"`
	Elements  int    `json:"elements"`
	Versions  int    `json:"versions"`
	Builtin   bool   `json:"builtin"`
	Rateable  bool   `json:"has_scale"`
	HasLevels bool   `json:"has_levels"`
}

// ListFrameworks answers GET /api/v1/frameworks.
func (a *API) ListFrameworks(w http.ResponseWriter, r *http.Request) {
	list, err := a.Frameworks.List(r.Context())
	if err != nil {
		a.serverError(w, err)
		return
	}
	out := make([]FrameworkSummary, 0, len(list))
	for _, s := range list {
		out = append(out, FrameworkSummary{s.Key, s.Title, s.Summary, s.Version, s.Elements, s.Versions, s.Builtin, s.HasScale, s.HasLevels})
	}
	WriteJSON(w, http.StatusOK, map[string]any{"frameworks": out})
}

// FrameworkJSON is a whole framework version: the file's content plus storage facts.
type FrameworkJSON struct {
	*framework.Framework
	Current    bool           `json:"current"`
	Locked     bool           `json:"locked"`
	LevelNames map[int]string `json:"level_names,omitempty"`
}

func (a *API) load(w http.ResponseWriter, r *http.Request) (*framework.Framework, framework.VersionInfo, bool) {
	f, vi, err := a.Frameworks.Get(r.Context(), r.PathValue("key"), r.URL.Query().Get("version"))
	if errors.Is(err, framework.ErrNotFound) {
		Error(w, http.StatusNotFound, "not_found", "There is no framework (or version) with that key.", nil)
		return nil, vi, false
	}
	if err != nil {
		a.serverError(w, err)
		return nil, vi, false
	}
	return f, vi, true
}

// GetFramework answers GET /api/v1/frameworks/{key}.
func (a *API) GetFramework(w http.ResponseWriter, r *http.Request) {
	f, vi, ok := a.load(w, r)
	if !ok {
		return
	}
	names, err := a.Frameworks.LevelNames(r.Context(), r.PathValue("key"), f)
	if err != nil {
		a.serverError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, FrameworkJSON{Framework: f, Current: vi.Current, Locked: vi.Locked, LevelNames: names})
}

// VersionJSON is one stored version.
type VersionJSON struct {
	Version    string `json:"version"`
	Title      string `json:"title"`
	Current    bool   `json:"current"`
	Locked     bool   `json:"locked"`
	Builtin    bool   `json:"builtin"`
	ImportedAt string `json:"imported_at"`
}

// FrameworkVersions answers GET /api/v1/frameworks/{key}/versions.
func (a *API) FrameworkVersions(w http.ResponseWriter, r *http.Request) {
	vs, err := a.Frameworks.Versions(r.Context(), r.PathValue("key"))
	if errors.Is(err, framework.ErrNotFound) {
		Error(w, http.StatusNotFound, "not_found", "There is no framework with that key.", nil)
		return
	}
	if err != nil {
		a.serverError(w, err)
		return
	}
	out := make([]VersionJSON, 0, len(vs))
	for _, v := range vs {
		out = append(out, VersionJSON{v.Version, v.Title, v.Current, v.Locked, v.Builtin, v.ImportedAt.UTC().Format("2006-01-02T15:04:05Z")})
	}
	WriteJSON(w, http.StatusOK, map[string]any{"versions": out})
}

// ElementJSON is one element with where it sits.
type ElementJSON struct {
	*framework.Element
	Framework string   `json:"framework"`
	Version   string   `json:"version"`
	Path      []string `json:"path"`
}

// GetElement answers GET /api/v1/frameworks/{key}/elements/{element}.
func (a *API) GetElement(w http.ResponseWriter, r *http.Request) {
	f, vi, ok := a.load(w, r)
	if !ok {
		return
	}
	e := f.Element(r.PathValue("element"))
	if e == nil {
		Error(w, http.StatusNotFound, "not_found", "This framework version has no element with that key.", nil)
		return
	}
	path := []string{}
	for _, p := range e.Path() {
		path = append(path, p.Key)
	}
	WriteJSON(w, http.StatusOK, ElementJSON{Element: e, Framework: f.Key, Version: vi.Version, Path: path})
}

// ImportFramework answers POST /api/v1/frameworks: the body is the YAML file.
func (a *API) ImportFramework(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			Error(w, http.StatusRequestEntityTooLarge, "too_large", "The framework file is too large.", nil)
			return
		}
		Error(w, http.StatusBadRequest, "bad_request", "The request body could not be read.", nil)
		return
	}
	if len(strings.TrimSpace(string(body))) == 0 || !utf8.Valid(body) {
		Error(w, http.StatusUnprocessableEntity, "invalid_framework", "Send the framework's YAML text as the request body.", nil)
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "api upload"
	}
	res, err := a.Frameworks.Import(r.Context(), name, body, auth.UserFrom(r.Context()).ID, false)
	var verr *framework.ValidationError
	switch {
	case errors.As(err, &verr):
		fields := make([]valid.FieldError, 0, len(verr.Problems))
		for _, line := range verr.Lines() {
			fields = append(fields, valid.FieldError{Field: "document", Message: line})
		}
		Error(w, http.StatusUnprocessableEntity, "invalid_framework", "The framework file has problems; nothing was stored.", fields)
		return
	case errors.Is(err, framework.ErrVersionLocked):
		Error(w, http.StatusConflict, "version_locked", strings.TrimPrefix(err.Error(), framework.ErrVersionLocked.Error()+": "), nil)
		return
	case err != nil:
		a.serverError(w, err)
		return
	}
	status := http.StatusCreated
	if res.Outcome != "created" {
		status = http.StatusOK
	}
	WriteJSON(w, status, map[string]any{"key": res.Framework.Key, "version": res.Framework.Version, "outcome": res.Outcome})
}

func (a *API) serverError(w http.ResponseWriter, err error) {
	if errors.Is(err, context.Canceled) {
		return // the client went away; nobody is waiting for the answer
	}
	a.Log.Error("api", "err", err)
	Error(w, http.StatusInternalServerError, "server_error", "Something went wrong on our side. Nothing was changed.", nil)
}
