// Command pillars runs Pillars: the web server and the administration commands beside it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Pillars: leadership development for occupational therapists.

Usage:
  pillars <command> [flags]

Commands:
  serve       run the web server (applies migrations first)
  migrate     apply database migrations
  user        create people, give them roles, reset passwords
  org         create and list organisations
  framework   validate, import and list frameworks
  privacy     check a file for anything that could identify a service user
  demo        load the fictional demo organisations and people
  version     print the version

Every command reads PILLARS_* environment variables; run "pillars <command> --help" for its flags.
The database is PILLARS_DATABASE_URL: a SQLite file path (default pillars.db) or a postgres:// URL.
`

// exitError carries the exit code a command wants; its message has already been printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it with their own arguments and streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	commands := map[string]func(context.Context, []string, io.Reader, io.Writer, io.Writer) error{
		"serve":     cmdServe,
		"migrate":   cmdMigrate,
		"user":      cmdUser,
		"org":       cmdOrg,
		"framework": cmdFramework,
		"privacy":   cmdPrivacy,
		"demo":      cmdDemo,
		"version":   cmdVersion,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "pillars: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	err := cmd(ctx, args[1:], stdin, stdout, stderr)
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintf(stderr, "pillars %s: %v\n", args[0], err)
		return 1
	}
}
