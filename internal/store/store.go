// Package store opens Pillars' database, SQLite embedded or PostgreSQL, and gives the areas one
// small, portable way to run SQL on either: queries are written once with "?" placeholders and
// rebound for PostgreSQL, reads go to a read pool and writes to the single SQLite writer.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Dialect says which SQL engine is behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the application's handle on its database.
//
// SQLite allows one writer at a time, so Write is a pool of exactly one connection (writes queue
// in Go rather than failing with SQLITE_BUSY) and Read is a pool of several read-only
// connections that WAL mode lets run alongside it. On PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	Write   *sql.DB
	Read    *sql.DB
	// PgxPool is set on PostgreSQL only; River's pgx driver needs it.
	PgxPool *pgxpool.Pool
	// Where is a printable description of the database with any password removed.
	Where string

	rebound sync.Map // query text -> PostgreSQL text
	stmts   sync.Map // query text -> *sql.Stmt prepared on the read pool
}

// ErrUnreachable wraps every failure to open or reach the database, so the command line can say
// so plainly.
var ErrUnreachable = errors.New("database unreachable")

// Open connects to the database named by dsn: a postgres:// or postgresql:// URL, or otherwise a
// SQLite file path (optionally prefixed with sqlite: or file:). It checks the connection before
// returning, with a short timeout, so a wrong address fails at start-up with a plain message.
func Open(ctx context.Context, dsn string) (*DB, error) {
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		return nil, fmt.Errorf("%w: no database given: set PILLARS_DATABASE_URL to a SQLite file path or a postgres:// URL", ErrUnreachable)
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

func openSQLite(ctx context.Context, dsn string) (*DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	memory := path == ":memory:"
	if !memory {
		dir := filepath.Dir(path)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("%w: cannot create the SQLite database %q: the folder %q does not exist", ErrUnreachable, path, dir)
		}
	}
	// _txlock=immediate takes the write lock when a transaction begins, so two writers never
	// deadlock upgrading read locks; busy_timeout covers other processes (the CLI beside a server).
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	name := "file:" + path
	if memory {
		// A shared in-memory database, so the writer and the readers see the same data.
		name = fmt.Sprintf("file:mem%d?mode=memory&cache=shared", time.Now().UnixNano())
		pragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_time_format=sqlite"
	}
	sep := "?"
	if strings.Contains(name, "?") {
		sep = "&"
	}
	write, err := sql.Open("sqlite", name+sep+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("%w: open SQLite %q: %v", ErrUnreachable, path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := pingWithin(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("%w: cannot open the SQLite database %q: %v", ErrUnreachable, path, err)
	}
	read := write
	if !memory {
		read, err = sql.Open("sqlite", name+sep+pragmas+"&_pragma=query_only(1)")
		if err != nil {
			write.Close()
			return nil, fmt.Errorf("%w: open SQLite %q for reading: %v", ErrUnreachable, path, err)
		}
		n := max(4, runtime.NumCPU()*2)
		read.SetMaxOpenConns(n)
		read.SetMaxIdleConns(n)
		read.SetConnMaxIdleTime(5 * time.Minute)
	}
	return &DB{Dialect: SQLite, Write: write, Read: read, Where: "SQLite " + path}, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	where := redact(dsn)
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("%w: the PostgreSQL address %s is not a valid URL: %v", ErrUnreachable, where, err)
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot connect to PostgreSQL at %s: %v", ErrUnreachable, where, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("%w: cannot reach PostgreSQL at %s: %v. Check PILLARS_DATABASE_URL and that the server is running", ErrUnreachable, where, rootCause(err))
	}
	sqldb := stdlib.OpenDBFromPool(pool)
	return &DB{Dialect: Postgres, Write: sqldb, Read: sqldb, PgxPool: pool, Where: "PostgreSQL " + where}, nil
}

func pingWithin(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// rootCause keeps the innermost message, which for connection failures is the useful part
// ("connection refused") without repeating the address three times.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// redact removes the password from a database URL so it can be printed and logged.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}

// Close closes both pools.
func (db *DB) Close() error {
	db.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	var err error
	if db.Read != db.Write {
		err = db.Read.Close()
	}
	if e := db.Write.Close(); e != nil {
		err = e
	}
	if db.PgxPool != nil {
		db.PgxPool.Close()
	}
	return err
}

// Rebind turns "?" placeholders into PostgreSQL's "$1, $2, ...". Queries are constants, so the
// result is cached. A "?" inside a quoted string literal is left alone.
func (db *DB) Rebind(query string) string {
	if db.Dialect != Postgres {
		return query
	}
	if q, ok := db.rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n, inQuote := 0, false
	for _, r := range query {
		switch {
		case r == '\'':
			inQuote = !inQuote
			b.WriteRune(r)
		case r == '?' && !inQuote:
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	db.rebound.Store(query, out)
	return out
}

// Exec runs a statement on the writer.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.Write.ExecContext(ctx, db.Rebind(query), args...)
}

// Query runs a query on the read pool.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.Read.QueryContext(ctx, db.Rebind(query), args...)
}

// QueryRow runs a single-row query on the read pool.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.Read.QueryRowContext(ctx, db.Rebind(query), args...)
}

// prepared returns the read statement for a query, preparing it once. Queries are constants in
// the areas' code, so the cache stays small; SQLite would otherwise parse and plan the same SQL
// on every request (a fifth of the home page's CPU before this cache). It returns nil if the
// statement cannot be prepared, and the caller runs the query unprepared, which reports the error.
func (db *DB) prepared(ctx context.Context, query string) *sql.Stmt {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	st, err := db.Read.PrepareContext(ctx, db.Rebind(query))
	if err != nil {
		return nil
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	return st
}

// Tx is a write transaction with the same rebinding helpers as DB.
type Tx struct {
	tx *sql.Tx
	db *DB
}

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.Rebind(query), args...)
}

// Query runs a query in the transaction (so it sees the transaction's own writes).
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.db.Rebind(query), args...)
}

// QueryRow runs a single-row query in the transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.Rebind(query), args...)
}

// Insert runs an INSERT and returns the new row's id. It appends "RETURNING id", which both
// engines understand (SQLite since 3.35), so no engine-specific LastInsertId is needed.
func (t *Tx) Insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, t.db.Rebind(query+" RETURNING id"), args...).Scan(&id)
	return id, err
}

// SQL is the underlying transaction, for libraries that must join it (the job queue inserts
// jobs in the same transaction as the change that calls for them).
func (t *Tx) SQL() *sql.Tx { return t.tx }

// Dialect reports the engine behind the transaction.
func (t *Tx) Dialect() Dialect { return t.db.Dialect }

// InTx runs fn in a write transaction and commits it if fn returns nil; otherwise everything fn
// did is rolled back, so a failed operation leaves the data as it was.
//
// On SQLite the writer has one connection: fn must use the Tx it is given, never db.Exec, or it
// would wait for itself.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqltx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqltx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqltx.Rollback()
		}
	}()
	if err = fn(&Tx{tx: sqltx, db: db}); err != nil {
		return err
	}
	if err = sqltx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Insert runs an INSERT on the writer and returns the new row's id.
func (db *DB) Insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := db.Write.QueryRowContext(ctx, db.Rebind(query+" RETURNING id"), args...).Scan(&id)
	return id, err
}

// IsUniqueViolation reports whether err is a unique-constraint failure on either engine, so an
// area can turn it into a plain message ("that email is already registered").
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "duplicate key value")
}

// Now is the current time in UTC truncated to microseconds, the precision both engines keep,
// so a value written and read back compares equal.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// TimePtr turns a nullable time column into a pointer: nil for NULL.
func TimePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}
