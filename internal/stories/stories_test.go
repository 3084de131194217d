package stories_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/stories"
	"github.com/pillars-ot/pillars/internal/testutil"
	"github.com/pillars-ot/pillars/internal/valid"
)

var (
	pdf = []byte("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
	png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
)

func good() stories.Input {
	return stories.Input{DisplayName: "Jo", Role: "Occupational therapist, stroke unit", Level: "6", Setting: "nhs",
		Path: "Qualified in 2018, rotated through medicine and neurology.", Barriers: "Few band 7 posts locally.",
		Enablers: "A supportive clinical lead and protected study time.", FiveYears: "Leading a community neuro team."}
}

type people struct {
	alex, tomasz, admin, lead, ruth *auth.User
}

func setup(t *testing.T, db *store.DB) (*stories.Service, people) {
	t.Helper()
	ctx := context.Background()
	acc := auth.NewService(db)
	if _, err := demo.Load(ctx, acc, org.NewService(db)); err != nil {
		t.Fatal(err)
	}
	get := func(email string) *auth.User {
		u, err := acc.UserByEmail(ctx, email+"@demo.pillars.test")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	return stories.NewService(db), people{alex: get("alex.marlowe"), tomasz: get("tomasz.nowak"), admin: get("admin"),
		lead: get("priya.castellano"), ruth: get("ruth.lindqvist")}
}

// outbox collects the emails a decision sends, as the web's job-queue hook would.
type outbox struct{ sent []mail.Message }

func (o *outbox) notify() stories.Notify {
	return func(_ context.Context, _ *store.Tx, m mail.Message) error {
		o.sent = append(o.sent, m)
		return nil
	}
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestValidation(t *testing.T) {
	big := append(append([]byte{}, pdf...), make([]byte, stories.MaxAttachmentBytes)...)
	cases := []struct {
		name   string
		change func(*stories.Input)
		up     *stories.Upload
		field  string
		want   string
	}{
		{"no name", func(in *stories.Input) { in.DisplayName = " " }, nil, "display_name", "Enter the name to show with your story"},
		{"no role", func(in *stories.Input) { in.Role = "" }, nil, "role", "Enter your role or job title"},
		{"missing level", func(in *stories.Input) { in.Level = "" }, nil, "level", "Choose your career level"},
		{"level off the scale", func(in *stories.Input) { in.Level = "10" }, nil, "level", "Choose a career level from 1 to 9"},
		{"level not a number", func(in *stories.Input) { in.Level = "six" }, nil, "level", "Choose a career level from 1 to 9"},
		{"no setting", func(in *stories.Input) { in.Setting = "" }, nil, "setting", "Choose the setting you work in"},
		{"unknown setting", func(in *stories.Input) { in.Setting = "prison" }, nil, "setting", "Choose NHS, social care, independent practice or education"},
		{"no path", func(in *stories.Input) { in.Path = "" }, nil, "path", "Tell us about your path so far"},
		{"no barriers", func(in *stories.Input) { in.Barriers = "" }, nil, "barriers", "Describe the barriers to progression"},
		{"no enablers", func(in *stories.Input) { in.Enablers = "" }, nil, "enablers", "Describe what has helped you progress"},
		{"no five years", func(in *stories.Input) { in.FiveYears = "" }, nil, "five_years", "Say where you see yourself in five years"},
		{"advice too long", func(in *stories.Input) { in.Advice = strings.Repeat("a", 5001) }, nil, "advice", "Write 5,000 characters or fewer about your advice (you have 5,001)"},
		{"a PNG named .pdf", nil, &stories.Upload{Name: "story.pdf", Data: png}, "attachment", `"story.pdf" is named as a PDF but its content is a PNG image`},
		{"a file too large", nil, &stories.Upload{Name: "big.pdf", Data: big}, "attachment", `"big.pdf" is 8.1 MB: the attachment must be 8 MB or smaller`},
		{"a Word document", nil, &stories.Upload{Name: "story.docx", Data: []byte("PK\x03\x04")}, "attachment", "is not a type Pillars accepts here"},
		{"an empty file", nil, &stories.Upload{Name: "empty.png", Data: nil}, "attachment", `"empty.png" is empty`},
		{"not really an image", nil, &stories.Upload{Name: "photo.jpg", Data: []byte("hello")}, "attachment", "is named as a JPEG image but its content is not"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := good()
			if tc.change != nil {
				tc.change(&in)
			}
			_, _, errs := stories.Check(in, tc.up)
			if len(errs) != 1 || errs[0].Field != tc.field || !strings.Contains(errs[0].Message, tc.want) {
				t.Fatalf("problems %+v, want one on %s saying %q", errs, tc.field, tc.want)
			}
		})
	}
	st, ctype, errs := stories.Check(good(), &stories.Upload{Name: "my path.pdf", Data: pdf})
	if errs.Any() || ctype != "application/pdf" || st.Level != 6 || st.Setting != "nhs" {
		t.Fatalf("a good story: %+v %q %v", st, ctype, errs)
	}
}

func TestInFormOrder(t *testing.T) {
	errs := stories.InFormOrder(valid.Errors{{Field: "attachment", Message: "a"}, {Field: "path", Message: "b"}, {Field: "path", Message: "c"}, {Field: "level", Message: "d"}})
	got := fmt.Sprint([]valid.FieldError(errs))
	if got != "[{level d} {path b} {attachment a}]" {
		t.Fatalf("order: %s", got)
	}
}

func TestModerationAndVisibility(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, p := setup(t, db)
		box := &outbox{}

		// Bad input stores nothing.
		bad := good()
		bad.Level = ""
		if _, err := svc.Create(ctx, p.alex.ID, bad, &stories.Upload{Name: "a.pdf", Data: pdf}); !isField(err, "level") {
			t.Fatalf("missing level: %v", err)
		}
		if n, a := count(t, db, "career_stories"), count(t, db, "career_story_attachments"); n != 0 || a != 0 {
			t.Fatalf("a refused story stored %d stories, %d files", n, a)
		}

		st, err := svc.Create(ctx, p.alex.ID, good(), &stories.Upload{Name: "path.pdf", Data: pdf})
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != stories.StatusPending || st.Revision != 1 {
			t.Fatalf("a new story: %+v", st)
		}
		// Pending: the author and moderators may open it; another practitioner may not.
		for _, c := range []struct {
			who  string
			u    *auth.User
			sees bool
		}{{"author", p.alex, true}, {"another practitioner", p.tomasz, false}, {"a supervisor", p.ruth, false}, {"a programme lead", p.lead, true}, {"an administrator", p.admin, true}} {
			_, err := svc.Get(ctx, c.u, st.ID)
			_, _, ferr := svc.AttachmentData(ctx, c.u, st.ID)
			if c.sees && (err != nil || ferr != nil) {
				t.Errorf("%s cannot open the pending story: %v %v", c.who, err, ferr)
			}
			if !c.sees && (!errors.Is(err, stories.ErrNotFound) || !errors.Is(ferr, stories.ErrNotFound)) {
				t.Errorf("%s opened the pending story: %v %v", c.who, err, ferr)
			}
		}
		if res, _ := svc.Search(ctx, stories.Filter{}); res.Total != 0 {
			t.Fatalf("a pending story is listed: %d", res.Total)
		}
		if q, err := svc.Pending(ctx, p.lead, 1); err != nil || q.Total != 1 || q.Stories[0].ID != st.ID || q.Stories[0].Attachment == nil || q.Stories[0].Attachment.Name != "path.pdf" {
			t.Fatalf("queue: %+v %v", q, err)
		}

		// Publishing needs the revision the moderator read.
		if err := svc.Publish(ctx, p.lead, st.ID, 2, box.notify()); !errors.Is(err, stories.ErrChanged) {
			t.Fatalf("publish the wrong revision: %v", err)
		}
		if err := svc.Publish(ctx, p.lead, st.ID, 1, box.notify()); err != nil {
			t.Fatal(err)
		}
		if len(box.sent) != 1 || box.sent[0].To != p.alex.Email || !strings.Contains(box.sent[0].Text, "published") {
			t.Fatalf("publish email: %+v", box.sent)
		}
		// A second moderator publishing the same revision changes nothing and sends nothing.
		if err := svc.Publish(ctx, p.admin, st.ID, 1, box.notify()); err != nil || len(box.sent) != 1 {
			t.Fatalf("publish again: %v, %d emails", err, len(box.sent))
		}
		if got, err := svc.Get(ctx, p.tomasz, st.ID); err != nil || got.PublishedAt == nil {
			t.Fatalf("a published story for others: %+v %v", got, err)
		}
		if _, data, err := svc.AttachmentData(ctx, p.tomasz, st.ID); err != nil || string(data) != string(pdf) {
			t.Fatalf("attachment: %v", err)
		}

		// Someone else cannot edit or withdraw it: to them it is not theirs.
		if _, err := svc.Update(ctx, p.tomasz.ID, st.ID, good(), nil, false); !errors.Is(err, stories.ErrNotFound) {
			t.Fatalf("another's edit: %v", err)
		}
		if err := svc.Withdraw(ctx, p.tomasz.ID, st.ID); !errors.Is(err, stories.ErrNotFound) {
			t.Fatalf("another's withdrawal: %v", err)
		}

		// The author's edit goes back to the moderators as a new revision.
		in := good()
		in.FiveYears = "Consultant practitioner in neurorehabilitation."
		edited, err := svc.Update(ctx, p.alex.ID, st.ID, in, nil, true)
		if err != nil {
			t.Fatal(err)
		}
		if edited.Status != stories.StatusPending || edited.Revision != 2 || edited.Attachment != nil {
			t.Fatalf("edited: %+v", edited)
		}
		if _, err := svc.Get(ctx, p.tomasz, st.ID); !errors.Is(err, stories.ErrNotFound) {
			t.Fatalf("an edited story waiting for a moderator is still shown: %v", err)
		}
		if err := svc.Publish(ctx, p.lead, st.ID, 1, box.notify()); !errors.Is(err, stories.ErrChanged) {
			t.Fatalf("publishing the revision read before the edit: %v", err)
		}

		// Declining needs a reason; a failed email leaves the story as it was.
		if err := svc.Decline(ctx, p.lead, st.ID, 2, "  ", box.notify()); !isField(err, "reason") {
			t.Fatalf("decline without a reason: %v", err)
		}
		broken := func(context.Context, *store.Tx, mail.Message) error { return errors.New("queue down") }
		if err := svc.Decline(ctx, p.lead, st.ID, 2, "Too short", broken); err == nil {
			t.Fatal("a decline whose email failed was kept")
		}
		if got, _ := svc.Own(ctx, p.alex.ID, st.ID); got.Status != stories.StatusPending || got.DeclineReason != "" {
			t.Fatalf("after a failed decline: %+v", got)
		}
		if err := svc.Decline(ctx, p.lead, st.ID, 2, "Please say more about what helped (100% optional).", box.notify()); err != nil {
			t.Fatal(err)
		}
		if m := box.sent[len(box.sent)-1]; m.To != p.alex.Email || !strings.Contains(m.Text, "Please say more about what helped (100% optional).") {
			t.Fatalf("decline email: %+v", m)
		}
		if err := svc.Decline(ctx, p.admin, st.ID, 2, "Again", box.notify()); !errors.Is(err, stories.ErrNotFound) {
			t.Fatalf("declining twice: %v", err)
		}
		// Declined: only the author sees it, with the reason; moderators no longer can.
		if got, err := svc.Get(ctx, p.alex, st.ID); err != nil || got.DeclineReason == "" {
			t.Fatalf("the author's declined story: %+v %v", got, err)
		}
		for _, u := range []*auth.User{p.tomasz, p.lead} {
			if _, err := svc.Get(ctx, u, st.ID); !errors.Is(err, stories.ErrNotFound) {
				t.Fatalf("%s opened a declined story: %v", u.Name, err)
			}
		}
		if mine, _ := svc.Mine(ctx, p.alex.ID); len(mine) != 1 {
			t.Fatalf("mine: %d", len(mine))
		}

		// Withdrawing deletes the story and its file.
		if _, err := svc.Update(ctx, p.alex.ID, st.ID, good(), &stories.Upload{Name: "p.png", Data: png}, false); err != nil {
			t.Fatal(err)
		}
		if err := svc.Withdraw(ctx, p.alex.ID, st.ID); err != nil {
			t.Fatal(err)
		}
		if n, a := count(t, db, "career_stories"), count(t, db, "career_story_attachments"); n != 0 || a != 0 {
			t.Fatalf("after withdrawal: %d stories, %d files", n, a)
		}
		if err := svc.Withdraw(ctx, p.alex.ID, st.ID); !errors.Is(err, stories.ErrNotFound) {
			t.Fatalf("withdraw twice: %v", err)
		}
	})
}

func isField(err error, field string) bool {
	var errs valid.Errors
	return errors.As(err, &errs) && errs.For(field) != ""
}

func TestBrowseFiltersAndPages(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := stories.NewService(db)
		settings := []string{"nhs", "social-care", "independent", "education"}
		var list []stories.Keyed
		for i := range 40 {
			in := good()
			in.Level = fmt.Sprint(5 + i%5)
			in.Setting = settings[i%4]
			in.Role = fmt.Sprintf("Role %d", i)
			if i == 7 {
				in.Barriers = "Commuting across a rural county made evening study hard."
			}
			list = append(list, stories.Keyed{Key: fmt.Sprintf("k%02d", i), Input: in})
		}
		if n, err := svc.LoadKeyed(ctx, list); err != nil || n != 40 {
			t.Fatalf("load: %d %v", n, err)
		}
		if n, err := svc.LoadKeyed(ctx, list); err != nil || n != 0 {
			t.Fatalf("a second load added %d (%v)", n, err)
		}
		all, err := svc.Search(ctx, stories.Filter{})
		if err != nil || all.Total != 40 || all.Pages != 2 || len(all.Stories) != stories.PageSize {
			t.Fatalf("all: %+v %v", all, err)
		}
		second, _ := svc.Search(ctx, stories.Filter{Page: 2})
		if len(second.Stories) != 15 || second.Stories[0].ID == all.Stories[0].ID {
			t.Fatalf("page 2: %d", len(second.Stories))
		}
		seen := map[int64]bool{}
		for _, s := range append(all.Stories, second.Stories...) {
			if seen[s.ID] {
				t.Fatalf("story %d on both pages", s.ID)
			}
			seen[s.ID] = true
		}
		// Level 6 is i = 1, 6, 11, ...: 8 stories; with social care (i%4 == 1) i = 1, 21: 2.
		if r, _ := svc.Search(ctx, stories.Filter{Level: 6}); r.Total != 8 {
			t.Fatalf("level 6: %d", r.Total)
		}
		r, _ := svc.Search(ctx, stories.Filter{Level: 6, Setting: "social-care"})
		if r.Total != 2 {
			t.Fatalf("level 6 social care: %d", r.Total)
		}
		for _, s := range r.Stories {
			if s.Level != 6 || s.Setting != "social-care" {
				t.Fatalf("a story outside the filter: %+v", s)
			}
		}
		if r, err := svc.Search(ctx, stories.Filter{Query: "rural commute"}); err != nil || r.Total != 1 || r.Stories[0].Role != "Role 7" {
			t.Fatalf("words: %+v %v", r, err)
		}
		if r, _ := svc.Search(ctx, stories.Filter{Query: `"); DROP TABLE career_stories; --`}); r.Total != 0 {
			t.Fatalf("hostile words found %d", r.Total)
		}
		if at, err := svc.AtLevel(ctx, 7, 3); err != nil || len(at) != 3 || at[0].Level != 7 {
			t.Fatalf("at level 7: %+v %v", at, err)
		}
		for _, c := range []struct {
			f     stories.Filter
			field string
		}{{stories.Filter{Level: 12}, "level"}, {stories.Filter{Level: -1}, "level"}, {stories.Filter{Setting: "prison"}, "setting"}, {stories.Filter{Query: strings.Repeat("x", 201)}, "q"}} {
			if _, err := svc.Search(ctx, c.f); !isField(err, c.field) {
				t.Errorf("filter %+v: %v", c.f, err)
			}
		}
		f := stories.FilterFrom(map[string][]string{"level": {"7"}, "setting": {"nhs"}, "q": {" huddle "}, "page": {"2"}})
		if got := f.Values().Encode(); got != "level=7&q=huddle&setting=nhs" {
			t.Fatalf("values: %s", got)
		}
	})
}

func TestLoadKeyedRefusesBadData(t *testing.T) {
	db := testutil.SQLite(t)
	svc := stories.NewService(db)
	bad := good()
	bad.Setting = "hospice"
	_, err := svc.LoadKeyed(context.Background(), []stories.Keyed{{Key: "a", Input: good()}, {Key: "b", Input: bad}})
	if err == nil || !strings.Contains(err.Error(), "b:") {
		t.Fatalf("bad data: %v", err)
	}
	if n := count(t, db, "career_stories"); n != 0 {
		t.Fatalf("a refused load stored %d", n)
	}
}
