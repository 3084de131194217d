package web_test

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func directoryRows(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM directory_items`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func upload(t *testing.T, c *http.Client, u, name, content string) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	status, body, _ := fetch(t, c, "POST", u, &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
	return status, body
}

// TestDirectoryBadInput sends each kind of bad input over HTTP: each gets a plain message on the
// page, keeps what was typed and changes nothing.
func TestDirectoryBadInput(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		alex := demoClient(t, app, personaEmail["practitioner"])
		admin := demoClient(t, app, personaEmail["site-admin"])
		rows := directoryRows(t, db)

		for _, c := range []struct {
			name, field, value, message string
		}{
			{"a link that is not http", "url", "javascript:alert(1)", "The link must start with https:// or http://"},
			{"a negative cost", "cost", "-20", "The cost cannot be negative"},
		} {
			form := url.Values{"kind": {"course"}, "title": {"Kept title " + c.name}, "url": {"https://example.org/ok"}, "summary": {"Kept summary"}}
			form.Set(c.field, c.value)
			status, body, _ := post(t, alex, app.URL+"/directory/suggest", form)
			if status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), c.message) {
				t.Errorf("%s: status %d, message %q missing", c.name, status, c.message)
			}
			if !strings.Contains(html.UnescapeString(body), "Kept title "+c.name) || !strings.Contains(body, "Kept summary") || !strings.Contains(html.UnescapeString(body), c.value) {
				t.Errorf("%s: what was typed was not kept", c.name)
			}
		}
		if n := directoryRows(t, db); n != rows {
			t.Fatalf("bad suggestions stored %d rows", n-rows)
		}

		for _, c := range []struct{ name, content, message string }{
			{"pillars.bib", "@article{smith2020,\n  title = {Unclosed,\n", "closing brace"},
			{"pillars.ris", "TY  - JOUR\nTI  - Never ends\n", "ER"},
		} {
			status, body := upload(t, admin, app.URL+"/directory/import", c.name, c.content)
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "There is a problem") || !strings.Contains(body, c.message) {
				t.Errorf("malformed %s: status %d\n%s", c.name, status, body)
			}
		}
		if n := directoryRows(t, db); n != rows {
			t.Fatalf("a malformed import stored %d rows", n-rows)
		}
		status, _ := upload(t, alex, app.URL+"/directory/import", "a.bib", "@misc{a, title = {X}}\n")
		if status != http.StatusForbidden {
			t.Fatalf("a practitioner imported: %d", status)
		}

		// A good suggestion, then a decline: first without a reason, then with one.
		if status, _, _ := post(t, alex, app.URL+"/directory/suggest", url.Values{"kind": {"web"}, "title": {"Huddle guide"}, "url": {"https://example.org/huddle"}}); status != http.StatusSeeOther {
			t.Fatalf("suggest: %d", status)
		}
		var id string
		if err := db.QueryRow(context.Background(), `SELECT CAST(id AS TEXT) FROM directory_items WHERE title = 'Huddle guide' AND status = 'pending'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		status, body, _ := post(t, admin, app.URL+"/directory/moderation/"+id+"/decline", url.Values{"reason": {"  "}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Say why you are declining it") {
			t.Fatalf("decline without a reason: %d", status)
		}
		if status, _, _ := post(t, admin, app.URL+"/directory/moderation/"+id+"/decline", url.Values{"reason": {"We already list a better guide."}}); status != http.StatusSeeOther {
			t.Fatalf("decline: %d", status)
		}
		m := app.Mail.Wait(t, 10*time.Second)
		if len(m.To) != 1 || m.To[0] != personaEmail["practitioner"] || !strings.Contains(m.Body, "We already list a better guide.") {
			t.Fatalf("email: %+v", m)
		}
		if status, _, _ := post(t, admin, app.URL+"/directory/moderation/"+id+"/decline", url.Values{"reason": {"Again"}}); status != http.StatusNotFound {
			t.Fatalf("declining twice: %d", status)
		}
	})
}
