package mentoring_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
	"github.com/pillars-ot/pillars/internal/valid"
)

// pairEnv is a fresh database with a mentee, a mentor, a stranger, an organisation and an
// active relationship between the first two, made with SQL as the accept step would leave it.
type pairEnv struct {
	db                       *store.DB
	svc                      *mentoring.Service
	cat                      *framework.Catalogue
	acc                      *auth.Service
	mentee, mentor, stranger *auth.User
	orgID                    int64
	rel                      int64
	out                      *mentoring.Outbox
	mu                       sync.Mutex
	sent                     []mail.Message
}

func newPairEnv(t *testing.T, db *store.DB) *pairEnv {
	t.Helper()
	ctx := context.Background()
	cat := framework.NewCatalogue(db)
	e := &pairEnv{db: db, cat: cat, svc: mentoring.NewService(db, cat), acc: auth.NewService(db)}
	mk := func(email, name string) *auth.User {
		u, err := e.acc.CreateUser(ctx, auth.NewUser{Email: email, Name: name, Password: "a long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	e.mentee, e.mentor, e.stranger = mk("mentee@example.org", "Mina O'Neill"), mk("mentor@example.org", "Theo Grant"), mk("stranger@example.org", "Sid Stranger")
	o, err := org.NewService(db).Create(ctx, org.Organisation{Slug: "test-trust", Name: "Test Trust", Kind: org.NHSTrust, Region: "North West"})
	if err != nil {
		t.Fatal(err)
	}
	e.orgID = o.ID
	e.rel = activeRelationship(t, db, e.mentee.ID, e.mentor.ID, e.orgID, time.Now().AddDate(0, 0, -30), "ot-leadership:influence", "nhs-hlm:leading-with-care")
	e.out = &mentoring.Outbox{BaseURL: "https://pillars.test", Send: func(_ context.Context, _ *store.Tx, m mail.Message) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.sent = append(e.sent, m)
		return nil
	}}
	return e
}

// takeSent returns the emails sent since the last call.
func (e *pairEnv) takeSent() []mail.Message {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.sent
	e.sent = nil
	return out
}

// activeRelationship inserts an active relationship that started at started, with the
// elements ("framework:element") the pair works on.
func activeRelationship(t *testing.T, db *store.DB, menteeID, mentorID, orgID int64, started time.Time, elements ...string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		var orgArg any
		if orgID != 0 {
			orgArg = orgID
		}
		started = started.UTC().Truncate(time.Microsecond)
		id, err = tx.Insert(ctx, `INSERT INTO mentoring_relationships (mentee_id, mentor_id, org_id, kind, status, requested_at, responded_at, started_at, updated_at)
			VALUES (?, ?, ?, 'mentoring', 'active', ?, ?, ?, ?)`, menteeID, mentorID, orgArg, started, started, started, started)
		if err != nil {
			return err
		}
		for _, ref := range elements {
			fw, el, _ := strings.Cut(ref, ":")
			if _, err := tx.Exec(ctx, `INSERT INTO mentoring_relationship_elements (relationship_id, framework_key, element_key) VALUES (?, ?, ?)`, id, fw, el); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func inDays(n int) string { return time.Now().In(london).AddDate(0, 0, n).Format(time.DateOnly) }

var london, _ = time.LoadLocation("Europe/London")

func wantField(t *testing.T, err error, field, contains string) {
	t.Helper()
	var errs valid.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want a problem on %s, got %v", field, err)
	}
	msg := errs.For(field)
	if msg == "" || !strings.Contains(msg, contains) {
		t.Fatalf("want a problem on %s containing %q, got %v", field, contains, errs)
	}
}

func goodAgreement() mentoring.AgreementInput {
	return mentoring.AgreementInput{Goals: "Chair the discharge huddle with confidence.", Frequency: "monthly",
		Confidentiality: mentoring.DefaultConfidentiality, EndOn: inDays(180)}
}

func TestAgreement(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		bad := []struct {
			name, field, says string
			change            func(*mentoring.AgreementInput)
		}{
			{"no goals", "goals", "Write what you want", func(a *mentoring.AgreementInput) { a.Goals = "  " }},
			{"unknown frequency", "frequency", "how often", func(a *mentoring.AgreementInput) { a.Frequency = "hourly" }},
			{"no confidentiality", "confidentiality", "stays between you", func(a *mentoring.AgreementInput) { a.Confidentiality = "" }},
			{"no end date", "end_on", "Enter the date", func(a *mentoring.AgreementInput) { a.EndOn = "" }},
			{"not a date", "end_on", "real date", func(a *mentoring.AgreementInput) { a.EndOn = "2027-02-30" }},
			{"today", "end_on", "after today", func(a *mentoring.AgreementInput) { a.EndOn = inDays(0) }},
			{"past", "end_on", "after today", func(a *mentoring.AgreementInput) { a.EndOn = inDays(-10) }},
			{"too far", "end_on", "within 2 years", func(a *mentoring.AgreementInput) { a.EndOn = inDays(2*366 + 1) }},
		}
		for _, b := range bad {
			in := goodAgreement()
			b.change(&in)
			wantField(t, e.svc.SaveAgreement(ctx, e.mentee.ID, e.rel, in), b.field, b.says)
		}
		r, _ := e.svc.Relationship(ctx, e.mentee.ID, e.rel)
		if r.AgreementWritten() {
			t.Fatal("a refused agreement was stored")
		}
		if got := mentoring.AgreementOf(r).Confidentiality; got != mentoring.DefaultConfidentiality {
			t.Fatalf("the form should offer the default confidentiality text, got %q", got)
		}
		// A stranger cannot write it.
		if err := e.svc.SaveAgreement(ctx, e.stranger.ID, e.rel, goodAgreement()); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stranger: %v", err)
		}
		// Agreeing before anything is written is refused.
		wantField(t, e.svc.Agree(ctx, e.mentee.ID, e.rel, r.AgreementVersion()), "agree", "Write the agreement")

		if err := e.svc.SaveAgreement(ctx, e.mentor.ID, e.rel, goodAgreement()); err != nil {
			t.Fatal(err)
		}
		r, _ = e.svc.Relationship(ctx, e.mentee.ID, e.rel)
		if r.AgreementFrequency != "monthly" || r.AgreementGoals == "" || r.AgreedBy(e.mentee.ID) || r.AgreedBy(e.mentor.ID) {
			t.Fatalf("saved agreement: %+v", r)
		}
		v1 := r.AgreementVersion()
		for _, id := range []int64{e.mentee.ID, e.mentor.ID} {
			if err := e.svc.Agree(ctx, id, e.rel, v1); err != nil {
				t.Fatal(err)
			}
		}
		r, _ = e.svc.Relationship(ctx, e.mentor.ID, e.rel)
		if !r.AgreedByBoth() {
			t.Fatal("both agreed, but it does not say so")
		}
		// Saving the same words changes nothing; a change clears both marks.
		if err := e.svc.SaveAgreement(ctx, e.mentee.ID, e.rel, goodAgreement()); err != nil {
			t.Fatal(err)
		}
		if r, _ = e.svc.Relationship(ctx, e.mentor.ID, e.rel); !r.AgreedByBoth() {
			t.Fatal("saving unchanged words cleared the agreement")
		}
		changed := goodAgreement()
		changed.Frequency = "fortnightly"
		if err := e.svc.SaveAgreement(ctx, e.mentee.ID, e.rel, changed); err != nil {
			t.Fatal(err)
		}
		r, _ = e.svc.Relationship(ctx, e.mentor.ID, e.rel)
		if r.AgreedBy(e.mentee.ID) || r.AgreedBy(e.mentor.ID) {
			t.Fatal("an edit must clear both agreed marks")
		}
		// Agreeing to the version read before the edit is refused.
		wantField(t, e.svc.Agree(ctx, e.mentor.ID, e.rel, v1), "agree", "changed after you opened")
		if r, _ = e.svc.Relationship(ctx, e.mentor.ID, e.rel); r.AgreedBy(e.mentor.ID) {
			t.Fatal("a stale agreement was recorded")
		}
		if err := e.svc.Agree(ctx, e.mentor.ID, e.rel, r.AgreementVersion()); err != nil {
			t.Fatal(err)
		}
		if r, _ = e.svc.Relationship(ctx, e.mentor.ID, e.rel); !r.AgreedBy(e.mentor.ID) || r.AgreedBy(e.mentee.ID) {
			t.Fatal("each person agrees for themselves only")
		}
	})
}

func TestLifecycle(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		future, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, mentoring.SessionInput{Date: inDays(7), Time: "10:00", Minutes: "60", Mode: "video", Location: "https://meet.example.org/abc"}, e.out)
		if err != nil {
			t.Fatal(err)
		}
		past, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, mentoring.SessionInput{Date: inDays(-7), Time: "10:00", Minutes: "60", Mode: "phone"}, e.out)
		if err != nil {
			t.Fatal(err)
		}
		e.takeSent()

		// Bad input: no reason, an unknown reason, a note too long. Nothing changes.
		wantField(t, e.svc.EndEarly(ctx, e.mentee.ID, e.rel, "", "", e.out), "reason", "Choose why")
		wantField(t, e.svc.EndEarly(ctx, e.mentee.ID, e.rel, "bored", "", e.out), "reason", "Choose why")
		wantField(t, e.svc.EndEarly(ctx, e.mentee.ID, e.rel, "workload", strings.Repeat("x", 2001), e.out), "note", "2,000")
		if err := e.svc.EndEarly(ctx, e.stranger.ID, e.rel, "workload", "", e.out); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stranger ending: %v", err)
		}
		if r, _ := e.svc.Relationship(ctx, e.mentee.ID, e.rel); r.Status != mentoring.StatusActive {
			t.Fatalf("status after refused ends: %s", r.Status)
		}

		if err := e.svc.EndEarly(ctx, e.mentor.ID, e.rel, "changed-role", "Moving to a new trust in March.", e.out); err != nil {
			t.Fatal(err)
		}
		r, _ := e.svc.Relationship(ctx, e.mentee.ID, e.rel)
		if r.Status != mentoring.StatusEndedEarly || r.EndedReason != "changed-role" || r.EndedNote != "Moving to a new trust in March." || r.EndedBy != e.mentor.ID || r.EndedAt == nil {
			t.Fatalf("ended: %+v", r)
		}
		// The session still to come is cancelled, and both people are sent the cancellation;
		// the past one is left for them to mark as held.
		got, _, _ := e.svc.SessionFor(ctx, e.mentee.ID, future.ID)
		if got.Status != mentoring.SessionCancelled || got.ICSSequence != 1 {
			t.Fatalf("future session after ending: %+v", got)
		}
		if got, _, _ := e.svc.SessionFor(ctx, e.mentee.ID, past.ID); got.Status != mentoring.SessionPlanned {
			t.Fatalf("past session after ending: %s", got.Status)
		}
		sent := e.takeSent()
		if len(sent) != 2 {
			t.Fatalf("want 2 cancellations, got %d", len(sent))
		}
		for _, m := range sent {
			cal := parseICS(t, m.Attachments[0].Data)
			if method(cal) != "CANCEL" || !strings.Contains(m.Attachments[0].ContentType, "method=CANCEL") {
				t.Fatalf("cancellation: %s %s", method(cal), m.Attachments[0].ContentType)
			}
		}

		// Ending twice is refused cleanly and changes nothing.
		if err := e.svc.Complete(ctx, e.mentee.ID, e.rel, e.out); !errors.Is(err, mentoring.ErrRelationshipClosed) {
			t.Fatalf("completing an ended relationship: %v", err)
		}
		if err := e.svc.EndEarly(ctx, e.mentee.ID, e.rel, "workload", "", e.out); !errors.Is(err, mentoring.ErrRelationshipClosed) {
			t.Fatalf("ending twice: %v", err)
		}
		if r2, _ := e.svc.Relationship(ctx, e.mentee.ID, e.rel); r2.Status != mentoring.StatusEndedEarly || r2.EndedReason != "changed-role" || r2.EndedBy != e.mentor.ID {
			t.Fatalf("ending twice changed it: %+v", r2)
		}
		// Nothing more can be planned or agreed.
		if _, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, mentoring.SessionInput{Date: inDays(9), Time: "10:00", Minutes: "60", Mode: "video"}, e.out); !errors.Is(err, mentoring.ErrRelationshipClosed) {
			t.Fatalf("scheduling after the end: %v", err)
		}
		if err := e.svc.SaveAgreement(ctx, e.mentee.ID, e.rel, goodAgreement()); !errors.Is(err, mentoring.ErrRelationshipClosed) {
			t.Fatalf("agreement after the end: %v", err)
		}
		if len(e.takeSent()) != 0 {
			t.Fatal("refused changes sent email")
		}

		// Completing: "We have finished".
		rel2 := activeRelationship(t, db, e.mentee.ID, e.mentor.ID, e.orgID, time.Now().AddDate(0, -2, 0))
		if err := e.svc.Complete(ctx, e.mentee.ID, rel2, e.out); err != nil {
			t.Fatal(err)
		}
		if r, _ := e.svc.Relationship(ctx, e.mentor.ID, rel2); r.Status != mentoring.StatusCompleted || r.EndedReason != "" {
			t.Fatalf("completed: %+v", r)
		}
		if err := e.svc.Complete(ctx, e.mentor.ID, rel2, e.out); !errors.Is(err, mentoring.ErrRelationshipClosed) {
			t.Fatalf("completing twice: %v", err)
		}
	})
}

func TestFocusAreas(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		areas, err := e.svc.FocusAreas(context.Background(), e.mentor.ID, e.rel)
		if err != nil {
			t.Fatal(err)
		}
		if len(areas) != 2 || areas[1].Title != "Influence" {
			t.Fatalf("focus areas: %+v", areas)
		}
		if areas, _ := e.svc.FocusAreas(context.Background(), e.stranger.ID, e.rel); len(areas) != 0 {
			t.Fatalf("a stranger sees focus areas: %+v", areas)
		}
	})
}
