package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/config"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/store"
)

// newFlags makes a flag set whose --help prints the command's purpose and flags.
func newFlags(name, synopsis, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("pillars "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: pillars %s\n\n%s\n", synopsis, about)
		if hasFlags(fs) {
			fmt.Fprintln(stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parse parses flags, turning --help into a clean exit.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitError{0}
		}
		return exitError{2}
	}
	return nil
}

func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// dbFlag adds --db to a command, defaulting to PILLARS_DATABASE_URL or pillars.db.
func dbFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("PILLARS_DATABASE_URL")
	if def == "" {
		def = config.Defaults().DatabaseURL
	}
	return fs.String("db", def, "database: a SQLite file path or a postgres:// URL (PILLARS_DATABASE_URL)")
}

// openMigrated opens the database and brings it up to date (Pillars' and the job queue's
// tables) and loads the built-in frameworks. It refuses a database from a newer Pillars.
func openMigrated(ctx context.Context, dsn string, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx, log); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := jobs.Migrate(ctx, db, log); err != nil {
		db.Close()
		return nil, err
	}
	cat := framework.NewCatalogue(db)
	if _, err := cat.LoadBuiltin(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := assess.NewService(db, cat).LoadDefaultTargets(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := directory.NewService(db).LoadBuiltin(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// readSecret reads a password: from the terminal without echo, or the first line of piped input.
func readSecret(stdin io.Reader, stderr io.Writer, prompt string) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password given: pipe it on standard input, for example: printf '%s\\n' \"$PASSWORD\" | pillars user ...")
	}
	return line, nil
}
