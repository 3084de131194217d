package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/store"
)

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, cmd := range []string{"serve", "migrate", "user", "org", "framework", "privacy", "demo", "version"} {
		code, out, errOut := runCLI(t, "", cmd, "--help")
		if code != 0 || !strings.Contains(out+errOut, "pillars") || len(out+errOut) < 40 {
			t.Errorf("%s --help: exit %d\n%s%s", cmd, code, out, errOut)
		}
	}
	if code, _, errOut := runCLI(t, "", "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: %d %s", code, errOut)
	}
}

func TestMigrateTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	code, out, errOut := runCLI(t, "", "migrate", "--db", db)
	if code != 0 || !strings.Contains(out, "Applied") {
		t.Fatalf("first migrate: %d %s %s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "", "migrate", "--db", db)
	if code != 0 || !strings.Contains(out, "already up to date") {
		t.Fatalf("second migrate: %d %s", code, out)
	}
}

func TestUserCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	if code, out, errOut := runCLI(t, "", "org", "create", "--db", db, "--slug", "north", "--name", "North Trust", "--kind", "nhs-trust"); code != 0 {
		t.Fatalf("org create: %s %s", out, errOut)
	}
	code, out, errOut := runCLI(t, "a long enough password\n", "user", "create", "--db", db, "--email", "Lee@Example.org", "--name", "Lee Person", "--role", "practitioner", "--org", "north", "--level", "5")
	if code != 0 || !strings.Contains(out, "Created Lee Person (lee@example.org)") {
		t.Fatalf("user create: %d %s %s", code, out, errOut)
	}
	code, _, errOut = runCLI(t, "another long password\n", "user", "create", "--db", db, "--email", "lee@example.org", "--name", "Lee Again")
	if code != 1 || !strings.Contains(errOut, "already exists") || strings.Contains(errOut, "UNIQUE") {
		t.Fatalf("duplicate email: %d %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "short\n", "user", "create", "--db", db, "--email", "new@example.org", "--name", "New")
	if code != 1 || !strings.Contains(errOut, "--password: Password must be 10 characters or more") {
		t.Fatalf("short password: %d %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "", "user", "create", "--db", db, "--email", "new@example.org", "--name", "New")
	if code != 1 || !strings.Contains(errOut, "no password given") {
		t.Fatalf("no password: %d %s", code, errOut)
	}
	code, out, _ = runCLI(t, "", "user", "set-role", "--db", db, "--email", "lee@example.org", "--role", "site-admin", "--org", "north")
	if code != 0 || !strings.Contains(out, "Site administrator") {
		t.Fatalf("set-role: %d %s", code, out)
	}
	code, _, errOut = runCLI(t, "", "user", "set-role", "--db", db, "--email", "lee@example.org", "--role", "emperor", "--org", "north")
	if code != 1 || !strings.Contains(errOut, "is not a role") {
		t.Fatalf("bad role: %d %s", code, errOut)
	}
	code, out, _ = runCLI(t, "a different password\n", "user", "reset-password", "--db", db, "--email", "lee@example.org")
	if code != 0 || !strings.Contains(out, "signed out everywhere") {
		t.Fatalf("reset-password: %d %s", code, out)
	}
	code, out, _ = runCLI(t, "", "user", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "lee@example.org") || !strings.Contains(out, "site-admin") {
		t.Fatalf("list: %d %s", code, out)
	}
}

func TestServeRefusesANewerDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	if code, _, errOut := runCLI(t, "", "migrate", "--db", path); code != 0 {
		t.Fatal(errOut)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(context.Background(), `INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, _, errOut := runCLI(t, "", "serve", "--db", path, "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "created by a newer version of Pillars") || !strings.Contains(errOut, "Upgrade Pillars") {
		t.Fatalf("serve on a newer database: %d %s", code, errOut)
	}
}

func TestServeSaysWhenTheDatabaseCannotBeReached(t *testing.T) {
	code, _, errOut := runCLI(t, "", "serve", "--db", "postgres://pillars:pw@127.0.0.1:1/pillars?connect_timeout=2", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "cannot reach PostgreSQL at postgres://pillars:xxxxx@127.0.0.1:1/pillars") || !strings.Contains(errOut, "PILLARS_DATABASE_URL") {
		t.Fatalf("unreachable database: %d %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "", "serve", "--addr", "nonsense")
	if code != 2 || !strings.Contains(errOut, "must be host:port") {
		t.Fatalf("bad settings: %d %s", code, errOut)
	}
}

func TestFrameworkValidateCommand(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("key: x\nversion: \"1\"\ntitle: T\nsummary: S\nelements:\n  - key: a\n    title: A\n    colour: red\n"), 0o644)
	code, _, errOut := runCLI(t, "", "framework", "validate", bad)
	if code != 1 || !strings.Contains(errOut, bad+":8: unknown field \"colour\"") {
		t.Fatalf("validate bad: %d %s", code, errOut)
	}
	files, _ := filepath.Glob("../../internal/framework/builtin/*.yaml")
	args := append([]string{"framework", "validate"}, files...)
	if code, out, errOut := runCLI(t, "", args...); code != 0 || strings.Count(out, "valid:") != len(files) {
		t.Fatalf("validate built-ins: %d %s %s", code, out, errOut)
	}
}

func TestPrivacyCheckCommand(t *testing.T) {
	dir := t.TempDir()
	clean, dirty := filepath.Join(dir, "clean.txt"), filepath.Join(dir, "dirty.txt")
	os.WriteFile(clean, []byte("On 12 March 2024 I led a falls session; reference 943 476 5918 is not valid."), 0o644)
	os.WriteFile(dirty, []byte("Saw Mrs Patel, NHS 943 476 5919."), 0o644)
	code, out, _ := runCLI(t, "", "privacy", "check", clean)
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("clean file: %d %s", code, out)
	}
	code, out, _ = runCLI(t, "", "privacy", "check", dirty)
	var got []struct {
		Kind   string `json:"kind"`
		Offset int    `json:"offset"`
		Length int    `json:"length"`
		Text   string `json:"text"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 1 || len(got) != 2 ||
		got[0].Kind != "name" || got[0].Text != "Mrs Patel" || got[0].Offset != 4 || got[0].Length != 9 ||
		got[1].Kind != "nhs-number" || got[1].Text != "943 476 5919" {
		t.Fatalf("dirty file: %d %s %v", code, out, err)
	}
	code, out, _ = runCLI(t, "Call 07700 900123", "privacy", "check", "-")
	if code != 1 || !strings.Contains(out, `"phone"`) {
		t.Fatalf("stdin: %d %s", code, out)
	}
	if code, _, errOut := runCLI(t, "", "privacy", "check", filepath.Join(dir, "missing.txt")); code != 2 || !strings.Contains(errOut, "cannot read") {
		t.Fatalf("missing file: %d %s", code, errOut)
	}
}
