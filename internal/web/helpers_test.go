package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// signIn signs a client in as a demo person and fails the test if that does not work.
func signIn(t *testing.T, app *testutil.App, c *http.Client, email, password string) {
	t.Helper()
	resp, err := c.PostForm(app.URL+"/sign-in", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/home" {
		t.Fatalf("sign in as %s: %d %s", email, resp.StatusCode, resp.Header.Get("Location"))
	}
}

func demoClient(t *testing.T, app *testutil.App, email string) *http.Client {
	c := app.Client()
	signIn(t, app, c, email, demo.Password)
	return c
}

// fetch makes a request and returns the status and body.
func fetch(t *testing.T, c *http.Client, method, u string, body io.Reader, headers map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	status, body, _ := fetch(t, c, "GET", u, nil, nil)
	return status, body
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string, http.Header) {
	t.Helper()
	return fetch(t, c, "POST", u, strings.NewReader(form.Encode()), nil)
}
