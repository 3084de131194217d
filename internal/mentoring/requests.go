package mentoring

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/mentoring/match"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Refused is something Pillars will not do, with the reason in plain words. Nothing was
// changed. Short is the reason for a third person, such as the programme lead whose cohort
// request was skipped ("the mentor has no places left").
type Refused struct{ Message, Short string }

func (e *Refused) Error() string { return e.Message }

// maxWaiting is how many requests a mentee may have waiting for an answer at once, so nobody
// asks every mentor on the list at the same time.
const maxWaiting = 3

// RequestPath is the address of a request's page.
func RequestPath(id int64) string { return "/mentoring/requests/" + strconv.FormatInt(id, 10) }

// refusalFor turns match's reason a pair is ineligible into what the mentee reads.
func refusalFor(reason, mentorName string) *Refused {
	switch reason {
	case match.ReasonSelf:
		return &Refused{"You cannot ask yourself to be your mentor", "the mentor is the mentee"}
	case match.ReasonChain:
		return &Refused{"You and " + mentorName + " are in the same line-management chain. Mentoring needs a space outside line management, so choose someone else",
			"they are in the same line-management chain"}
	case match.ReasonFull:
		return &Refused{mentorName + " has no places left at the moment. Choose another mentor, or ask again later", "the mentor has no places left"}
	}
	return &Refused{"You cannot ask " + mentorName + " at the moment", "the pair cannot be matched"}
}

func alreadyAsked(name string) *Refused {
	return &Refused{"You have already asked " + name + ". Wait for their answer, or withdraw that request first", "there is already a request to this mentor"}
}

// relationshipKind is coaching when the mentor only coaches or the mentee asked for a coach.
func relationshipKind(mentorKind, want string) string {
	if mentorKind == "coach" || (mentorKind == "both" && want == "coach") {
		return "coaching"
	}
	return "mentoring"
}

// pairRequest is one request about to be stored.
type pairRequest struct {
	mentee     *auth.User
	mentorID   int64
	need       Need
	orgID      int64 // 0: the ask's organisation, else the mentee's first
	message    string
	proposedBy int64
}

// lockMentee takes the mentee's row lock on PostgreSQL, so that their waiting requests are
// counted and added one transaction at a time (SQLite has one writer, so it needs none).
// Every change that locks both people locks the mentee first and then the mentor's profile,
// so two such changes never wait for each other. FOR NO KEY UPDATE is the row lock an UPDATE
// would take: it queues transactions that lock the same person, without also blocking every
// insert that merely refers to them (foreign-key checks), as FOR UPDATE would.
func lockMentee(ctx context.Context, tx *store.Tx, menteeID int64) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM users WHERE id = ? FOR NO KEY UPDATE`, menteeID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("mentoring: lock mentee %d: %w", menteeID, err)
	}
	return nil
}

// insertRequest checks a pair inside tx with the mentee's row and then the mentor's locked
// (PostgreSQL) and stores the request, its elements and its email; a pair that may not be
// made is a *Refused and stores nothing.
func (s *Service) insertRequest(ctx context.Context, tx *store.Tx, pr pairRequest, title func(string) string, ob *Outbox) (int64, error) {
	if err := lockMentee(ctx, tx, pr.mentee.ID); err != nil {
		return 0, err
	}
	mentor, err := s.mentor(ctx, tx, pr.mentorID, tx.Dialect() == store.Postgres)
	if errors.Is(err, ErrNotFound) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	if pr.mentorID == pr.mentee.ID {
		return 0, refusalFor(match.ReasonSelf, mentor.Name)
	}
	if !mentor.Listed {
		return 0, &Refused{mentor.Name + " is not taking new mentees at the moment. Choose another mentor", "the mentor is not taking new mentees"}
	}
	// A mentee asking for themselves may choose a mentor over their budget (the mentor's page
	// says so); a programme lead's proposal keeps to the ask, whatever form was posted.
	budget := int64(-1)
	if pr.proposedBy != 0 {
		budget = pr.need.BudgetPence
	}
	if m := mismatchOf(Need{Want: pr.need.Want, BudgetPence: budget}, mentor); m != "" {
		short := "the mentor does not offer what they asked for"
		if mentor.offers(pr.need.Want) {
			short = "the mentor costs more than their budget"
		}
		return 0, &Refused{mentor.Name + " " + m + ". Change what you are looking for, or choose someone else", short}
	}
	var status string
	err = tx.QueryRow(ctx, `SELECT status FROM mentoring_relationships WHERE mentee_id = ? AND mentor_id = ? AND status IN ('requested', 'active')`,
		pr.mentee.ID, pr.mentorID).Scan(&status)
	switch {
	case err == nil && status == StatusActive:
		return 0, &Refused{mentor.Name + " is already your mentor", "the mentor is already theirs"}
	case err == nil:
		return 0, alreadyAsked(mentor.Name)
	case !errors.Is(err, sql.ErrNoRows):
		return 0, err
	}
	me, err := s.menteeFor(ctx, tx, pr.mentee.ID, pr.need)
	if err != nil {
		return 0, err
	}
	score := match.ScoreOneWith(me, mentor.forMatch(), title)
	if !score.Eligible {
		return 0, refusalFor(score.Reason, mentor.Name)
	}
	if pr.proposedBy == 0 {
		var waiting int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM mentoring_relationships WHERE mentee_id = ? AND status = 'requested'`, pr.mentee.ID).Scan(&waiting); err != nil {
			return 0, err
		}
		if waiting >= maxWaiting {
			return 0, &Refused{fmt.Sprintf("You have %d requests waiting for an answer. Withdraw one before you ask someone else", waiting), "too many requests waiting"}
		}
	}
	parts, err := json.Marshal(score)
	if err != nil {
		return 0, err
	}
	org := any(nil)
	if pr.orgID != 0 {
		org = pr.orgID
	} else if a, err := s.ask(ctx, tx, pr.mentee.ID); err == nil && a.OrgID != 0 {
		org = a.OrgID
	} else if m := pr.mentee.PrimaryMembership(); m != nil {
		org = m.OrgID
	}
	proposed := any(nil)
	if pr.proposedBy != 0 {
		proposed = pr.proposedBy
	}
	now := s.now()
	id, err := tx.Insert(ctx, `INSERT INTO mentoring_relationships (mentee_id, mentor_id, org_id, kind, status, request_message, score, score_parts,
		proposed_by, requested_at, updated_at) VALUES (?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?)`,
		pr.mentee.ID, pr.mentorID, org, relationshipKind(mentor.Kind, pr.need.Want), pr.message, score.Total, string(parts), proposed, now, now)
	if store.IsUniqueViolation(err) {
		return 0, alreadyAsked(mentor.Name)
	}
	if err != nil {
		return 0, fmt.Errorf("mentoring: request %d -> %d: %w", pr.mentee.ID, pr.mentorID, err)
	}
	for _, g := range working(pr.need, mentor) {
		fw, el, _ := strings.Cut(g.Ref, ":")
		if _, err := tx.Exec(ctx, `INSERT INTO mentoring_relationship_elements (relationship_id, framework_key, element_key) VALUES (?, ?, ?)`, id, fw, el); err != nil {
			return 0, err
		}
	}
	var mentorEmail string
	if err := tx.QueryRow(ctx, `SELECT email FROM users WHERE id = ?`, pr.mentorID).Scan(&mentorEmail); err != nil {
		return 0, err
	}
	role := kindWord(relationshipKind(mentor.Kind, pr.need.Want))
	text := fmt.Sprintf("Hello %s,\n\n%s has asked you to be their %s on Pillars.\n\n", mentor.Name, pr.mentee.Name, role)
	if pr.proposedBy != 0 {
		text = fmt.Sprintf("Hello %s,\n\nA programme lead has matched you with %s as their %s, and Pillars has sent you the request on their behalf.\n\n", mentor.Name, pr.mentee.Name, role)
	}
	if pr.message != "" {
		text += "Their message:\n\n" + pr.message + "\n\n"
	}
	text += "Read the request and accept or decline it: " + ob.link(RequestPath(id)) + "\n\nPillars\n"
	if err := ob.send(ctx, tx, mail.Message{To: mentorEmail, Subject: pr.mentee.Name + " would like you as their " + role, Text: text}); err != nil {
		return 0, err
	}
	return id, nil
}

// Request asks a mentor to mentor (or coach) the mentee, with a message, and emails the
// mentor. The score and its parts are kept as the mentee saw them, with the mentee's gaps the
// mentor helps with. Refused, with nothing stored: yourself, an unlisted mentor, one with no
// places left (counted in this transaction, under the mentor's row lock on PostgreSQL), one in
// your line-management chain, a second live request to the same mentor, or a fourth waiting
// request.
func (s *Service) Request(ctx context.Context, mentee *auth.User, mentorID int64, n Need, message string, ob *Outbox) (int64, error) {
	message = strings.TrimSpace(message)
	if utf8.RuneCountInString(message) > maxTextRunes {
		return 0, valid.Errors{{Field: "message", Message: "Write your message in 2,000 characters or fewer"}}
	}
	title, err := s.titleFunc(ctx)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		id, err = s.insertRequest(ctx, tx, pairRequest{mentee: mentee, mentorID: mentorID, need: n, message: message}, title, ob)
		return err
	})
	return id, err
}

// answer loads a request for its mentor to answer, inside tx with the row locked on
// PostgreSQL. To anyone but the mentor it does not exist.
func (s *Service) answer(ctx context.Context, tx *store.Tx, mentorID, id int64) (*Relationship, error) {
	r, err := s.relationshipTx(ctx, tx, mentorID, id)
	if err != nil {
		return nil, err
	}
	if !r.IsMentor(mentorID) {
		return nil, ErrNotFound
	}
	if r.Status != StatusRequested {
		return nil, answeredAlready(r)
	}
	return r, nil
}

// answeredAlready says why a request can no longer be answered.
func answeredAlready(r *Relationship) *Refused {
	switch r.Status {
	case StatusActive, StatusCompleted, StatusEndedEarly:
		return &Refused{Message: "You have already accepted this request. Nothing has changed"}
	case StatusDeclined:
		return &Refused{Message: "You have already declined this request. Nothing has changed"}
	case StatusWithdrawn:
		return &Refused{Message: r.MenteeName + " withdrew this request, so there is nothing to answer"}
	}
	return &Refused{Message: "This request has already been answered"}
}

func checkReply(message string, required bool) (string, error) {
	message = strings.TrimSpace(message)
	switch {
	case required && message == "":
		return "", valid.Errors{{Field: "reply", Message: "Write a short message saying why, so they can ask someone else"}}
	case utf8.RuneCountInString(message) > maxTextRunes:
		return "", valid.Errors{{Field: "reply", Message: "Write your message in 2,000 characters or fewer"}}
	}
	return message, nil
}

// Accept makes a request an active relationship and emails the mentee with the mentor's
// message. Refused, changing nothing: a request already answered (accepting twice), a mentor
// who is no longer listed or whose places are all taken now, or a pair now in one
// line-management chain. The checks and the change are one transaction, under the request's,
// the mentee's and then the mentor's row locks on PostgreSQL (the order insertRequest takes),
// and the change is conditional on the request still waiting.
func (s *Service) Accept(ctx context.Context, mentorID, id int64, message string, ob *Outbox) error {
	message, err := checkReply(message, false)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.answer(ctx, tx, mentorID, id)
		if err != nil {
			return err
		}
		if err := lockMentee(ctx, tx, r.MenteeID); err != nil {
			return err
		}
		mentor, err := s.mentor(ctx, tx, mentorID, tx.Dialect() == store.Postgres)
		if errors.Is(err, ErrNotFound) {
			return &Refused{Message: "You have no mentor profile any more, so you cannot accept. Register again on your profile page"}
		} else if err != nil {
			return err
		}
		if !mentor.Listed {
			return &Refused{Message: "Your profile says you are not taking new mentees at the moment. Change that on your profile page to accept, or decline"}
		}
		me, err := s.menteeFor(ctx, tx, r.MenteeID, Need{})
		if err != nil {
			return err
		}
		switch match.ScoreOne(me, mentor.forMatch()).Reason {
		case match.ReasonChain:
			return &Refused{Message: "You and " + r.MenteeName + " are now in the same line-management chain. Mentoring needs a space outside line management, so decline, saying why"}
		case match.ReasonFull:
			return &Refused{Message: fmt.Sprintf("You have no places left: %s at once, and you have %d now. Raise your capacity on your profile, or decline", countWord(mentor.Capacity, "mentee"), mentor.Active)}
		}
		now := s.now()
		res, err := tx.Exec(ctx, `UPDATE mentoring_relationships SET status = 'active', response_message = ?, responded_at = ?, started_at = ?, updated_at = ?
			WHERE id = ? AND mentor_id = ? AND status = 'requested'`, message, now, now, now, id, mentorID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return answeredAlready(r) // answered meanwhile (SQLite has no row lock, but one writer)
		}
		if _, err := tx.Exec(ctx, `UPDATE mentoring_asks SET status = 'matched', updated_at = ? WHERE user_id = ? AND status = 'open'`, now, r.MenteeID); err != nil {
			return err
		}
		text := fmt.Sprintf("Hello %s,\n\n%s has accepted your request: they are now your %s.\n\n", r.MenteeName, r.MentorName, kindWord(r.Kind))
		if message != "" {
			text += "Their message:\n\n" + message + "\n\n"
		}
		text += "Agree how you will work together and plan your first session: " + ob.link("/mentoring/relationships/"+strconv.FormatInt(id, 10)) + "\n\nPillars\n"
		return ob.send(ctx, tx, mail.Message{To: r.MenteeEmail, Subject: r.MentorName + " has accepted your request", Text: text})
	})
}

// Decline refuses a request with a message, which is emailed to the mentee.
func (s *Service) Decline(ctx context.Context, mentorID, id int64, message string, ob *Outbox) error {
	message, err := checkReply(message, true)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.answer(ctx, tx, mentorID, id)
		if err != nil {
			return err
		}
		now := s.now()
		res, err := tx.Exec(ctx, `UPDATE mentoring_relationships SET status = 'declined', response_message = ?, responded_at = ?, updated_at = ?
			WHERE id = ? AND mentor_id = ? AND status = 'requested'`, message, now, now, id, mentorID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return answeredAlready(r)
		}
		text := fmt.Sprintf("Hello %s,\n\n%s cannot be your %s at the moment. Their message:\n\n%s\n\nYou can ask someone else: %s\n\nPillars\n",
			r.MenteeName, r.MentorName, kindWord(r.Kind), message, ob.link("/mentoring/find"))
		return ob.send(ctx, tx, mail.Message{To: r.MenteeEmail, Subject: r.MentorName + " has answered your request", Text: text})
	})
}

// Withdraw takes back a request still waiting for an answer; the mentor is told. Only the
// mentee may; to anyone else it does not exist.
func (s *Service) Withdraw(ctx context.Context, menteeID, id int64, ob *Outbox) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.relationshipTx(ctx, tx, menteeID, id)
		if err != nil {
			return err
		}
		if !r.IsMentee(menteeID) {
			return ErrNotFound
		}
		if r.Status != StatusRequested {
			return &Refused{Message: "This request has already been answered, so it cannot be withdrawn"}
		}
		now := s.now()
		res, err := tx.Exec(ctx, `UPDATE mentoring_relationships SET status = 'withdrawn', responded_at = ?, updated_at = ?
			WHERE id = ? AND mentee_id = ? AND status = 'requested'`, now, now, id, menteeID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &Refused{Message: "This request has already been answered, so it cannot be withdrawn"}
		}
		text := fmt.Sprintf("Hello %s,\n\n%s has withdrawn their request for you to be their %s. There is nothing you need to do.\n\nPillars\n", r.MentorName, r.MenteeName, kindWord(r.Kind))
		return ob.send(ctx, tx, mail.Message{To: r.MentorEmail, Subject: r.MenteeName + " has withdrawn their request", Text: text})
	})
}

func kindWord(kind string) string {
	if kind == "coaching" {
		return "coach"
	}
	return "mentor"
}

func countWord(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// RequestDetail is a request as its mentee or mentor sees it.
type RequestDetail struct {
	*Relationship
	Seen     *match.Score // the score as the mentee saw it when asking; nil if not kept
	Elements []Gap        // what they would work on
	Goals    string       // what the mentee wants to work on, from their ask: only while the request waits
	Mentor   *Listing
}

// RequestDetail returns a request for its mentee or mentor (the gate); to anyone else it does not
// exist.
func (s *Service) RequestDetail(ctx context.Context, viewerID, id int64) (*RequestDetail, error) {
	r, err := s.Relationship(ctx, viewerID, id)
	if err != nil {
		return nil, err
	}
	d := &RequestDetail{Relationship: r}
	if r.ScoreParts != "" {
		var sc match.Score
		if json.Unmarshal([]byte(r.ScoreParts), &sc) == nil {
			d.Seen = &sc
		}
	}
	titles, err := s.elementTitles(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT framework_key, element_key FROM mentoring_relationship_elements WHERE relationship_id = ? ORDER BY framework_key, element_key`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var fw, el string
		if err := rows.Scan(&fw, &el); err != nil {
			return nil, err
		}
		d.Elements = append(d.Elements, Gap{Ref: fw + ":" + el, Title: titles[fw+":"+el]})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The mentee's goals are read from their ask as it is now, so they are shared with a
	// mentor only while that mentor's request waits for an answer: a mentor who declined, a
	// withdrawn request's, or a former mentor never sees goals written since.
	if r.Status == StatusRequested {
		if a, err := s.ask(ctx, s.db, r.MenteeID); err == nil {
			d.Goals = a.Goals
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	if l, err := s.mentor(ctx, s.db, r.MentorID, false); err == nil {
		d.Mentor = l
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	return d, nil
}
