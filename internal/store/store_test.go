package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func TestSecondMigrateChangesNothing(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		before, err := db.Status(ctx)
		if err != nil || before.Current != before.Latest || before.Current == 0 {
			t.Fatalf("status after migration: %+v %v", before, err)
		}
		n, err := db.Migrate(ctx, testutil.Quiet())
		if err != nil || n != 0 {
			t.Fatalf("second migrate ran %d migrations, err %v", n, err)
		}
		after, _ := db.Status(ctx)
		if after != before {
			t.Fatalf("status changed: %+v -> %+v", before, after)
		}
	})
}

func TestDatabaseFromNewerVersionIsRefused(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, _ := db.Status(ctx)
		// Pretend a newer Pillars applied a migration this one does not know.
		if _, err := db.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)`, st.Latest+1, true); err != nil {
			t.Fatal(err)
		}
		_, err := db.Migrate(ctx, testutil.Quiet())
		if !errors.Is(err, store.ErrDatabaseNewer) || !strings.Contains(err.Error(), "Upgrade Pillars") {
			t.Fatalf("migrate on a newer database: %v", err)
		}
		if _, err := db.Status(ctx); !errors.Is(err, store.ErrDatabaseNewer) {
			t.Fatalf("status on a newer database: %v", err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM goose_db_version WHERE version_id > ?`, st.Latest).Scan(&n); err != nil || n != 1 {
			t.Fatalf("the refusal changed the version table: %d %v", n, err)
		}
	})
}

func TestUnreachableDatabaseSaysSoPlainly(t *testing.T) {
	ctx := context.Background()
	cases := []struct{ dsn, want string }{
		{"postgres://nobody:secret@127.0.0.1:1/nothing?connect_timeout=2", "cannot reach PostgreSQL at postgres://nobody:xxxxx@127.0.0.1:1/nothing"},
		{"/no/such/folder/pillars.db", `the folder "/no/such/folder" does not exist`},
		{"", "no database given"},
	}
	for _, c := range cases {
		_, err := store.Open(ctx, c.dsn)
		if !errors.Is(err, store.ErrUnreachable) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q) = %v, want a message containing %q", c.dsn, err, c.want)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("the message leaks the password: %v", err)
		}
	}
}

func TestRebind(t *testing.T) {
	pg := &store.DB{Dialect: store.Postgres}
	got := pg.Rebind(`SELECT ? FROM t WHERE a = '?' AND b = ? AND c = ?`)
	if got != `SELECT $1 FROM t WHERE a = '?' AND b = $2 AND c = $3` {
		t.Fatalf("rebind = %s", got)
	}
	lite := &store.DB{Dialect: store.SQLite}
	if q := `SELECT ?`; lite.Rebind(q) != q {
		t.Fatal("SQLite queries must not change")
	}
}

func TestFailedTransactionLeavesDataAsItWas(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO organisations (slug, name, kind, created_at) VALUES ('x', 'X', 'university', ?)`, store.Now()); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v", err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM organisations WHERE slug = 'x'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("rolled-back insert is visible: %d %v", n, err)
		}
	})
}
