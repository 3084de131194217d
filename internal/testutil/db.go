// Package testutil gives tests real parts: a fresh database per test (SQLite always, PostgreSQL
// as well when PILLARS_TEST_POSTGRES is set), a real SMTP server that collects mail, and the
// whole application running on a local port.
package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for CREATE DATABASE

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/store"
)

// PostgresURL is the server the PostgreSQL half of the suite uses, or "" to run on SQLite only.
func PostgresURL() string { return os.Getenv("PILLARS_TEST_POSTGRES") }

// Quiet is a logger that drops everything below errors, for tests.
func Quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Engine names a database engine and opens a fresh, migrated database on it.
type Engine struct {
	Name string
	Open func(t testing.TB) *store.DB
}

// Engines returns SQLite, and PostgreSQL when PILLARS_TEST_POSTGRES is set.
func Engines() []Engine {
	out := []Engine{{"sqlite", SQLite}}
	if PostgresURL() != "" {
		out = append(out, Engine{"postgres", Postgres})
	}
	return out
}

// EachDB runs fn as a subtest on a fresh database of every engine.
func EachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open(t)) })
	}
}

// SQLite returns a fresh, migrated SQLite database in the test's temporary folder.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "pillars.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db)
	return db
}

func migrate(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Migrate(ctx, Quiet()); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Migrate(ctx, db, Quiet()); err != nil {
		t.Fatal(err)
	}
	cat := framework.NewCatalogue(db)
	if _, err := cat.LoadBuiltin(ctx); err != nil {
		t.Fatal(err)
	}
	if err := assess.NewService(db, cat).LoadDefaultTargets(ctx); err != nil {
		t.Fatal(err)
	}
	if err := directory.NewService(db).LoadBuiltin(ctx); err != nil {
		t.Fatal(err)
	}
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// Postgres returns a fresh PostgreSQL database, cloned from a template that was migrated once
// for the whole test process, and dropped when the test ends.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		t.Fatal("PILLARS_TEST_POSTGRES is not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	templateOnce.Do(func() { templateName, templateErr = makeTemplate(t, admin, base) })
	if templateErr != nil {
		t.Fatal(templateErr)
	}
	name := "pillars_test_" + randomHex(6)
	if _, err := admin.Exec(fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, templateName)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	db, err := store.Open(context.Background(), withDatabase(base, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if a, err := sql.Open("pgx", base); err == nil {
			_, _ = a.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
			a.Close()
		}
	})
	return db
}

func makeTemplate(t testing.TB, admin *sql.DB, base string) (string, error) {
	name := "pillars_tmpl_" + randomHex(6)
	if _, err := admin.Exec(fmt.Sprintf(`CREATE DATABASE %s`, name)); err != nil {
		return "", fmt.Errorf("create template database: %w", err)
	}
	db, err := store.Open(context.Background(), withDatabase(base, name))
	if err != nil {
		return "", err
	}
	migrate(t, db)
	db.Close() // a template must have no connections when it is copied
	return name, nil
}

// withDatabase replaces the database name in a postgres:// URL.
func withDatabase(url, name string) string {
	q := ""
	if i := strings.IndexByte(url, '?'); i >= 0 {
		url, q = url[:i], url[i:]
	}
	i := strings.LastIndexByte(url, '/')
	if i < len("postgres://") {
		return url + "/" + name + q
	}
	return url[:i+1] + name + q
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
