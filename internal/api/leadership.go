package api

// My leadership over the API: self-assessments, gaps, 360 feedback and the development plan.
// Every handler acts for the token's owner and reads only their own records; another person's
// record answers 404 exactly like one that does not exist. The JSON shapes here name elements by
// key and title only: framework.Element carries its children and descriptors, which belong to
// GET /frameworks/{key}.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/valid"
)

// london is the time zone dates are read in: a deadline "on the 31st" is the end of that UK day.
var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

// levelFramework names the framework whose levels are the career levels (as on the web pages).
const levelFramework = "rcot-pillars"

// endOfDay is the last moment of a UK calendar date, the same rule as the web form's.
func endOfDay(date string) (time.Time, bool) {
	d, err := time.ParseInLocation(time.DateOnly, date, london)
	if err != nil {
		return time.Time{}, false
	}
	return d.AddDate(0, 0, 1).Add(-time.Second).UTC(), true
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func stampPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := stamp(*t)
	return &s
}

// optInt is nil for zero, which the areas use for "not given".
func optInt(v int) *int {
	if v == 0 {
		return nil
	}
	return &v
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func notFound(w http.ResponseWriter, what string) {
	Error(w, http.StatusNotFound, "not_found", "You have no "+what+" with that id.", nil)
}

// decode reads a JSON object body into v, answering 400 (or 413) itself when it cannot.
// Unknown fields are ignored.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("extra data after the JSON object")
	}
	if err == nil {
		return true
	}
	var mbe *http.MaxBytesError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		Error(w, http.StatusRequestEntityTooLarge, "too_large", "The request body is too large. Nothing was changed.", nil)
	case errors.Is(err, io.EOF):
		Error(w, http.StatusBadRequest, "bad_request", "Send a JSON object as the request body.", nil)
	case errors.As(err, &te) && te.Field != "":
		Error(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("The request body is not valid: %s must be %s (it was %s). Nothing was changed.", te.Field, jsonKind(te.Type.Kind().String()), te.Value), nil)
	default:
		Error(w, http.StatusBadRequest, "bad_request", "The request body is not valid JSON, or not a JSON object. Nothing was changed.", nil)
	}
	return false
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"):
		return "a whole number"
	case strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "true or false"
	case goKind == "map", goKind == "struct":
		return "an object"
	case goKind == "slice":
		return "an array"
	}
	return "of another type"
}

// fail answers an area's error. rename maps the areas' form field names to the API's, so the
// fields in a 422 name what was sent.
func (a *API) fail(w http.ResponseWriter, err error, what string, rename func(string) string) {
	var errs valid.Errors
	switch {
	case errors.As(err, &errs):
		fields := make([]valid.FieldError, 0, len(errs))
		for _, e := range errs {
			if rename != nil {
				e.Field = rename(e.Field)
			}
			fields = append(fields, e)
		}
		Error(w, http.StatusUnprocessableEntity, "invalid", "Some of what was sent needs fixing (see fields). Nothing was changed.", fields)
	case errors.Is(err, assess.ErrNotFound), errors.Is(err, plan.ErrNotFound), errors.Is(err, framework.ErrNotFound):
		notFound(w, what)
	case errors.Is(err, assess.ErrAlreadySubmitted):
		Error(w, http.StatusConflict, "already_submitted", "This assessment has been submitted and can no longer change; start a new one. Nothing was changed.", nil)
	case errors.Is(err, assess.ErrNotAssessable):
		Error(w, http.StatusUnprocessableEntity, "not_assessable", "This framework has no rating scale, so it cannot be used for a self-assessment.",
			[]valid.FieldError{{Field: "framework", Message: "Choose a framework with a rating scale"}})
	case errors.Is(err, assess.ErrNoLevel):
		Error(w, http.StatusUnprocessableEntity, "no_career_level", "Record your career level on your account page first, so your ratings can be compared with what your level typically shows.", nil)
	default:
		a.serverError(w, err)
	}
}

// ElementRefJSON names an element without its contents.
type ElementRefJSON struct {
	Key   string `json:"key"`
	Title string `json:"title"`
}
