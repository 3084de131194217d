package mentoring_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"sync"
	"testing"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
	"github.com/pillars-ot/pillars/internal/valid"
)

// matchFx is what the matching tests need on one fresh database. Its helpers are named for
// this part of the area (profiles, asks, requests, cohorts), apart from the relationship
// tests' own.
type matchFx struct {
	t    *testing.T
	ctx  context.Context
	db   *store.DB
	svc  *mentoring.Service
	acc  *auth.Service
	orgs *org.Service
	mu   sync.Mutex
	sent []mail.Message
	ob   *mentoring.Outbox
	n    int
}

func newMatchFx(t *testing.T, db *store.DB) *matchFx {
	f := &matchFx{t: t, ctx: context.Background(), db: db, acc: auth.NewService(db), orgs: org.NewService(db)}
	f.svc = mentoring.NewService(db, framework.NewCatalogue(db))
	f.ob = &mentoring.Outbox{BaseURL: "https://pillars.example", Send: func(_ context.Context, _ *store.Tx, m mail.Message) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.sent = append(f.sent, m)
		return nil
	}}
	for _, slug := range []string{"north-trust", "south-trust"} {
		if _, err := f.orgs.Create(f.ctx, org.Organisation{Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:], Kind: org.NHSTrust, Region: "North West"}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// person makes an account at a career level, a practitioner in north-trust unless roles say
// otherwise ("south-trust:programme-lead").
func (f *matchFx) person(name string, level int, roles ...string) *auth.User {
	f.t.Helper()
	f.n++
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + fmt.Sprintf("%d@example.test", f.n)
	u, err := f.acc.CreateUser(f.ctx, auth.NewUser{Email: email, Name: name, Password: "correct horse battery staple", CareerLevel: level})
	if err != nil {
		f.t.Fatal(err)
	}
	if len(roles) == 0 {
		roles = []string{"north-trust:practitioner"}
	}
	for _, r := range roles {
		slug, role, _ := strings.Cut(r, ":")
		if err := f.acc.Grant(f.ctx, 0, u.ID, slug, auth.Role(role)); err != nil {
			f.t.Fatal(err)
		}
	}
	u, err = f.acc.UserByID(f.ctx, u.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// goodProfile is a complete, valid mentor profile; tests change one thing.
func goodProfile() mentoring.ProfileInput {
	return mentoring.ProfileInput{Kind: "mentor", Level: "7", Background: "Twenty years in community rehabilitation.",
		Free: true, Modes: []string{"video"}, Region: "North West", Capacity: "2", Listed: true,
		Elements: []string{"ot-leadership:influence", "ot-leadership:communication"}}
}

// mentor registers a person as a mentor with goodProfile, changed by change.
func (f *matchFx) mentor(name string, level int, change func(*mentoring.ProfileInput)) *auth.User {
	f.t.Helper()
	u := f.person(name, level)
	in := goodProfile()
	in.Level = fmt.Sprint(level)
	if change != nil {
		change(&in)
	}
	if _, err := f.svc.SaveProfile(f.ctx, u.ID, in); err != nil {
		f.t.Fatalf("profile for %s: %v", name, err)
	}
	return u
}

func (f *matchFx) count(table string) int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRow(f.ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// counts is every mentoring-match table's row count, to show a refusal changed nothing.
func (f *matchFx) counts() string {
	f.t.Helper()
	var b strings.Builder
	for _, tbl := range []string{"mentor_profiles", "mentor_profile_elements", "line_managers", "mentoring_asks", "mentoring_ask_elements",
		"mentoring_relationships", "mentoring_relationship_elements", "audit_events"} {
		fmt.Fprintf(&b, "%s=%d ", tbl, f.count(tbl))
	}
	var active int
	if err := f.db.QueryRow(f.ctx, `SELECT COUNT(*) FROM mentoring_relationships WHERE status = 'active'`).Scan(&active); err != nil {
		f.t.Fatal(err)
	}
	fmt.Fprintf(&b, "active=%d mails=%d", active, f.mails())
	return b.String()
}

func (f *matchFx) mails() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

func (f *matchFx) lastMail() mail.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sent) == 0 {
		f.t.Fatal("no email sent")
	}
	return f.sent[len(f.sent)-1]
}

func fieldProblem(t *testing.T, err error, field string) string {
	t.Helper()
	var errs valid.Errors
	if !errors.As(err, &errs) || errs.For(field) == "" {
		t.Fatalf("want a problem on %s, got %v", field, err)
	}
	return errs.For(field)
}

func refusal(t *testing.T, err error, want string) {
	t.Helper()
	var r *mentoring.Refused
	if !errors.As(err, &r) {
		t.Fatalf("want a refusal saying %q, got %v", want, err)
	}
	if !strings.Contains(r.Message, want) {
		t.Fatalf("refusal %q does not say %q", r.Message, want)
	}
}

var pdfBytes = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func pngBytes() []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2)))
	return b.Bytes()
}

func TestProfileSavedAndShownAsTyped(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		u := f.person("Mo Mentor", 7)
		in := goodProfile()
		in.Kind, in.Free, in.Fee, in.Modes = "both", false, "45.50", []string{"phone", "video", "phone"}
		in.Elements = append(in.Elements, "rcot-pillars:leadership")
		p, err := f.svc.SaveProfile(f.ctx, u.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != "both" || p.Level != 7 || p.FeePence != 4550 || p.Free || p.FeeLabel() != "£45.50 a session" || p.Capacity != 2 || !p.Listed {
			t.Fatalf("saved %+v", p)
		}
		if got := strings.Join(p.Modes, ","); got != "video,phone" {
			t.Errorf("modes %q: want the list's order without repeats", got)
		}
		if len(p.Elements) != 3 || p.Status != mentoring.AccreditationNone || p.Accredited() != "" {
			t.Errorf("elements %v, status %s", p.Elements, p.Status)
		}
		back := mentoring.ProfileInputOf(p, "")
		if back.Fee != "45.50" || back.Kind != "both" || back.Level != "7" || back.Capacity != "2" {
			t.Errorf("the form shows %+v", back)
		}
		// Saving again with fewer elements replaces them.
		in.Elements = []string{"ot-leadership:advocacy"}
		if p, err = f.svc.SaveProfile(f.ctx, u.ID, in); err != nil || len(p.Elements) != 1 || f.count("mentor_profile_elements") != 1 {
			t.Fatalf("resave: %v %+v", err, p)
		}
	})
}

// TestProfileBadInput: each problem is a plain message on its field, and nothing is stored,
// whether the person has no profile yet or is changing one.
func TestProfileBadInput(t *testing.T) {
	cases := []struct {
		name   string
		change func(*mentoring.ProfileInput)
		field  string
		says   string
	}{
		{"no kind", func(in *mentoring.ProfileInput) { in.Kind = "" }, "kind", "mentoring, coaching or both"},
		{"level out of range", func(in *mentoring.ProfileInput) { in.Level = "10" }, "level", "from 1 to 9"},
		{"no background", func(in *mentoring.ProfileInput) { in.Background = " " }, "background", "Say a little"},
		{"no elements", func(in *mentoring.ProfileInput) { in.Elements = nil }, "elements", "at least one"},
		{"an element not offered", func(in *mentoring.ProfileInput) { in.Elements = []string{"ot-leadership:flying"} }, "elements", "from the list"},
		{"a coach claiming accreditation with no evidence", func(in *mentoring.ProfileInput) { in.Kind, in.Accreditation = "coach", "icf" },
			"evidence", "Upload evidence of your ICF accreditation"},
		{"accreditation claimed by a mentor only", func(in *mentoring.ProfileInput) {
			in.Accreditation, in.EvidenceName, in.Evidence = "emcc", "cert.pdf", pdfBytes
		}, "accreditation", "for coaches"},
		{"other accreditation without its name", func(in *mentoring.ProfileInput) {
			in.Kind, in.Accreditation, in.EvidenceName, in.Evidence = "coach", "other", "cert.pdf", pdfBytes
		}, "accreditation_detail", "name of your accreditation"},
		{"evidence that is not a PDF or an image", func(in *mentoring.ProfileInput) {
			in.Kind, in.Accreditation, in.EvidenceName, in.Evidence = "coach", "icf", "cert.docx", []byte("PK\x03\x04")
		}, "evidence", "not a PDF or an image"},
		{"evidence named as a PDF that is not one", func(in *mentoring.ProfileInput) {
			in.Kind, in.Accreditation, in.EvidenceName, in.Evidence = "coach", "icf", "cert.pdf", pngBytes()
		}, "evidence", "content is a PNG image"},
		{"evidence over 8 MB", func(in *mentoring.ProfileInput) {
			in.Kind, in.Accreditation, in.EvidenceName = "coach", "icf", "cert.pdf"
			in.Evidence = append(append([]byte{}, pdfBytes...), make([]byte, 8<<20)...)
		}, "evidence", "8 MB or smaller"},
		{"a negative fee", func(in *mentoring.ProfileInput) { in.Free, in.Fee = false, "-20" }, "fee", "cannot be negative"},
		{"a fee that is not money", func(in *mentoring.ProfileInput) { in.Free, in.Fee = false, "forty" }, "fee", "in pounds"},
		{"paid with no fee", func(in *mentoring.ProfileInput) { in.Free, in.Fee = false, "" }, "fee", "or choose Free"},
		{"no way to meet", func(in *mentoring.ProfileInput) { in.Modes = nil }, "modes", "at least one way"},
		{"a mode not offered", func(in *mentoring.ProfileInput) { in.Modes = []string{"carrier pigeon"} }, "modes", "from the list"},
		{"in person with no region", func(in *mentoring.ProfileInput) { in.Modes, in.Region = []string{"in-person"}, "" }, "region", "in person"},
		{"a region not on the list", func(in *mentoring.ProfileInput) { in.Region = "Atlantis" }, "region", "from the list"},
		{"capacity over 20", func(in *mentoring.ProfileInput) { in.Capacity = "21" }, "capacity", "from 0 to 20"},
		{"capacity not a number", func(in *mentoring.ProfileInput) { in.Capacity = "two" }, "capacity", "from 0 to 20"},
		{"a line manager with no account", func(in *mentoring.ProfileInput) { in.LineManager = "nobody@example.test" }, "line_manager", "No one with a Pillars account"},
		{"a line manager email that is not one", func(in *mentoring.ProfileInput) { in.LineManager = "my boss" }, "line_manager", "email address"},
	}
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		fresh := f.person("New Person", 6)
		existing := f.mentor("Settled Mentor", 7, nil)
		before, _ := f.svc.Profile(f.ctx, existing.ID)
		for _, tc := range cases {
			for _, who := range []*auth.User{fresh, existing} {
				counts := f.counts()
				in := goodProfile()
				tc.change(&in)
				_, err := f.svc.SaveProfile(f.ctx, who.ID, in)
				if msg := fieldProblem(t, err, tc.field); !strings.Contains(msg, tc.says) {
					t.Errorf("%s: %q does not say %q", tc.name, msg, tc.says)
				}
				if after := f.counts(); after != counts {
					t.Errorf("%s for %s changed the data: %s -> %s", tc.name, who.Name, counts, after)
				}
			}
		}
		if _, err := f.svc.Profile(f.ctx, fresh.ID); !errors.Is(err, mentoring.ErrNotFound) {
			t.Errorf("a refused first profile was stored: %v", err)
		}
		after, _ := f.svc.Profile(f.ctx, existing.ID)
		if after.UpdatedAt != before.UpdatedAt || after.Background != before.Background {
			t.Errorf("a refused change altered the profile: %+v", after)
		}
		// The line manager may not be the person, nor someone they manage.
		in := goodProfile()
		in.LineManager = existing.Email
		if msg := fieldProblem(t, func() error { _, err := f.svc.SaveProfile(f.ctx, existing.ID, in); return err }(), "line_manager"); !strings.Contains(msg, "not your own") {
			t.Errorf("self as manager: %q", msg)
		}
	})
}

// TestAccreditationIsShownOnlyOnceVerified follows a claim from upload to verification and
// back to pending, and checks who may see the evidence.
func TestAccreditationIsShownOnlyOnceVerified(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		coach := f.mentor("Cara Coach", 8, func(in *mentoring.ProfileInput) {
			in.Kind, in.Accreditation, in.EvidenceName, in.Evidence = "coach", "icf", "ICF certificate.pdf", pdfBytes
		})
		admin := f.person("Site Admin", 0, "north-trust:site-admin")
		lead := f.person("Programme Lead", 8, "south-trust:programme-lead")
		other := f.person("Someone Else", 5)

		p, _ := f.svc.Profile(f.ctx, coach.ID)
		if p.Status != mentoring.AccreditationPending || p.Accredited() != "" || p.Claimed() != "ICF" || p.EvidenceSize != int64(len(pdfBytes)) {
			t.Fatalf("a new claim: %+v", p)
		}
		if l, _ := f.svc.Mentor(f.ctx, coach.ID); l.Accredited() != "" {
			t.Fatalf("an unverified claim is listed as %q", l.Accredited())
		}

		// Who may see the queue and the evidence.
		for _, u := range []*auth.User{admin, lead} {
			if !mentoring.CanVerify(u) {
				t.Errorf("%s cannot verify", u.Name)
			}
			claims, err := f.svc.PendingClaims(f.ctx, u)
			if err != nil || len(claims) != 1 || claims[0].Accreditation != "ICF" || claims[0].EvidenceName != "ICF certificate.pdf" {
				t.Errorf("queue for %s: %+v %v", u.Name, claims, err)
			}
			if name, ctype, data, err := f.svc.Evidence(f.ctx, u, coach.ID); err != nil || name != "ICF certificate.pdf" || ctype != "application/pdf" || !bytes.Equal(data, pdfBytes) {
				t.Errorf("evidence for %s: %q %q %v", u.Name, name, ctype, err)
			}
		}
		if mentoring.CanVerify(other) || mentoring.CanVerify(coach) {
			t.Error("a practitioner may verify")
		}
		if _, err := f.svc.PendingClaims(f.ctx, other); !errors.Is(err, mentoring.ErrNotAllowed) {
			t.Errorf("queue for a practitioner: %v", err)
		}
		if _, _, _, err := f.svc.Evidence(f.ctx, other, coach.ID); !errors.Is(err, mentoring.ErrNotFound) {
			t.Errorf("another person's evidence: %v", err)
		}
		if _, _, _, err := f.svc.Evidence(f.ctx, coach, coach.ID); err != nil {
			t.Errorf("the coach's own evidence: %v", err)
		}

		// Refusals change nothing.
		counts := f.counts()
		if err := f.svc.Decide(f.ctx, admin, coach.ID, false, " ", f.ob); fieldProblem(t, err, "note") == "" {
			t.Fatal("a rejection without a note")
		}
		if err := f.svc.Decide(f.ctx, other, coach.ID, true, "", f.ob); !errors.Is(err, mentoring.ErrNotAllowed) {
			t.Errorf("a practitioner verified: %v", err)
		}
		if err := f.svc.Decide(f.ctx, admin, other.ID, true, "", f.ob); !errors.Is(err, mentoring.ErrNotFound) {
			t.Errorf("verifying someone with no claim: %v", err)
		}
		if after := f.counts(); after != counts {
			t.Fatalf("refused decisions changed data: %s -> %s", counts, after)
		}

		// Verified: shown, emailed and audited.
		if err := f.svc.Decide(f.ctx, lead, coach.ID, true, "Checked with ICF's register.", f.ob); err != nil {
			t.Fatal(err)
		}
		if l, _ := f.svc.Mentor(f.ctx, coach.ID); l.Accredited() != "Accredited (ICF)" {
			t.Errorf("verified claim listed as %q", l.Accredited())
		}
		m := f.lastMail()
		if m.To != coach.Email || !strings.Contains(m.Text, "Accredited (ICF)") || !strings.Contains(m.Text, "https://pillars.example/mentoring/profile") {
			t.Errorf("email: %+v", m)
		}
		var audits int
		_ = db.QueryRow(f.ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'mentoring.accreditation.verify' AND actor_id = ? AND subject = ?`, lead.ID, fmt.Sprintf("user:%d", coach.ID)).Scan(&audits)
		if audits != 1 {
			t.Errorf("audit rows: %d", audits)
		}
		if err := f.svc.Decide(f.ctx, admin, coach.ID, true, "", f.ob); !errors.Is(err, mentoring.ErrNotFound) {
			t.Errorf("deciding twice: %v", err)
		}

		// Saving other changes keeps the verification; new evidence sends it back to pending.
		in := mentoring.ProfileInputOf(mustProfile(t, f, coach.ID), "")
		in.Capacity = "4"
		if p, _ := f.svc.SaveProfile(f.ctx, coach.ID, in); p.Status != mentoring.AccreditationVerified {
			t.Errorf("an unrelated change reset verification: %s", p.Status)
		}
		in.EvidenceName, in.Evidence = "renewed.png", pngBytes()
		if p, _ := f.svc.SaveProfile(f.ctx, coach.ID, in); p.Status != mentoring.AccreditationPending || p.EvidenceName != "renewed.png" || p.Accredited() != "" {
			t.Errorf("new evidence: %+v", p)
		}
		// A changed claim needs evidence of its own.
		in.EvidenceName, in.Evidence, in.Accreditation = "", nil, "emcc"
		_, err := f.svc.SaveProfile(f.ctx, coach.ID, in)
		if msg := fieldProblem(t, err, "evidence"); !strings.Contains(msg, "EMCC") {
			t.Errorf("changed claim: %q", msg)
		}
		// A rejection is emailed with its reason.
		if err := f.svc.Decide(f.ctx, admin, coach.ID, false, "The certificate has expired.", f.ob); err != nil {
			t.Fatal(err)
		}
		if m := f.lastMail(); !strings.Contains(m.Text, "The certificate has expired.") {
			t.Errorf("rejection email: %q", m.Text)
		}
		if p := mustProfile(t, f, coach.ID); p.Status != mentoring.AccreditationRejected || p.Accredited() != "" {
			t.Errorf("rejected: %+v", p)
		}
		// Dropping the claim drops the evidence.
		in.Accreditation = ""
		if p, err := f.svc.SaveProfile(f.ctx, coach.ID, in); err != nil || p.Status != mentoring.AccreditationNone || p.EvidenceSize != 0 {
			t.Errorf("claim dropped: %+v %v", p, err)
		}
		// Nobody checks their own claim.
		self := f.mentor("Lead Coach", 8, func(in *mentoring.ProfileInput) {
			in.Kind, in.Accreditation, in.EvidenceName, in.Evidence = "coach", "ilm7", "ilm.jpg", []byte("\xff\xd8\xff\xe0 jpeg")
		})
		if err := f.acc.Grant(f.ctx, 0, self.ID, "north-trust", auth.RoleProgrammeLead); err != nil {
			t.Fatal(err)
		}
		self, _ = f.acc.UserByID(f.ctx, self.ID)
		refusal(t, f.svc.Decide(f.ctx, self, self.ID, true, "", f.ob), "your own accreditation")
	})
}

func mustProfile(t *testing.T, f *matchFx, id int64) *mentoring.Profile {
	t.Helper()
	p, err := f.svc.Profile(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
