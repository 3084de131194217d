package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pillars-ot/pillars/internal/privacy"
)

const privacyAbout = `Checks text for anything that could identify a service user: NHS numbers (valid
check digit only), dates of birth (when the wording says so), postcodes, phone numbers, email
addresses, names after a title (Mr, Mrs, Ms, Miss, Mx, Dr) and hospital numbers.

  pillars privacy check FILE    (FILE may be - for standard input)

Prints the findings as JSON: [{"kind", "offset", "length", "text"}], offsets in bytes.
Exits 0 when the text is clean, 1 when there are findings, 2 when the file cannot be read.`

func cmdPrivacy(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, privacyAbout)
		if len(args) == 0 {
			return exitError{2}
		}
		return nil
	}
	if args[0] != "check" || len(args) != 2 {
		fmt.Fprintln(stderr, "usage: pillars privacy check FILE")
		return exitError{2}
	}
	var text []byte
	var err error
	if args[1] == "-" {
		text, err = io.ReadAll(stdin)
	} else {
		text, err = os.ReadFile(args[1])
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			fmt.Fprintf(stderr, "pillars privacy: cannot read %s: %v\n", pe.Path, pe.Err)
		} else {
			fmt.Fprintf(stderr, "pillars privacy: %v\n", err)
		}
		return exitError{2}
	}
	findings := privacy.Check(string(text))
	if findings == nil {
		findings = []privacy.Finding{}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(findings); err != nil {
		return err
	}
	if len(findings) > 0 {
		return exitError{1}
	}
	return nil
}
