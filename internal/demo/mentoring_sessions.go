package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
)

// LoadMentoringSessions gives the demo's active mentoring pair, Tomasz and Grace, a life
// together: an agreement both have agreed to, a session held last week with shared notes and a
// private note from each, and a session planned for next week. It sends no email. It does
// nothing when the pair does not exist (the mentoring demo makes it) or already has sessions,
// so it is safe to run on every start. Everything here is invented.
func LoadMentoringSessions(ctx context.Context, db *store.DB, accounts *auth.Service, m *mentoring.Service) error {
	tomasz, err := accounts.UserByEmail(ctx, "tomasz.nowak@demo.pillars.test")
	if err != nil {
		return nil // the demo people are not loaded: nothing to add to
	}
	grace, err := accounts.UserByEmail(ctx, "grace.whitfield@demo.pillars.test")
	if err != nil {
		return nil
	}
	var relID, menteeID, mentorID int64
	err = db.QueryRow(ctx, `SELECT id, mentee_id, mentor_id FROM mentoring_relationships WHERE status = 'active'
		AND ((mentee_id = ? AND mentor_id = ?) OR (mentee_id = ? AND mentor_id = ?)) ORDER BY id LIMIT 1`,
		tomasz.ID, grace.ID, grace.ID, tomasz.ID).Scan(&relID, &menteeID, &mentorID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo: mentoring pair: %w", err)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM mentoring_sessions WHERE relationship_id = ?`, relID).Scan(&n); err != nil {
		return fmt.Errorf("demo: mentoring sessions: %w", err)
	}
	if n > 0 {
		return nil
	}

	uk, _ := time.LoadLocation("Europe/London")
	day := func(days int) string { return time.Now().In(uk).AddDate(0, 0, days).Format(time.DateOnly) }
	agreement := mentoring.AgreementInput{
		Goals: "Build the confidence to lead the ward's discharge-planning huddle every week.\n\n" +
			"Prepare a business case for an occupational therapist in the acute medical unit's front door team.",
		Frequency:       "fortnightly",
		Confidentiality: mentoring.DefaultConfidentiality,
		EndOn:           day(150),
	}
	if err := m.SaveAgreement(ctx, menteeID, relID, agreement); err != nil {
		return fmt.Errorf("demo: agreement: %w", err)
	}
	r, err := m.Relationship(ctx, menteeID, relID)
	if err != nil {
		return err
	}
	for _, who := range []int64{menteeID, mentorID} {
		if err := m.Agree(ctx, who, relID, r.AgreementVersion()); err != nil {
			return fmt.Errorf("demo: agree: %w", err)
		}
	}

	held, err := m.ScheduleSession(ctx, menteeID, relID, mentoring.SessionInput{Date: day(-7), Time: "12:30", Minutes: "60", Mode: "video",
		Location: "https://video.example.org/pillars-demo-room", Agenda: "How the first huddles went.\nWhat stops me speaking up in the consultants' ward round."}, nil)
	if err != nil {
		return fmt.Errorf("demo: held session: %w", err)
	}
	if err := m.MarkHeld(ctx, menteeID, held.ID); err != nil {
		return fmt.Errorf("demo: mark held: %w", err)
	}
	if err := m.SaveSharedNotes(ctx, mentorID, held.ID, "Two huddles led so far; both finished on time.\n\n"+
		"Agreed: open each huddle by naming the time limit, and ask the nurse in charge to hold the list.\n\n"+
		"Before next time: draft one page on the case for a front-door occupational therapist.", mentoring.NotesVersion("")); err != nil {
		return fmt.Errorf("demo: shared notes: %w", err)
	}
	if _, err := m.SavePrivateNote(ctx, menteeID, held.ID, "I said more in this session than I expected to. Grace's question about what I would tell a new starter in my place stuck with me."); err != nil {
		return fmt.Errorf("demo: private note: %w", err)
	}
	if _, err := m.SavePrivateNote(ctx, mentorID, held.ID, "Tomasz underrates how well the huddles are going. Next time: ask what evidence he already has for the business case."); err != nil {
		return fmt.Errorf("demo: private note: %w", err)
	}
	if _, err := m.ScheduleSession(ctx, mentorID, relID, mentoring.SessionInput{Date: day(7), Time: "12:30", Minutes: "45", Mode: "video",
		Location: "https://video.example.org/pillars-demo-room", Agenda: "First draft of the business case.\nPractising the opening of the huddle."}, nil); err != nil {
		return fmt.Errorf("demo: planned session: %w", err)
	}
	return nil
}
