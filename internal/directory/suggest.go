package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/citation"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Input is a suggestion or a moderator's edit as typed: text fields stay text until checked, so
// a form can be shown again exactly as it was.
type Input struct {
	Kind        string
	Title       string
	Provider    string
	Summary     string
	Format      string
	Length      string
	Hours       string
	Cost        string // pounds, like "250" or "99.50"; "" when not known
	Free        bool
	Eligibility string
	Levels      []string
	Award       string
	Location    string
	URL         string
	Authors     string // one a line, "Family, Given"
	Year        string
	Journal     string
	DOI         string
	Elements    []string // "framework:element"
	// ConfirmDuplicate is the suggester's "suggest it anyway" after a duplicate warning.
	ConfirmDuplicate bool
}

// KindOption is a kind a suggestion can be, with its list and how to say it.
type KindOption struct {
	Kind, Group, Label string
}

// SuggestKinds are the kinds offered on the suggestion form, in order.
var SuggestKinds = []KindOption{
	{string(ResourceArticle), GroupResources, "Journal article"},
	{string(ResourceWeb), GroupResources, "Web page or resource"},
	{string(ResourceBook), GroupResources, "Book"},
	{string(ResourceReport), GroupResources, "Report"},
	{string(KindCourse), GroupCourses, "Course"},
	{string(KindProgramme), GroupCourses, "Programme"},
	{string(KindPostgraduate), GroupCourses, "Postgraduate course"},
	{string(OrgMentoring), GroupOrganisations, "Mentoring scheme"},
	{string(OrgCoaching), GroupOrganisations, "Coaching scheme"},
	{string(OrgNetwork), GroupOrganisations, "Network"},
	{string(OrgFunder), GroupOrganisations, "Funder"},
}

// KindLabel says what a kind is, for showing.
func KindLabel(kind string) string {
	for _, k := range SuggestKinds {
		if k.Kind == kind {
			return k.Label
		}
	}
	if kind == "" {
		return ""
	}
	return strings.ToUpper(kind[:1]) + strings.ReplaceAll(kind[1:], "-", " ")
}

func groupOf(kind string) string {
	for _, k := range SuggestKinds {
		if k.Kind == kind {
			return k.Group
		}
	}
	return ""
}

// InputOf is an entry as a form shows it, for a moderator to edit.
func InputOf(e *Entry) Input {
	in := Input{Kind: e.Kind, Title: e.Title, Provider: e.Provider, Summary: e.Summary, Format: e.Format, Length: e.Length,
		Free: e.Free, Eligibility: e.Eligibility, Award: e.Award, Location: e.Location, URL: e.URL, Authors: strings.Join(e.Authors, "\n"),
		Journal: e.Journal, DOI: e.DOI, Elements: e.Elements}
	if e.Hours > 0 {
		in.Hours = strconv.Itoa(e.Hours)
	}
	if e.CostPence != nil {
		in.Cost = strings.TrimPrefix(strings.ReplaceAll(FormatPence(*e.CostPence), ",", ""), "£")
	}
	for _, l := range e.Levels {
		in.Levels = append(in.Levels, strconv.Itoa(l))
	}
	if e.Year > 0 {
		in.Year = strconv.Itoa(e.Year)
	}
	return in
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// ParsePounds reads a price typed in pounds ("£1,250.50", "99", "0.5") as whole pence.
func ParsePounds(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "£"), ",", "")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 2 {
		return 0, false
	}
	if whole == "" {
		whole = "0"
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w > 1e9 {
		return 0, false
	}
	p := w*100 + f
	if neg {
		p = -p
	}
	return p, true
}

// check turns what was typed into an entry, or says field by field what to fix.
func (s *Service) check(ctx context.Context, in Input) (*Entry, valid.Errors) {
	var errs valid.Errors
	e := &Entry{Kind: strings.TrimSpace(in.Kind), Title: strings.TrimSpace(in.Title), Provider: strings.TrimSpace(in.Provider),
		Summary: strings.TrimSpace(in.Summary), Format: strings.TrimSpace(in.Format), Length: strings.TrimSpace(in.Length),
		Free: in.Free, Eligibility: strings.TrimSpace(in.Eligibility), Award: strings.TrimSpace(in.Award),
		Location: strings.TrimSpace(in.Location), URL: strings.TrimSpace(in.URL), Journal: strings.TrimSpace(in.Journal)}
	if e.Group = groupOf(e.Kind); e.Group == "" {
		errs.Add("kind", "Choose what sort of item this is")
	}
	if e.Title == "" {
		errs.Add("title", "Enter a title")
	} else if utf8.RuneCountInString(e.Title) > 300 {
		errs.Add("title", "Enter a title of 300 characters or fewer")
	}
	if utf8.RuneCountInString(e.Summary) > 2000 {
		errs.Add("summary", "Write 2,000 characters or fewer about it")
	}
	if e.Group == GroupResources {
		e.Annotation = e.Summary
	}
	switch Format(e.Format) {
	case "", FormatOnline, FormatBlended, FormatInPerson:
	default:
		errs.Add("format", "Choose online, blended or in person")
	}
	if p := LinkProblem(e.URL); p != "" {
		errs.Add("url", capitalise(p))
	}
	if h := strings.TrimSpace(in.Hours); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil || n < 0 || n > 10000 {
			errs.Add("hours", "Enter the study hours as a whole number, like 40")
		}
		e.Hours = n
	}
	if c := strings.TrimSpace(in.Cost); c != "" {
		p, ok := ParsePounds(c)
		switch {
		case !ok:
			errs.Add("cost", "Enter the cost in pounds, like 250 or 99.50")
		case p < 0:
			errs.Add("cost", "The cost cannot be negative")
		case in.Free && p > 0:
			errs.Add("cost", "Either tick free or give a cost, not both")
		case p == 0:
			e.Free = true
		default:
			e.CostPence = &p
		}
	}
	seen := map[int]bool{}
	for _, l := range in.Levels {
		n, err := strconv.Atoi(strings.TrimSpace(l))
		if err != nil || n < 1 || n > Levels {
			errs.Add("levels", "Choose career levels from 1 to 9")
			break
		}
		if !seen[n] {
			seen[n] = true
			e.Levels = append(e.Levels, n)
		}
	}
	for _, a := range strings.Split(in.Authors, "\n") {
		if a = strings.TrimSpace(a); a != "" {
			e.Authors = append(e.Authors, a)
		}
	}
	if y := strings.TrimSpace(in.Year); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1000 || n > 9999 {
			errs.Add("year", "Enter the year with four digits, like 2021")
		}
		e.Year = n
	}
	if d := strings.TrimSpace(in.DOI); d != "" {
		norm, ok := citation.NormaliseDOI(d)
		if !ok {
			errs.Add("doi", "Enter a DOI that starts with 10. and contains a slash, like 10.1177/0308022620912345")
		}
		e.DOI = norm
	}
	for _, ref := range in.Elements {
		if ref = strings.TrimSpace(ref); ref == "" {
			continue
		}
		if !s.elementExists(ctx, ref) {
			errs.Add("elements", fmt.Sprintf("There is no framework element %q: choose elements from the list", ref))
			continue
		}
		e.Elements = append(e.Elements, ref)
	}
	return e, errs
}

// duplicateOf finds a published or pending entry with the same DOI or URL, other than id.
func (s *Service) duplicateOf(ctx context.Context, q *store.Tx, identity string, id int64) (*Entry, error) {
	if identity == "" {
		return nil, nil
	}
	var d Entry
	err := q.QueryRow(ctx, `SELECT id, title FROM directory_items WHERE identity = ? AND status <> 'declined' AND id <> ? ORDER BY id LIMIT 1`, identity, id).Scan(&d.ID, &d.Title)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func duplicateMessage(title string) string {
	return fmt.Sprintf("This looks like %q, already in the directory (the same link or DOI). Tick \"Suggest it anyway\" if yours is different.", title)
}

// Suggest stores a signed-in person's suggestion for the moderators' queue. A suggestion with the
// same DOI or URL as an entry already listed or waiting is refused with a warning on the field
// "duplicate" until the suggester confirms it.
func (s *Service) Suggest(ctx context.Context, userID int64, in Input) (*Entry, error) {
	e, errs := s.check(ctx, in)
	e.Status, e.SuggestedBy = StatusPending, userID
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if !in.ConfirmDuplicate {
			e.Identity = citation.Identity(citation.Reference{DOI: e.DOI, URL: e.URL})
			dup, err := s.duplicateOf(ctx, tx, e.Identity, 0)
			if err != nil {
				return err
			}
			if dup != nil {
				errs.Add("duplicate", duplicateMessage(dup.Title))
			}
		}
		if errs.Any() {
			return errs
		}
		return s.insert(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Pending lists suggestions waiting for a moderator, oldest first.
func (s *Service) Pending(ctx context.Context) ([]*Entry, error) {
	var out []*Entry
	if err := s.list(ctx, &out, selectEntry+` WHERE d.status = 'pending' ORDER BY d.created_at, d.id LIMIT 200`); err != nil {
		return nil, err
	}
	return out, s.loadElements(ctx, out)
}

// PendingEntry returns one suggestion waiting for a moderator.
func (s *Service) PendingEntry(ctx context.Context, id int64) (*Entry, error) {
	e, err := s.get(ctx, id, false)
	if err != nil {
		return nil, err
	}
	if e.Status != StatusPending {
		return nil, ErrNotFound
	}
	return e, nil
}

// Approve publishes a pending suggestion as the moderator edited it.
func (s *Service) Approve(ctx context.Context, moderatorID, id int64, in Input) (*Entry, error) {
	e, errs := s.check(ctx, in)
	if errs.Any() {
		return nil, errs
	}
	e.ID, e.Status = id, StatusPublished
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM directory_items WHERE id = ?`, id).Scan(&status); errors.Is(err, sql.ErrNoRows) || status != StatusPending {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if err := s.update(ctx, tx, e); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE directory_items SET moderated_by = ? WHERE id = ?`, moderatorID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Notify is the hook that sends an email in the transaction that calls for it (the web wires it
// to the job queue), so a decline and its email happen together or not at all.
type Notify func(ctx context.Context, tx *store.Tx, m mail.Message) error

// Decline refuses a pending suggestion with a reason, which is emailed to the suggester.
func (s *Service) Decline(ctx context.Context, moderatorID, id int64, reason string, notify Notify) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return valid.Errors{{Field: "reason", Message: "Say why you are declining it: the person who suggested it will be sent your reason"}}
	}
	if utf8.RuneCountInString(reason) > 2000 {
		return valid.Errors{{Field: "reason", Message: "Write the reason in 2,000 characters or fewer"}}
	}
	e, err := s.PendingEntry(ctx, id)
	if err != nil {
		return err
	}
	var msg *mail.Message
	if e.SuggestedBy != 0 {
		if u, err := s.accounts.UserByID(ctx, e.SuggestedBy); err == nil {
			msg = &mail.Message{To: u.Email, Subject: "Your suggestion for the Pillars directory",
				Text: fmt.Sprintf("Hello %s,\n\nThank you for suggesting %q for the directory. A moderator has decided not to add it, for this reason:\n\n%s\n\nYou are welcome to suggest it again with changes, or to suggest something else.\n\nPillars\n", u.Name, e.Title, reason)}
		}
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE directory_items SET status = 'declined', decline_reason = ?, moderated_by = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
			reason, moderatorID, store.Now(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound // declined or approved by another moderator meanwhile
		}
		if msg != nil && notify != nil {
			return notify(ctx, tx, *msg)
		}
		return nil
	})
}
