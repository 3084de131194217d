package mentoring

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// ProfileKinds are what a person can offer.
var ProfileKinds = []Labelled{{"mentor", "Mentor"}, {"coach", "Coach"}, {"both", "Mentor and coach"}}

// Accreditations a coach can claim; "" is none. Only a verified claim is ever shown.
var Accreditations = []Labelled{{"", "None"}, {"emcc", "EMCC"}, {"icf", "ICF"}, {"ilm5", "ILM level 5"}, {"ilm7", "ILM level 7"}, {"other", "Other"}}

// Modes are the ways a pair can meet, stored as their values.
var Modes = []Labelled{{"video", "Video"}, {"phone", "Phone"}, {"in-person", "In person"}}

// Regions are the UK's nations and English regions: where a mentor can meet in person.
var Regions = []string{"North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
	"East of England", "London", "South East", "South West", "Wales", "Scotland", "Northern Ireland"}

// Accreditation statuses.
const (
	AccreditationNone     = "none"
	AccreditationPending  = "pending"
	AccreditationVerified = "verified"
	AccreditationRejected = "rejected"
)

// Limits on what a profile holds.
const (
	MaxCapacity     = 20
	maxTextRunes    = 2000
	maxFeePence     = 1_000_000 // £10,000 a session: more is a typing slip
	maxProfileElems = 12
)

// EvidenceExtensions are the files accepted as evidence of accreditation: a certificate is a
// PDF or a picture.
const EvidenceExtensions = ".pdf, .png, .jpg, .gif or .webp"

// Profile is a person's own mentor or coach profile, as they see and edit it. Others see a
// Listing, which has no evidence and no unverified claim.
type Profile struct {
	UserID              int64
	Kind                string
	Level               int
	Background          string
	Accreditation       string // "" or a value of Accreditations
	AccreditationDetail string // the accreditation's name, for "other"
	EvidenceName        string
	EvidenceType        string
	EvidenceSize        int64
	Status              string // none, pending, verified, rejected
	ClaimRevision       int64  // raised whenever the claim, its detail or its evidence changes
	VerifiedAt          *time.Time
	VerificationNote    string
	Free                bool
	FeePence            int64
	Modes               []string
	Region              string
	Capacity            int
	Listed              bool
	Elements            []string // "framework:element"
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// KindLabel says what the person offers.
func (p *Profile) KindLabel() string { return LabelFor(ProfileKinds, p.Kind) }

// Claimed names the accreditation claimed, verified or not: for the person's own pages and
// the verification queue only.
func (p *Profile) Claimed() string { return accreditationName(p.Accreditation, p.AccreditationDetail) }

// Accredited is "Accredited (ICF)" once an administrator has verified the claim, else "".
func (p *Profile) Accredited() string {
	if p.Status != AccreditationVerified {
		return ""
	}
	return "Accredited (" + p.Claimed() + ")"
}

// StatusLabel says where the accreditation claim stands.
func (p *Profile) StatusLabel() string { return statusLabel(p.Status) }

// FeeLabel is "Free" or "£45 a session".
func (p *Profile) FeeLabel() string { return feeLabel(p.Free, p.FeePence) }

// ModesLabel is "video and phone".
func (p *Profile) ModesLabel() string { return modesLabel(p.Modes) }

func statusLabel(s string) string {
	switch s {
	case AccreditationPending:
		return "Waiting to be checked"
	case AccreditationVerified:
		return "Verified"
	case AccreditationRejected:
		return "Not verified"
	}
	return "None claimed"
}

func accreditationName(value, detail string) string {
	if value == "other" {
		return detail
	}
	return LabelFor(Accreditations, value)
}

func feeLabel(free bool, pence int64) string {
	if free {
		return "Free"
	}
	return directory.FormatPence(pence) + " a session"
}

// modeWords are the modes as the score's explanations say them ("offers video and phone").
func modeWords(modes []string) []string {
	out := make([]string, 0, len(modes))
	for _, m := range modes {
		out = append(out, strings.ToLower(LabelFor(Modes, m)))
	}
	return out
}

func modesLabel(modes []string) string {
	w := modeWords(modes)
	switch len(w) {
	case 0:
		return "not given"
	case 1:
		return w[0]
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}

// modesColumn stores modes as ",video,phone," so one mode filters with LIKE.
func modesColumn(modes []string) string {
	if len(modes) == 0 {
		return ""
	}
	return "," + strings.Join(modes, ",") + ","
}

func modesFrom(col string) []string {
	var out []string
	for _, m := range strings.Split(col, ",") {
		if m != "" {
			out = append(out, m)
		}
	}
	return out
}

// ProfileInput is the profile form as typed: text stays text until checked, so the form can be
// shown again exactly as it was.
type ProfileInput struct {
	Kind                string
	Level               string
	Background          string
	Accreditation       string
	AccreditationDetail string
	EvidenceName        string // a newly uploaded file, or "" to keep the stored one
	Evidence            []byte
	Free                bool
	Fee                 string // pounds per session, when not free
	Modes               []string
	Region              string
	Capacity            string
	Listed              bool
	Elements            []string
	LineManager         string // email of the person's line manager, "" for none
}

// ProfileInputOf is a stored profile as the form shows it.
func ProfileInputOf(p *Profile, lineManager string) ProfileInput {
	in := ProfileInput{Kind: p.Kind, Level: strconv.Itoa(p.Level), Background: p.Background, Accreditation: p.Accreditation,
		AccreditationDetail: p.AccreditationDetail, Free: p.Free, Modes: p.Modes, Region: p.Region,
		Capacity: strconv.Itoa(p.Capacity), Listed: p.Listed, Elements: p.Elements, LineManager: lineManager}
	if !p.Free {
		in.Fee = strings.TrimPrefix(strings.ReplaceAll(directory.FormatPence(p.FeePence), ",", ""), "£")
	}
	return in
}

const profileColumns = `user_id, kind, level, background, accreditation, accreditation_detail, evidence_name, evidence_type,
	COALESCE(LENGTH(evidence_data), 0), accreditation_status, claim_revision, verified_at, verification_note, free, COALESCE(fee_pence, 0),
	modes, region, capacity, listed, created_at, updated_at`

func scanProfile(row scanner) (*Profile, error) {
	var p Profile
	var verified sql.NullTime
	var modes string
	err := row.Scan(&p.UserID, &p.Kind, &p.Level, &p.Background, &p.Accreditation, &p.AccreditationDetail, &p.EvidenceName,
		&p.EvidenceType, &p.EvidenceSize, &p.Status, &p.ClaimRevision, &verified, &p.VerificationNote, &p.Free, &p.FeePence,
		&modes, &p.Region, &p.Capacity, &p.Listed, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return nil, err
	}
	p.VerifiedAt, p.Modes = store.TimePtr(verified), modesFrom(modes)
	return &p, nil
}

// querier is a *store.DB or a *store.Tx: loaders run in either, so a change can check what it
// changes inside its own transaction.
type querier interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// Profile returns the person's own profile, or ErrNotFound when they have none.
func (s *Service) Profile(ctx context.Context, userID int64) (*Profile, error) {
	return s.profile(ctx, s.db, userID, false)
}

func (s *Service) profile(ctx context.Context, q querier, userID int64, lock bool) (*Profile, error) {
	query := `SELECT ` + profileColumns + ` FROM mentor_profiles WHERE user_id = ?`
	if lock {
		query += ` FOR UPDATE`
	}
	p, err := scanProfile(q.QueryRow(ctx, query, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("mentoring: profile of %d: %w", userID, err)
	}
	rows, err := q.Query(ctx, `SELECT framework_key, element_key FROM mentor_profile_elements WHERE user_id = ? ORDER BY framework_key, element_key`, userID)
	if err != nil {
		return nil, fmt.Errorf("mentoring: elements of %d: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var fw, el string
		if err := rows.Scan(&fw, &el); err != nil {
			return nil, err
		}
		p.Elements = append(p.Elements, fw+":"+el)
	}
	return p, rows.Err()
}

// checkedProfile is a profile input that passed every check.
type checkedProfile struct {
	p            Profile
	newEvidence  bool
	evidenceType string
}

// checkProfile turns what was typed into a profile, or says field by field what to fix.
func (s *Service) checkProfile(ctx context.Context, in ProfileInput, old *Profile) (*checkedProfile, valid.Errors) {
	var errs valid.Errors
	c := &checkedProfile{p: Profile{Kind: strings.TrimSpace(in.Kind), Background: strings.TrimSpace(in.Background),
		Accreditation: strings.TrimSpace(in.Accreditation), AccreditationDetail: strings.TrimSpace(in.AccreditationDetail),
		Free: in.Free, Region: strings.TrimSpace(in.Region), Listed: in.Listed}}
	p := &c.p
	if !inList(ProfileKinds, p.Kind) {
		errs.Add("kind", "Choose whether you offer mentoring, coaching or both")
	}
	if n, err := strconv.Atoi(strings.TrimSpace(in.Level)); err != nil || n < 1 || n > 9 {
		errs.Add("level", "Choose your career level, from 1 to 9")
	} else {
		p.Level = n
	}
	switch n := utf8.RuneCountInString(p.Background); {
	case n == 0:
		errs.Add("background", "Say a little about your career and what you can help with")
	case n > maxTextRunes:
		errs.Add("background", "Write your background in 2,000 characters or fewer")
	}
	refs, ok := s.checkElements(ctx, in.Elements)
	switch {
	case !ok:
		errs.Add("elements", "Choose elements from the list")
	case len(refs) == 0:
		errs.Add("elements", "Choose at least one element you can help with")
	case len(refs) > maxProfileElems:
		errs.Add("elements", fmt.Sprintf("Choose up to %d elements: the ones you help with most", maxProfileElems))
	}
	p.Elements = refs

	// Accreditation is for coaching, and is only ever claimed with evidence.
	switch {
	case !inList(Accreditations, p.Accreditation):
		errs.Add("accreditation", "Choose an accreditation from the list, or None")
	case p.Accreditation != "" && p.Kind == "mentor":
		errs.Add("accreditation", "Accreditation is for coaches: choose Coach or Mentor and coach above, or choose None")
	case p.Accreditation == "other" && p.AccreditationDetail == "":
		errs.Add("accreditation_detail", "Enter the name of your accreditation")
	case utf8.RuneCountInString(p.AccreditationDetail) > 100:
		errs.Add("accreditation_detail", "Enter the accreditation's name in 100 characters or fewer")
	}
	if p.Accreditation != "other" {
		p.AccreditationDetail = ""
	}
	if in.EvidenceName != "" || len(in.Evidence) > 0 {
		ctype, ferrs := checkEvidence(in.EvidenceName, in.Evidence)
		for _, e := range ferrs {
			errs.Add("evidence", e.Message)
		}
		c.newEvidence, c.evidenceType = len(ferrs) == 0, ctype
		p.EvidenceName = portfolio.CleanFilename(in.EvidenceName)
	}
	if p.Accreditation != "" && errs.For("accreditation") == "" && errs.For("evidence") == "" {
		changed := old == nil || old.Accreditation != p.Accreditation || old.AccreditationDetail != p.AccreditationDetail
		switch {
		case c.newEvidence:
		case old == nil || old.EvidenceSize == 0:
			errs.Add("evidence", "Upload evidence of your "+accreditationName(p.Accreditation, p.AccreditationDetail)+" accreditation, such as your certificate: a PDF or an image")
		case changed:
			errs.Add("evidence", "Upload evidence of your "+accreditationName(p.Accreditation, p.AccreditationDetail)+" accreditation: the file you sent before was for "+old.Claimed())
		}
	}
	if p.Accreditation == "" && c.newEvidence {
		errs.Add("accreditation", "Choose the accreditation your evidence shows, or remove the file")
	}

	fee, feeOK := directory.ParsePounds(in.Fee)
	switch {
	case p.Free:
	case strings.TrimSpace(in.Fee) == "":
		errs.Add("fee", "Enter your fee per session in pounds, like 45, or choose Free")
	case !feeOK:
		errs.Add("fee", "Enter the fee in pounds, like 45 or 45.50")
	case fee < 0:
		errs.Add("fee", "The fee cannot be negative: enter an amount like 45, or choose Free")
	case fee == 0:
		errs.Add("fee", "Enter a fee of more than £0, or choose Free")
	case fee > maxFeePence:
		errs.Add("fee", "Enter a fee of £10,000 or less per session")
	default:
		p.FeePence = fee
	}

	seen := map[string]bool{}
	for _, m := range in.Modes {
		if m = strings.TrimSpace(m); m == "" || seen[m] {
			continue
		}
		if !inList(Modes, m) {
			errs.Add("modes", "Choose how you can meet from the list")
			break
		}
		seen[m] = true
	}
	for _, m := range Modes { // stored in the list's order, whatever order the form sent
		if seen[m.Value] {
			p.Modes = append(p.Modes, m.Value)
		}
	}
	if len(p.Modes) == 0 && errs.For("modes") == "" {
		errs.Add("modes", "Choose at least one way you can meet")
	}
	switch {
	case p.Region != "" && !slices.Contains(Regions, p.Region):
		errs.Add("region", "Choose your region from the list")
	case p.Region == "" && slices.Contains(p.Modes, "in-person"):
		errs.Add("region", "Choose your region, so mentees know where you can meet in person")
	}
	if n, err := strconv.Atoi(strings.TrimSpace(in.Capacity)); err != nil || n < 0 || n > MaxCapacity {
		errs.Add("capacity", fmt.Sprintf("Enter how many mentees you can have at once, from 0 to %d", MaxCapacity))
	} else {
		p.Capacity = n
	}
	return c, errs
}

// checkEvidence accepts a PDF or an image, recognised by its content (portfolio's check), of
// at most 8 MB.
func checkEvidence(name string, data []byte) (string, valid.Errors) {
	shown := portfolio.CleanFilename(name)
	switch strings.ToLower(path.Ext(shown)) {
	case ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp":
	default:
		return "", valid.Errors{{Field: "evidence", Message: fmt.Sprintf("%q is not a PDF or an image: upload your certificate as %s", shown, EvidenceExtensions)}}
	}
	return portfolio.CheckFile(name, data)
}

// SaveProfile creates or changes the person's profile and records their line manager, all at
// once or not at all. A new accreditation claim, a changed one or new evidence waits for an
// administrator again (pending); removing the claim removes its evidence.
func (s *Service) SaveProfile(ctx context.Context, userID int64, in ProfileInput) (*Profile, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		old, err := s.profile(ctx, tx, userID, tx.Dialect() == store.Postgres)
		if errors.Is(err, ErrNotFound) {
			old = nil
		} else if err != nil {
			return err
		}
		c, errs := s.checkProfile(ctx, in, old)
		manager, merrs, err := s.checkLineManager(ctx, tx, userID, in.LineManager, "line_manager")
		if err != nil {
			return err
		}
		errs = append(errs, merrs...)
		if errs.Any() {
			return errs
		}
		p, now := &c.p, s.now()
		var fee any
		if !p.Free {
			fee = p.FeePence
		}
		status, claimChanged := AccreditationNone, true
		if old != nil {
			status = old.Status
			claimChanged = old.Accreditation != p.Accreditation || old.AccreditationDetail != p.AccreditationDetail
		}
		switch {
		case p.Accreditation == "":
			status = AccreditationNone
		case claimChanged || c.newEvidence:
			status = AccreditationPending
		}
		if old == nil {
			_, err = tx.Exec(ctx, `INSERT INTO mentor_profiles (user_id, kind, level, background, accreditation, accreditation_detail,
				accreditation_status, free, fee_pence, modes, region, capacity, listed, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				userID, p.Kind, p.Level, p.Background, p.Accreditation, p.AccreditationDetail, status, p.Free, fee,
				modesColumn(p.Modes), p.Region, p.Capacity, p.Listed, now, now)
		} else {
			_, err = tx.Exec(ctx, `UPDATE mentor_profiles SET kind = ?, level = ?, background = ?, accreditation = ?, accreditation_detail = ?,
				accreditation_status = ?, free = ?, fee_pence = ?, modes = ?, region = ?, capacity = ?, listed = ?, updated_at = ? WHERE user_id = ?`,
				p.Kind, p.Level, p.Background, p.Accreditation, p.AccreditationDetail, status, p.Free, fee,
				modesColumn(p.Modes), p.Region, p.Capacity, p.Listed, now, userID)
		}
		if err != nil {
			return fmt.Errorf("mentoring: save profile of %d: %w", userID, err)
		}
		if old != nil && (claimChanged || c.newEvidence) {
			// A verifier's decision names the revision they looked at (DecideAt), so one made
			// from the page as it was before this change is refused rather than applied to
			// evidence they never saw.
			if _, err := tx.Exec(ctx, `UPDATE mentor_profiles SET claim_revision = claim_revision + 1 WHERE user_id = ?`, userID); err != nil {
				return err
			}
		}
		if status != AccreditationVerified && status != AccreditationRejected {
			// A new or changed claim has not been checked by anyone yet.
			if _, err := tx.Exec(ctx, `UPDATE mentor_profiles SET verified_by = NULL, verified_at = NULL, verification_note = '' WHERE user_id = ?`, userID); err != nil {
				return err
			}
		}
		switch {
		case p.Accreditation == "":
			_, err = tx.Exec(ctx, `UPDATE mentor_profiles SET evidence_name = '', evidence_type = '', evidence_data = NULL WHERE user_id = ?`, userID)
		case c.newEvidence:
			_, err = tx.Exec(ctx, `UPDATE mentor_profiles SET evidence_name = ?, evidence_type = ?, evidence_data = ? WHERE user_id = ?`,
				p.EvidenceName, c.evidenceType, in.Evidence, userID)
		}
		if err != nil {
			return fmt.Errorf("mentoring: evidence of %d: %w", userID, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM mentor_profile_elements WHERE user_id = ?`, userID); err != nil {
			return err
		}
		for _, ref := range p.Elements {
			fw, el, _ := strings.Cut(ref, ":")
			if _, err := tx.Exec(ctx, `INSERT INTO mentor_profile_elements (user_id, framework_key, element_key) VALUES (?, ?, ?)`, userID, fw, el); err != nil {
				return err
			}
		}
		return s.setLineManager(ctx, tx, userID, manager)
	})
	if err != nil {
		return nil, err
	}
	return s.Profile(ctx, userID)
}

// CanVerify reports whether the person may check coaches' accreditation: site administrators
// and programme leads.
func CanVerify(u *auth.User) bool {
	return u != nil && (u.IsSiteAdmin() || u.Has(auth.RoleProgrammeLead))
}

// ErrNotAllowed means the person may not do this at all (the web answers 403).
var ErrNotAllowed = errors.New("mentoring: not allowed")

// Claim is an accreditation claim waiting in the verification queue.
type Claim struct {
	UserID        int64
	Name, Email   string
	Kind          string
	Accreditation string // as claimed, e.g. "ICF"
	EvidenceName  string
	EvidenceSize  int64
	// Revision is the claim as listed: the verifier's decision and evidence link carry it, so
	// a claim changed after the page was opened is looked at again before it is decided.
	Revision  int64
	UpdatedAt time.Time
}

// PendingClaims lists claims waiting to be checked, oldest first.
func (s *Service) PendingClaims(ctx context.Context, viewer *auth.User) ([]Claim, error) {
	if !CanVerify(viewer) {
		return nil, ErrNotAllowed
	}
	rows, err := s.db.Query(ctx, `SELECT p.user_id, u.name, u.email, p.kind, p.accreditation, p.accreditation_detail, p.evidence_name,
		COALESCE(LENGTH(p.evidence_data), 0), p.claim_revision, p.updated_at
		FROM mentor_profiles p JOIN users u ON u.id = p.user_id
		WHERE p.accreditation_status = 'pending' ORDER BY p.updated_at, p.user_id`)
	if err != nil {
		return nil, fmt.Errorf("mentoring: pending claims: %w", err)
	}
	defer rows.Close()
	var out []Claim
	for rows.Next() {
		var c Claim
		var acc, detail string
		if err := rows.Scan(&c.UserID, &c.Name, &c.Email, &c.Kind, &acc, &detail, &c.EvidenceName, &c.EvidenceSize, &c.Revision, &c.UpdatedAt); err != nil {
			return nil, err
		}
		c.Accreditation, c.Kind = accreditationName(acc, detail), LabelFor(ProfileKinds, c.Kind)
		out = append(out, c)
	}
	return out, rows.Err()
}

// PendingClaimCount is how many claims wait to be checked, for the hub's link to the queue.
func (s *Service) PendingClaimCount(ctx context.Context, viewer *auth.User) (int, error) {
	if !CanVerify(viewer) {
		return 0, ErrNotAllowed
	}
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM mentor_profiles WHERE accreditation_status = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("mentoring: pending claims: %w", err)
	}
	return n, nil
}

// claimChanged is the refusal when a claim changed after the verifier opened it.
func claimChanged() *Refused {
	return &Refused{Message: "This claim changed since you opened it: look at it again", Short: "the claim changed"}
}

// ClaimEvidence returns the evidence of a pending claim at revision, the Claim.Revision the
// verifier's page listed, to a verifier; to anyone else it does not exist. Evidence replaced
// since is refused (claimChanged) rather than sent in place of what the page described.
func (s *Service) ClaimEvidence(ctx context.Context, viewer *auth.User, userID, revision int64) (name, contentType string, data []byte, err error) {
	if !CanVerify(viewer) {
		return "", "", nil, ErrNotFound
	}
	var current int64
	err = s.db.QueryRow(ctx, `SELECT evidence_name, evidence_type, evidence_data, claim_revision FROM mentor_profiles
		WHERE user_id = ? AND evidence_data IS NOT NULL`, userID).Scan(&name, &contentType, &data, &current)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil, ErrNotFound
	}
	if err != nil {
		return "", "", nil, fmt.Errorf("mentoring: evidence of %d: %w", userID, err)
	}
	if current != revision {
		return "", "", nil, claimChanged()
	}
	return name, contentType, data, nil
}

// Evidence returns a person's accreditation evidence: to a verifier, or to the person
// themselves. To anyone else it does not exist.
func (s *Service) Evidence(ctx context.Context, viewer *auth.User, userID int64) (name, contentType string, data []byte, err error) {
	if viewer == nil || (!CanVerify(viewer) && viewer.ID != userID) {
		return "", "", nil, ErrNotFound
	}
	err = s.db.QueryRow(ctx, `SELECT evidence_name, evidence_type, evidence_data FROM mentor_profiles WHERE user_id = ? AND evidence_data IS NOT NULL`, userID).
		Scan(&name, &contentType, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil, ErrNotFound
	}
	if err != nil {
		return "", "", nil, fmt.Errorf("mentoring: evidence of %d: %w", userID, err)
	}
	return name, contentType, data, nil
}

// Decide verifies or rejects a pending claim as it stands now, for callers that decide without
// showing anyone the evidence (the demo data). A verifier deciding from a page uses DecideAt.
func (s *Service) Decide(ctx context.Context, verifier *auth.User, userID int64, verify bool, note string, ob *Outbox) error {
	return s.decide(ctx, verifier, userID, 0, false, verify, note, ob)
}

// DecideAt verifies or rejects a pending claim at revision, the Claim.Revision the verifier
// looked at. If the claim, its detail or its evidence changed since, nothing is decided and a
// Refused asks them to look again. A rejection needs a note, which is emailed to the person
// with the decision, in the same transaction; the decision is audited.
func (s *Service) DecideAt(ctx context.Context, verifier *auth.User, userID, revision int64, verify bool, note string, ob *Outbox) error {
	return s.decide(ctx, verifier, userID, revision, true, verify, note, ob)
}

// decide is Decide and DecideAt: checked says whether revision must be the claim's current one.
func (s *Service) decide(ctx context.Context, verifier *auth.User, userID, revision int64, checked, verify bool, note string, ob *Outbox) error {
	if !CanVerify(verifier) {
		return ErrNotAllowed
	}
	note = strings.TrimSpace(note)
	switch {
	case !verify && note == "":
		return valid.Errors{{Field: "note", Message: "Say why the evidence does not show the accreditation: the person will be sent your note"}}
	case utf8.RuneCountInString(note) > maxTextRunes:
		return valid.Errors{{Field: "note", Message: "Write the note in 2,000 characters or fewer"}}
	case verifier.ID == userID:
		return &Refused{Message: "You cannot check your own accreditation: another administrator or programme lead must do it"}
	}
	status, action := AccreditationRejected, "mentoring.accreditation.reject"
	if verify {
		status, action = AccreditationVerified, "mentoring.accreditation.verify"
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var name, email, acc, detail string
		var current int64
		q := `SELECT u.name, u.email, p.accreditation, p.accreditation_detail, p.claim_revision FROM mentor_profiles p JOIN users u ON u.id = p.user_id
			WHERE p.user_id = ? AND p.accreditation_status = 'pending'`
		if tx.Dialect() == store.Postgres {
			q += ` FOR UPDATE OF p` // a save of the profile waits for the decision, or the decision for it
		}
		err := tx.QueryRow(ctx, q, userID).Scan(&name, &email, &acc, &detail, &current)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound // decided by someone else meanwhile, or changed back
		}
		if err != nil {
			return err
		}
		if !checked {
			revision = current
		}
		if revision != current {
			return claimChanged()
		}
		now := s.now()
		res, err := tx.Exec(ctx, `UPDATE mentor_profiles SET accreditation_status = ?, verified_by = ?, verified_at = ?, verification_note = ?
			WHERE user_id = ? AND accreditation_status = 'pending' AND claim_revision = ?`, status, verifier.ID, now, note, userID, revision)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return claimChanged() // changed between the read and the update (SQLite has one writer, so only in theory)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_events (actor_id, action, subject, detail, at) VALUES (?, ?, ?, ?, ?)`,
			verifier.ID, action, fmt.Sprintf("user:%d", userID), accreditationName(acc, detail), now); err != nil {
			return err
		}
		what := accreditationName(acc, detail)
		m := mail.Message{To: email}
		if verify {
			m.Subject = "Your coaching accreditation is verified"
			m.Text = fmt.Sprintf("Hello %s,\n\nYour %s accreditation has been checked. Your Pillars profile now shows you as Accredited (%s).\n\n", name, what, what)
			if note != "" {
				m.Text += "A note from the person who checked it:\n\n" + note + "\n\n"
			}
		} else {
			m.Subject = "Your coaching accreditation could not be verified"
			m.Text = fmt.Sprintf("Hello %s,\n\nYour %s accreditation could not be verified from the evidence you sent, for this reason:\n\n%s\n\nYou can upload new evidence on your mentoring profile, and it will be checked again.\n\n", name, what, note)
		}
		m.Text += "Your profile: " + ob.link("/mentoring/profile") + "\n\nPillars\n"
		return ob.send(ctx, tx, m)
	})
}
