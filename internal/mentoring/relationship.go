package mentoring

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// ErrRelationshipClosed means the change needs an active relationship and this one is not
// (already completed, ended early, or never accepted). Nothing was changed.
var ErrRelationshipClosed = errors.New("mentoring: the relationship is not active")

// Frequencies are how often a pair can agree to meet.
var Frequencies = []Labelled{
	{"weekly", "Weekly"},
	{"fortnightly", "Fortnightly"},
	{"monthly", "Monthly"},
	{"six-weekly", "Every six weeks"},
	{"quarterly", "Quarterly"},
}

// EndReasons are why a relationship ended early. Reports count them; the note beside a reason
// is only ever shown to the pair.
var EndReasons = []Labelled{
	{"goals-met-early", "Goals met sooner than planned"},
	{"workload", "Workload or time"},
	{"changed-role", "Changed role or organisation"},
	{"not-right-match", "Not the right match"},
	{"health-personal", "Health or personal reasons"},
	{"other", "Other"},
}

// DefaultConfidentiality is offered until the pair writes their own: what stays between them
// and where that stops (safeguarding and fitness to practise), in plain words.
const DefaultConfidentiality = "What we talk about stays between the two of us. Neither of us passes it on to managers, the programme or anyone else without the other's agreement, and our private notes stay private.\n\n" +
	"There are limits. If either of us believes someone is at risk of harm (a safeguarding concern), or that practice is unsafe or raises a question of fitness to practise, we will act on it under our organisation's policy and the HCPC standards, and tell the other person first wherever it is safe to do so.\n\n" +
	"The people who coordinate the programme see only counts, such as how many sessions we held, never what we said or wrote."

// Limits on what an agreement holds.
const (
	maxAgreementGoals = 4000
	maxAgreementConf  = 4000
	maxEndedNote      = 2000
	maxAgreementYears = 2
)

// AgreementInput is an agreement as typed.
type AgreementInput struct {
	Goals           string
	Frequency       string
	Confidentiality string
	EndOn           string // YYYY-MM-DD
}

// AgreementOf is the relationship's agreement as the form shows it, with the default
// confidentiality text until the pair has written their own.
func AgreementOf(r *Relationship) AgreementInput {
	in := AgreementInput{Goals: r.AgreementGoals, Frequency: r.AgreementFrequency, Confidentiality: r.AgreementConfidentiality, EndOn: r.AgreementEndOn}
	if in.Confidentiality == "" {
		in.Confidentiality = DefaultConfidentiality
	}
	return in
}

// AgreementWritten reports whether the pair has written an agreement yet.
func (r *Relationship) AgreementWritten() bool { return r.AgreementGoals != "" }

// AgreedByBoth reports whether both people have agreed to the agreement as it stands.
func (r *Relationship) AgreedByBoth() bool {
	return r.AgreementWritten() && r.AgreementMenteeAt != nil && r.AgreementMentorAt != nil
}

// AgreedBy reports whether person id has agreed to the agreement as it stands.
func (r *Relationship) AgreedBy(id int64) bool {
	switch id {
	case r.MenteeID:
		return r.AgreementMenteeAt != nil
	case r.MentorID:
		return r.AgreementMentorAt != nil
	}
	return false
}

// AgreementVersion identifies the agreement's wording. "I agree" carries the version the
// person read, so agreeing to a text the other person has just changed is refused.
func (r *Relationship) AgreementVersion() string {
	h := sha256.Sum256([]byte(r.AgreementGoals + "\x00" + r.AgreementFrequency + "\x00" + r.AgreementConfidentiality + "\x00" + r.AgreementEndOn))
	return hex.EncodeToString(h[:8])
}

// ukZone is where sessions happen: times are typed and shown in UK time and stored in UTC.
var ukZone = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic("mentoring: no Europe/London time zone: " + err.Error()) // time/tzdata is embedded, so this cannot happen
	}
	return l
}()

// todayUK is the date in the UK now, as YYYY-MM-DD.
func (s *Service) todayUK() string { return s.now().In(ukZone).Format(time.DateOnly) }

func cleanText(v string) string {
	return strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
}

// checkAgreement says field by field what to fix, keeping the text as typed otherwise.
func (s *Service) checkAgreement(in AgreementInput) (AgreementInput, valid.Errors) {
	var errs valid.Errors
	a := AgreementInput{Goals: cleanText(in.Goals), Frequency: strings.TrimSpace(in.Frequency), Confidentiality: cleanText(in.Confidentiality), EndOn: strings.TrimSpace(in.EndOn)}
	switch n := utf8.RuneCountInString(a.Goals); {
	case n == 0:
		errs.Add("goals", "Write what you want to achieve together")
	case n > maxAgreementGoals:
		errs.Add("goals", "Write the goals in 4,000 characters or fewer")
	}
	if !inList(Frequencies, a.Frequency) {
		errs.Add("frequency", "Choose how often you will meet")
	}
	switch n := utf8.RuneCountInString(a.Confidentiality); {
	case n == 0:
		errs.Add("confidentiality", "Say what stays between you, and its limits")
	case n > maxAgreementConf:
		errs.Add("confidentiality", "Write the confidentiality agreement in 4,000 characters or fewer")
	}
	today := s.todayUK()
	limit := s.now().In(ukZone).AddDate(maxAgreementYears, 0, 0).Format(time.DateOnly)
	if a.EndOn == "" {
		errs.Add("end_on", "Enter the date you plan to finish")
	} else if d, err := time.Parse(time.DateOnly, a.EndOn); err != nil || d.Format(time.DateOnly) != a.EndOn {
		errs.Add("end_on", "The end date must be a real date, like 2027-03-31")
	} else if a.EndOn <= today {
		errs.Add("end_on", "The end date must be after today")
	} else if a.EndOn > limit {
		errs.Add("end_on", "The end date must be within 2 years from today: agree a shorter relationship and extend it later if you need to")
	}
	return a, errs
}

// SaveAgreement writes the agreement. Either person may; any change clears both "I agree"
// marks, so each then agrees to the words as they now stand. Saving the same words again
// changes nothing.
func (s *Service) SaveAgreement(ctx context.Context, viewerID, id int64, in AgreementInput) error {
	a, errs := s.checkAgreement(in)
	if errs.Any() {
		return errs
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.relationshipTx(ctx, tx, viewerID, id)
		if err != nil {
			return err
		}
		if r.Status != StatusActive {
			return ErrRelationshipClosed
		}
		if r.AgreementGoals == a.Goals && r.AgreementFrequency == a.Frequency && r.AgreementConfidentiality == a.Confidentiality && r.AgreementEndOn == a.EndOn {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE mentoring_relationships SET agreement_goals = ?, agreement_frequency = ?, agreement_confidentiality = ?, agreement_end_on = ?,
			agreement_mentee_at = NULL, agreement_mentor_at = NULL, updated_at = ? WHERE id = ?`,
			a.Goals, a.Frequency, a.Confidentiality, a.EndOn, s.now(), id)
		if err != nil {
			return fmt.Errorf("mentoring: save agreement %d: %w", id, err)
		}
		return nil
	})
}

// Agree records the viewer's "I agree" to the agreement as it stands. version is the
// AgreementVersion the person read: if the other person has changed the words since, nothing
// is recorded and they are asked to read it again.
func (s *Service) Agree(ctx context.Context, viewerID, id int64, version string) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.relationshipTx(ctx, tx, viewerID, id)
		if err != nil {
			return err
		}
		if r.Status != StatusActive {
			return ErrRelationshipClosed
		}
		if !r.AgreementWritten() {
			return valid.Errors{{Field: "agree", Message: "Write the agreement before agreeing to it"}}
		}
		if version != r.AgreementVersion() {
			return valid.Errors{{Field: "agree", Message: "The agreement was changed after you opened this page. Read it again, then agree"}}
		}
		col := "agreement_mentor_at"
		if r.IsMentee(viewerID) {
			col = "agreement_mentee_at"
		}
		_, err = tx.Exec(ctx, `UPDATE mentoring_relationships SET `+col+` = ?, updated_at = ? WHERE id = ? AND `+col+` IS NULL`, s.now(), s.now(), id)
		return err
	})
}

// Complete ends an active relationship as finished ("We have finished"). Planned sessions
// still to come are cancelled and both people are sent the cancellations.
func (s *Service) Complete(ctx context.Context, viewerID, id int64, out *Outbox) error {
	return s.finish(ctx, viewerID, id, StatusCompleted, "", "", out)
}

// EndEarly ends an active relationship before its time, with one of EndReasons and an
// optional note that only the pair ever sees.
func (s *Service) EndEarly(ctx context.Context, viewerID, id int64, reason, note string, out *Outbox) error {
	reason, note = strings.TrimSpace(reason), cleanText(note)
	var errs valid.Errors
	if !inList(EndReasons, reason) {
		errs.Add("reason", "Choose why the relationship is ending")
	}
	if utf8.RuneCountInString(note) > maxEndedNote {
		errs.Add("note", "Write the note in 2,000 characters or fewer")
	}
	if errs.Any() {
		return errs
	}
	return s.finish(ctx, viewerID, id, StatusEndedEarly, reason, note, out)
}

func (s *Service) finish(ctx context.Context, viewerID, id int64, status, reason, note string, out *Outbox) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.relationshipTx(ctx, tx, viewerID, id)
		if err != nil {
			return err
		}
		if r.Status != StatusActive {
			return ErrRelationshipClosed
		}
		now := s.now()
		res, err := tx.Exec(ctx, `UPDATE mentoring_relationships SET status = ?, ended_reason = ?, ended_note = ?, ended_by = ?, ended_at = ?, updated_at = ?
			WHERE id = ? AND status = 'active'`, status, reason, note, viewerID, now, now, id)
		if err != nil {
			return fmt.Errorf("mentoring: end relationship %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrRelationshipClosed
		}
		// Sessions still to come will not happen: cancel them, with a CANCEL for each
		// calendar that holds the invitation.
		future, err := s.sessionsWhere(ctx, tx, `relationship_id = ? AND status = 'planned' AND starts_at > ?`, id, now)
		if err != nil {
			return err
		}
		for _, sess := range future {
			if err := s.cancelTx(ctx, tx, r, sess, viewerID, out); err != nil {
				return err
			}
		}
		return nil
	})
}

// FocusArea is a framework element the pair is working on.
type FocusArea struct {
	Framework, Element, Title string
}

// FocusAreas lists what the pair is working on, for the viewer if they are in the pair.
func (s *Service) FocusAreas(ctx context.Context, viewerID, id int64) ([]FocusArea, error) {
	rows, err := s.db.Query(ctx, `SELECT e.framework_key, e.element_key FROM mentoring_relationship_elements e
		JOIN mentoring_relationships r ON r.id = e.relationship_id
		WHERE e.relationship_id = ? AND (r.mentee_id = ? OR r.mentor_id = ?) ORDER BY e.framework_key, e.element_key`, id, viewerID, viewerID)
	if err != nil {
		return nil, fmt.Errorf("mentoring: focus areas of %d: %w", id, err)
	}
	var out []FocusArea
	for rows.Next() {
		var a FocusArea
		if err := rows.Scan(&a.Framework, &a.Element); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Title = s.elementTitle(ctx, out[i].Framework, out[i].Element)
	}
	return out, nil
}

// elementTitle is an element's title in the framework's current version, or its key.
func (s *Service) elementTitle(ctx context.Context, fw, el string) string {
	if s.frameworks != nil {
		if f, _, err := s.frameworks.Get(ctx, fw, ""); err == nil {
			if e := f.Element(el); e != nil {
				return e.Title
			}
		}
	}
	return el
}
