package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeDemoOnAFreshDatabase is the README's first command: a new SQLite file, migrations,
// built-in frameworks and demo people, then a server that answers and stops cleanly.
func TestServeDemoOnAFreshDatabase(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var stderr strings.Builder
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--db", filepath.Join(t.TempDir(), "pillars.db"), "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, &stderr)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var url, all string
	for lines.Scan() {
		all += lines.Text() + "\n"
		if m := regexp.MustCompile(`running at (http://\S+)`).FindStringSubmatch(lines.Text()); m != nil {
			url = m[1]
		}
		if strings.HasPrefix(lines.Text(), "Press Ctrl+C") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if url == "" {
		t.Fatalf("serve printed no address:\n%s\n%s", all, stderr.String())
	}
	for _, want := range []string{"alex.marlowe@demo.pillars.test", `password "pillars-demo-2026"`, "admin@demo.pillars.test"} {
		if !strings.Contains(all, want) {
			t.Errorf("start-up message lacks %q", want)
		}
	}
	c := &http.Client{Timeout: 10 * time.Second}
	for _, path := range []string{"/readyz", "/", "/sign-in"} {
		resp, err := c.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
}
