package portfolio_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// testNow is the fixed "now" of every test that stores entries, so dates, gaps and the
// renewal cycle do not depend on the day the suite runs. It is a Saturday in the middle of the
// 2025-11-01 to 2027-10-31 cycle.
var testNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// clock is a settable clock for Service.SetClock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// env is everything a portfolio test needs on one fresh database.
type env struct {
	db    *store.DB
	svc   *portfolio.Service
	acc   *auth.Service
	orgs  *org.Service
	plans *plan.Service
	clock *clock
}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	cat := framework.NewCatalogue(db)
	// testutil migrates with the built-in frameworks loaded; loading them again is a no-op, and
	// keeps this test honest if that ever changes (the portfolio needs hcpc-cpd).
	if _, err := cat.LoadBuiltin(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, svc: portfolio.NewService(db, cat), acc: auth.NewService(db), orgs: org.NewService(db),
		plans: plan.NewService(db, cat), clock: &clock{t: testNow}}
	e.svc.SetClock(e.clock.Now)
	return e
}

// user creates an account.
func (e *env) user(t testing.TB, name string) *auth.User {
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.test"
	u, err := e.acc.CreateUser(context.Background(), auth.NewUser{Email: email, Name: name, Password: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// grant gives a person a role in a test organisation and returns them with their memberships.
func (e *env) grant(t testing.TB, u *auth.User, role auth.Role) *auth.User {
	t.Helper()
	ctx := context.Background()
	if _, err := e.orgs.BySlug(ctx, "test-trust"); errors.Is(err, org.ErrNotFound) {
		if _, err := e.orgs.Create(ctx, org.Organisation{Slug: "test-trust", Name: "Test Trust", Kind: org.NHSTrust}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.acc.Grant(ctx, 0, u.ID, "test-trust", role); err != nil {
		t.Fatal(err)
	}
	u, err := e.acc.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// goals answers portfolio.GoalOwner from package plan, as the web layer does.
func (e *env) goals() portfolio.GoalOwner {
	return func(ctx context.Context, ownerID, goalID int64) bool {
		_, err := e.plans.Goal(ctx, ownerID, goalID)
		return err == nil
	}
}

// count counts rows in a table, optionally with a condition.
func (e *env) count(t testing.TB, table, where string, args ...any) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM ` + table
	if where != "" {
		q += ` WHERE ` + where
	}
	var n int
	if err := e.db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// rowCounts is the number of rows in every portfolio table, to show a refused change changed
// nothing.
func (e *env) rowCounts(t testing.TB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"cpd_entries", "cpd_entry_tags", "cpd_evidence", "cpd_collections", "cpd_collection_entries", "cpd_shares", "audit_packs"} {
		out[table] = e.count(t, table, "")
	}
	if e.db.Dialect == store.SQLite {
		out["cpd_search"] = e.count(t, "cpd_search", "")
	}
	return out
}

func sameCounts(t testing.TB, what string, before, after map[string]int) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed %s: %d rows before, %d after", what, k, v, after[k])
		}
	}
}

// gibbs is a complete saved entry in Gibbs' cycle.
func gibbs(title, date string) portfolio.EntryInput {
	return portfolio.EntryInput{
		Title: title, StartedOn: date, ActivityType: "work-based", Hours: "1.5", Model: "gibbs",
		Stages: map[string]string{
			"description": "I led the morning huddle on the stroke ward for the first time.",
			"feelings":    "Nervous at first, then more confident once the team joined in.",
			"evaluation":  "The huddle finished on time and every discharge was discussed.",
			"analysis":    "Preparing a short agenda helped; interruptions from bleeps did not.",
			"conclusion":  "Structure and a clear start make a huddle work.",
			"action-plan": "Lead two more huddles this month and ask for feedback from the team.",
		},
	}
}

// free is a complete saved entry in free text.
func free(title, date, activityType, reflection string) portfolio.EntryInput {
	return portfolio.EntryInput{Title: title, StartedOn: date, ActivityType: activityType, Hours: "1", Model: "free",
		Stages: map[string]string{"reflection": reflection}}
}

func mustCreate(t testing.TB, e *env, ownerID int64, in portfolio.EntryInput) *portfolio.Entry {
	t.Helper()
	got, err := e.svc.Create(context.Background(), ownerID, in, false, e.goals())
	if err != nil {
		t.Fatalf("create %q: %v", in.Title, err)
	}
	return got
}

// fieldErr returns the message for a field if err is valid.Errors, failing otherwise.
func fieldErr(t testing.TB, err error, field string) string {
	t.Helper()
	var errs valid.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want a problem with %s, got %v", field, err)
	}
	msg := errs.For(field)
	if msg == "" {
		t.Fatalf("want a problem with %s, got %+v", field, errs)
	}
	return msg
}

// Real file contents for evidence tests.

func pdfBytes(extra int) []byte {
	const doc = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	b := []byte(doc)
	if extra > 0 {
		b = append(b, bytes.Repeat([]byte("%"), extra)...)
	}
	return b
}

func pngBytes(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{0, 94, 184, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipOf makes a zip archive with the named files; "mimetype" is stored first and uncompressed,
// as OpenDocument requires.
func zipOf(t testing.TB, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		method := zip.Deflate
		if f[0] == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func docxBytes(t testing.TB) []byte {
	return zipOf(t,
		[2]string{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		[2]string{"word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Reflection</w:t></w:r></w:p></w:body></w:document>`},
	)
}

func odtBytes(t testing.TB) []byte {
	return zipOf(t,
		[2]string{"mimetype", "application/vnd.oasis.opendocument.text"},
		[2]string{"content.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>`},
	)
}

// words returns n words of plain text with no numbers, so the confidentiality check finds
// nothing in it.
func words(n int) string {
	vocab := strings.Fields("the team discussed discharge planning for people on the ward and I reflected on how my practice changed after supervision")
	out := make([]string, n)
	for i := range out {
		out[i] = vocab[i%len(vocab)]
	}
	return strings.Join(out, " ")
}

func asErrs(err error, target *valid.Errors) bool { return errors.As(err, target) }
