package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func cmdVersion(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("version", "version", "Prints the version of this program.", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " (" + s.Value[:12] + ")"
			}
		}
	}
	fmt.Fprintf(stdout, "pillars %s%s\n", version, rev)
	return nil
}

func cmdMigrate(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "migrate [--db URL] [--status]",
		"Applies any migrations the database does not have yet. Running it again changes nothing.", stderr)
	dsn := dbFlag(fs)
	statusOnly := fs.Bool("status", false, "only say which version the database is at")
	if err := parse(fs, args); err != nil {
		return err
	}
	log := newLogger(stderr, "warn", "text")
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *statusOnly {
		st, err := db.Status(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Database schema version %d; this program knows up to %d.\n", st.Current, st.Latest)
		return nil
	}
	n, err := db.Migrate(ctx, log)
	if err != nil {
		return err
	}
	rn, err := jobs.Migrate(ctx, db, log)
	if err != nil {
		return err
	}
	st, err := db.Status(ctx)
	if err != nil {
		return err
	}
	if n+rn == 0 {
		fmt.Fprintf(stdout, "The database is already up to date (schema version %d). Nothing to do.\n", st.Current)
	} else {
		fmt.Fprintf(stdout, "Applied %d migrations (%d for the job queue). The database is at schema version %d.\n", n+rn, rn, st.Current)
	}
	return nil
}

func cmdDemo(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "demo [--db URL]",
		"Loads the fictional demo organisations and people (password "+demo.Password+"). What already exists is left alone.", stderr)
	dsn := dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dsn, newLogger(stderr, "warn", "text"))
	if err != nil {
		return err
	}
	defer db.Close()
	accounts := auth.NewService(db)
	n, err := demo.Load(ctx, accounts, org.NewService(db))
	if err != nil {
		return err
	}
	cat := framework.NewCatalogue(db)
	if err := demo.LoadActivity(ctx, db, accounts, assess.NewService(db, cat), plan.NewService(db, cat)); err != nil {
		return err
	}
	if err := demo.LoadPortfolio(ctx, accounts, portfolio.NewService(db, cat)); err != nil {
		return err
	}
	if err := demo.LoadMentoring(ctx, db, accounts, mentoring.NewService(db, cat)); err != nil {
		return err
	}
	if _, err := demo.LoadStories(ctx, db); err != nil {
		return err
	}
	// After the mentoring demo, which makes the pair these sessions belong to.
	if err := demo.LoadMentoringSessions(ctx, db, accounts, mentoring.NewService(db, cat)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Demo world loaded: %d new people, %d organisations. Password for every demo person: %s\n", n, len(demo.Organisations), demo.Password)
	return nil
}

const userAbout = `Manages people.

  pillars user create --email E --name N [--role R --org SLUG] [--level 1-9] [--job-title T]
      creates an account; the password is read from standard input
  pillars user set-role --email E --role R --org SLUG
      gives an existing person a role in an organisation
  pillars user reset-password --email E
      sets a new password, read from standard input; signs the person out everywhere
  pillars user list

Roles: ` + "learner, practitioner, supervisor, mentor, programme-lead, funder-reviewer, funder-admin, workforce-lead, site-admin"

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, userAbout)
		if len(args) == 0 {
			return exitError{2}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := newFlags("user "+sub, "user "+sub+" [flags]", userAbout, stderr)
	dsn := dbFlag(fs)
	email := fs.String("email", "", "the person's email address")
	name := fs.String("name", "", "the person's full name (create)")
	role := fs.String("role", "", "a role to give them")
	orgSlug := fs.String("org", "", "the organisation's short name, for the role")
	level := fs.Int("level", 0, "career level, 1 to 9 (create)")
	jobTitle := fs.String("job-title", "", "job title (create)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dsn, newLogger(stderr, "warn", "text"))
	if err != nil {
		return err
	}
	defer db.Close()
	accounts := auth.NewService(db)
	if (*role == "") != (*orgSlug == "") && sub != "list" && sub != "reset-password" {
		return errors.New("give --role and --org together: a role is always held in an organisation (see pillars org list)")
	}
	switch sub {
	case "create":
		pw, err := readSecret(stdin, stderr, "Password for "+*email+": ")
		if err != nil {
			return err
		}
		u, err := accounts.CreateUser(ctx, auth.NewUser{Email: *email, Name: *name, Password: pw, JobTitle: *jobTitle, CareerLevel: *level})
		if err != nil {
			return plainErrors(err)
		}
		if *role != "" {
			if err := accounts.Grant(ctx, 0, u.ID, *orgSlug, auth.Role(*role)); err != nil {
				return fmt.Errorf("the account %s was created, but the role was not given: %w", u.Email, err)
			}
		}
		fmt.Fprintf(stdout, "Created %s (%s).\n", u.Name, u.Email)
	case "set-role":
		u, err := accounts.UserByEmail(ctx, *email)
		if err != nil {
			return noSuchPerson(*email, err)
		}
		if *role == "" {
			return errors.New("give --role and --org")
		}
		if err := accounts.Grant(ctx, 0, u.ID, *orgSlug, auth.Role(*role)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is now %s in %s.\n", u.Name, auth.Role(*role).Label(), *orgSlug)
	case "reset-password":
		u, err := accounts.UserByEmail(ctx, *email)
		if err != nil {
			return noSuchPerson(*email, err)
		}
		pw, err := readSecret(stdin, stderr, "New password for "+u.Email+": ")
		if err != nil {
			return err
		}
		if err := accounts.SetPassword(ctx, u.ID, pw); err != nil {
			return plainErrors(err)
		}
		fmt.Fprintf(stdout, "Password changed for %s. They have been signed out everywhere.\n", u.Email)
	case "list":
		return listUsers(ctx, db, stdout)
	default:
		return fmt.Errorf("unknown user command %q: use create, set-role, reset-password or list", sub)
	}
	return nil
}

func noSuchPerson(email string, err error) error {
	if errors.Is(err, auth.ErrNotFound) {
		return fmt.Errorf("no account has the email address %q", email)
	}
	return err
}

// plainErrors prints validation problems as sentences rather than as a Go error.
func plainErrors(err error) error {
	var errs valid.Errors
	if errors.As(err, &errs) {
		lines := make([]string, len(errs))
		for i, e := range errs {
			lines[i] = fmt.Sprintf("--%s: %s", strings.ReplaceAll(e.Field, "_", "-"), e.Message)
		}
		return errors.New("nothing was saved:\n  " + strings.Join(lines, "\n  "))
	}
	return err
}

func listUsers(ctx context.Context, db *store.DB, stdout io.Writer) error {
	rows, err := db.Query(ctx, `SELECT u.email, u.name, COALESCE(o.slug, ''), COALESCE(m.role, '') FROM users u
		LEFT JOIN memberships m ON m.user_id = u.id LEFT JOIN organisations o ON o.id = m.org_id ORDER BY u.email, o.slug, m.role`)
	if err != nil {
		return err
	}
	defer rows.Close()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tORGANISATION\tROLE")
	for rows.Next() {
		var e, n, o, r string
		if err := rows.Scan(&e, &n, &o, &r); err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e, n, o, r)
	}
	tw.Flush()
	return rows.Err()
}

func cmdOrg(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	const about = "Manages organisations.\n\n  pillars org create --slug S --name N --kind K [--region R]\n  pillars org list\n\nKinds: nhs-trust, university, local-authority, charity-funder, professional-body, independent-practice"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, about)
		if len(args) == 0 {
			return exitError{2}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := newFlags("org "+sub, "org "+sub+" [flags]", about, stderr)
	dsn := dbFlag(fs)
	slug := fs.String("slug", "", "short name used in addresses, e.g. north-trust")
	name := fs.String("name", "", "full name")
	kind := fs.String("kind", "", "type of organisation")
	region := fs.String("region", "", "region (optional)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dsn, newLogger(stderr, "warn", "text"))
	if err != nil {
		return err
	}
	defer db.Close()
	orgs := org.NewService(db)
	switch sub {
	case "create":
		o, err := orgs.Create(ctx, org.Organisation{Slug: *slug, Name: *name, Kind: org.Kind(*kind), Region: *region})
		if err != nil {
			return plainErrors(err)
		}
		fmt.Fprintf(stdout, "Created %s (%s).\n", o.Name, o.Slug)
	case "list":
		list, err := orgs.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SLUG\tNAME\tKIND\tREGION")
		for _, o := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Slug, o.Name, o.Kind, o.Region)
		}
		tw.Flush()
	default:
		return fmt.Errorf("unknown org command %q: use create or list", sub)
	}
	return nil
}

func cmdFramework(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	const about = "Works with frameworks (versioned YAML; see internal/framework/SCHEMA.md).\n\n" +
		"  pillars framework validate FILE...   check files without touching the database; exit 1 on problems\n" +
		"  pillars framework import FILE...     store each file as a version of its framework\n" +
		"  pillars framework list               the stored frameworks and their current versions\n" +
		"  pillars framework builtin            print the names of the built-in framework files"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, about)
		if len(args) == 0 {
			return exitError{2}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := newFlags("framework "+sub, "framework "+sub+" [flags] [FILE...]", about, stderr)
	dsn := dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	switch sub {
	case "validate":
		if len(files) == 0 {
			return errors.New("name at least one file to validate")
		}
		bad := 0
		for _, name := range files {
			doc, err := os.ReadFile(name)
			if err == nil {
				var f *framework.Framework
				if f, err = framework.Parse(name, doc); err == nil {
					fmt.Fprintf(stdout, "%s: valid: %s version %s, %d elements\n", name, f.Key, f.Version, len(f.All()))
					continue
				}
			}
			bad++
			fmt.Fprintln(stderr, err)
		}
		if bad > 0 {
			return exitError{1}
		}
	case "import":
		if len(files) == 0 {
			return errors.New("name at least one file to import")
		}
		db, err := openMigrated(ctx, *dsn, newLogger(stderr, "warn", "text"))
		if err != nil {
			return err
		}
		defer db.Close()
		cat := framework.NewCatalogue(db)
		for _, name := range files {
			doc, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			res, err := cat.Import(ctx, name, doc, 0, false)
			if err != nil {
				fmt.Fprintln(stderr, err)
				return exitError{1}
			}
			fmt.Fprintf(stdout, "%s: %s %s version %s\n", name, res.Outcome, res.Framework.Key, res.Framework.Version)
		}
	case "list":
		db, err := openMigrated(ctx, *dsn, newLogger(stderr, "warn", "text"))
		if err != nil {
			return err
		}
		defer db.Close()
		list, err := framework.NewCatalogue(db).List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY\tVERSION\tELEMENTS\tVERSIONS\tTITLE")
		for _, s := range list {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", s.Key, s.Version, s.Elements, s.Versions, s.Title)
		}
		tw.Flush()
	case "builtin":
		files, err := framework.BuiltinFiles()
		if err != nil {
			return err
		}
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintln(stdout, n)
		}
	default:
		return fmt.Errorf("unknown framework command %q: use validate, import, list or builtin", sub)
	}
	return nil
}
