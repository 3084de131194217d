package stories

import (
	"bytes"
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/valid"
)

// MaxAttachmentBytes is the largest attachment a story may have.
const MaxAttachmentBytes = 8 << 20

// AcceptedExtensions lists the names an attachment may have, for the form's hint.
const AcceptedExtensions = ".pdf, .png, .jpg, .gif, .webp"

// Input is a story as typed: text stays text until checked, so a form can be shown again
// exactly as it was.
type Input struct {
	DisplayName string
	Role        string
	Level       string
	Setting     string
	Path        string
	Barriers    string
	Enablers    string
	FiveYears   string
	Advice      string
}

// Upload is an attached file as sent.
type Upload struct {
	Name string
	Data []byte
}

// Fields are the form's fields in the order the form shows them, so problems can be listed in
// that order whoever found them.
var Fields = []string{"display_name", "role", "level", "setting", "path", "barriers", "enablers", "five_years", "advice", "attachment"}

// InputOf is a stored story as its form shows it.
func InputOf(s *Story) Input {
	return Input{DisplayName: s.DisplayName, Role: s.Role, Level: strconv.Itoa(s.Level), Setting: s.Setting, Path: s.Path,
		Barriers: s.Barriers, Enablers: s.Enablers, FiveYears: s.FiveYears, Advice: s.Advice}
}

const maxAnswer = 5000

// Check turns what was typed into a story, or says field by field what to fix. The upload, when
// there is one, is checked too; its content type is returned for storing.
func Check(in Input, up *Upload) (*Story, string, valid.Errors) {
	var errs valid.Errors
	s := &Story{DisplayName: strings.TrimSpace(in.DisplayName), Role: strings.TrimSpace(in.Role), Setting: strings.TrimSpace(in.Setting),
		Path: strings.TrimSpace(in.Path), Barriers: strings.TrimSpace(in.Barriers), Enablers: strings.TrimSpace(in.Enablers),
		FiveYears: strings.TrimSpace(in.FiveYears), Advice: strings.TrimSpace(in.Advice)}
	switch n := utf8.RuneCountInString(s.DisplayName); {
	case n == 0:
		errs.Add("display_name", "Enter the name to show with your story: your first name or a pseudonym")
	case n > 60:
		errs.Add("display_name", "Enter a name of 60 characters or fewer")
	}
	switch n := utf8.RuneCountInString(s.Role); {
	case n == 0:
		errs.Add("role", "Enter your role or job title")
	case n > 150:
		errs.Add("role", "Enter a role of 150 characters or fewer")
	}
	if lv := strings.TrimSpace(in.Level); lv == "" {
		errs.Add("level", "Choose your career level")
	} else if n, err := strconv.Atoi(lv); err != nil || n < 1 || n > Levels {
		errs.Add("level", "Choose a career level from 1 to 9")
	} else {
		s.Level = n
	}
	if s.Setting == "" {
		errs.Add("setting", "Choose the setting you work in")
	} else if SettingLabel(s.Setting) == "" {
		errs.Add("setting", "Choose NHS, social care, independent practice or education")
	}
	answer := func(field, text, missing, what string, required bool) {
		switch n := utf8.RuneCountInString(text); {
		case n == 0 && required:
			errs.Add(field, missing)
		case n > maxAnswer:
			errs.Add(field, fmt.Sprintf("Write 5,000 characters or fewer about %s (you have %s)", what, commas(n)))
		}
	}
	answer("path", s.Path, "Tell us about your path so far", "your path so far", true)
	answer("barriers", s.Barriers, "Describe the barriers to progression you have met", "the barriers", true)
	answer("enablers", s.Enablers, "Describe what has helped you progress", "what helped", true)
	answer("five_years", s.FiveYears, "Say where you see yourself in five years", "the next five years", true)
	answer("advice", s.Advice, "", "your advice", false)
	var ctype string
	if up != nil {
		var ferrs valid.Errors
		ctype, ferrs = CheckAttachment(up.Name, up.Data)
		errs = append(errs, ferrs...)
	}
	return s, ctype, errs
}

func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// fileKind is a type of attachment a story may have, recognised by its content.
type fileKind struct {
	name        string // for messages: "a PDF"
	contentType string
	extensions  []string
}

var fileKinds = map[string]fileKind{
	"pdf":  {"a PDF", "application/pdf", []string{".pdf"}},
	"png":  {"a PNG image", "image/png", []string{".png"}},
	"jpeg": {"a JPEG image", "image/jpeg", []string{".jpg", ".jpeg"}},
	"gif":  {"a GIF image", "image/gif", []string{".gif"}},
	"webp": {"a WebP image", "image/webp", []string{".webp"}},
}

// sniff recognises an attachment by its first bytes, never its name; "" for anything else.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp"
	}
	return ""
}

// TooLarge is the problem with an attachment of size bytes, over MaxAttachmentBytes.
func TooLarge(name string, size int64) valid.Errors {
	return valid.Errors{{Field: "attachment", Message: fmt.Sprintf("%q is %s: the attachment must be %s or smaller",
		portfolio.CleanFilename(name), portfolio.SizeLabel(size), portfolio.SizeLabel(MaxAttachmentBytes))}}
}

// CheckAttachment checks an attachment's size and that its content is what its name says (a PDF
// or an image). It returns the content type to store and send.
func CheckAttachment(name string, data []byte) (string, valid.Errors) {
	var errs valid.Errors
	shown := portfolio.CleanFilename(name)
	if len(data) == 0 {
		errs.Add("attachment", fmt.Sprintf("%q is empty: choose the file again", shown))
		return "", errs
	}
	if len(data) > MaxAttachmentBytes {
		return "", TooLarge(name, int64(len(data)))
	}
	ext := strings.ToLower(path.Ext(shown))
	claimed := ""
	for key, k := range fileKinds {
		for _, e := range k.extensions {
			if e == ext {
				claimed = key
			}
		}
	}
	kind := sniff(data)
	switch {
	case claimed == "":
		errs.Add("attachment", fmt.Sprintf("%q is not a type Pillars accepts here: attach a PDF or an image (%s)", shown, AcceptedExtensions))
	case kind == "":
		errs.Add("attachment", fmt.Sprintf("%q is named as %s but its content is not: check you chose the right file", shown, fileKinds[claimed].name))
	case kind != claimed:
		errs.Add("attachment", fmt.Sprintf("%q is named as %s but its content is %s: rename it or choose the right file", shown, fileKinds[claimed].name, fileKinds[kind].name))
	}
	if errs.Any() {
		return "", errs
	}
	return fileKinds[kind].contentType, nil
}

// InFormOrder sorts problems into the form's field order, keeping the first for each field, so
// problems found by different checks read top to bottom like the form.
func InFormOrder(errs valid.Errors) valid.Errors {
	var out valid.Errors
	for _, f := range Fields {
		for _, e := range errs {
			if e.Field == f {
				out.Add(e.Field, e.Message)
			}
		}
	}
	for _, e := range errs {
		out.Add(e.Field, e.Message)
	}
	return out
}
