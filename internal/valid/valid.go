// Package valid carries validation problems from an area to whoever shows them: a form's error
// summary, an API error body, or the command line. Each problem names the field and says in
// plain words what to fix.
package valid

import "strings"

// FieldError is one problem with one field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Errors is an ordered list of problems; the order is the order of the form.
type Errors []FieldError

// Add records a problem. Only the first problem for a field is kept: one fix at a time.
func (e *Errors) Add(field, message string) {
	if e.For(field) == "" {
		*e = append(*e, FieldError{field, message})
	}
}

// For returns the message for a field, or "".
func (e Errors) For(field string) string {
	for _, f := range e {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// Any reports whether there are problems.
func (e Errors) Any() bool { return len(e) > 0 }

// Err returns e as an error, or nil when there are no problems.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

func (e Errors) Error() string {
	msgs := make([]string, len(e))
	for i, f := range e {
		msgs[i] = f.Message
	}
	return strings.Join(msgs, "; ")
}
