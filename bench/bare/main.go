// Command bare is the baseline for the load benchmark (bench/run.sh). It serves, at the same
// paths, the exact bytes Pillars returned for each page, with the same response headers, but does
// nothing else: no session, no database, no templates. Measuring it next to Pillars with the same
// wrk settings shows how much of Pillars' cost is the framework and how much is HTTP itself.
//
// Usage:
//
//	bare -addr 127.0.0.1:0 -page /home=DIR/home -page /frameworks/ot-leadership=DIR/framework
//
// Each -page PATH=PREFIX reads PREFIX.body (the response body, as captured by curl -o) and
// PREFIX.headers (the response head, as captured by curl -D). Everything is read once, at start-up.
// It prints "bare is running at http://ADDR" on stdout once it is listening, and answers /healthz so
// the script can wait for it the same way it waits for Pillars.
//
// Standard library only, so the baseline measures net/http and nothing else.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"time"
)

// skipped are the headers that describe one particular response or connection rather than the
// page. net/http writes its own Date and framing (Content-Length or chunked), exactly as it does for
// Pillars, and a replayed Set-Cookie would be wrong.
var skipped = map[string]bool{
	"Date":              true,
	"Content-Length":    true,
	"Transfer-Encoding": true,
	"Connection":        true,
	"Keep-Alive":        true,
	"Set-Cookie":        true,
}

type page struct {
	header http.Header
	body   []byte
}

// pageFlags collects repeated -page PATH=PREFIX flags.
type pageFlags map[string]string

func (p pageFlags) String() string { return fmt.Sprint(map[string]string(p)) }

func (p pageFlags) Set(v string) error {
	path, prefix, ok := strings.Cut(v, "=")
	if !ok || !strings.HasPrefix(path, "/") || prefix == "" {
		return errors.New("want PATH=PREFIX, e.g. /home=/tmp/x/home")
	}
	p[path] = prefix
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	pages := pageFlags{}
	flag.Var(pages, "page", "PATH=PREFIX: serve PREFIX.body with the headers in PREFIX.headers at PATH (repeatable)")
	flag.Parse()
	if err := run(*addr, pages); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func run(addr string, pages pageFlags) error {
	if len(pages) == 0 {
		return errors.New("give at least one -page PATH=PREFIX")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("listen address %q is not a loopback IP; this server is for local benchmarks only", addr)
	}

	mux := http.NewServeMux()
	for path, prefix := range pages {
		p, err := load(prefix)
		if err != nil {
			return err
		}
		// The handler does the least a real server must: set the headers, write the body.
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			maps.Copy(w.Header(), p.header)
			w.Write(p.body)
		})
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Printf("bare is running at http://%s\n", ln.Addr())
	// The same timeouts Pillars sets, so connection handling is configured alike.
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	return srv.Serve(ln)
}

// load reads PREFIX.body and PREFIX.headers. The headers file is curl's -D output: a status line,
// then "Name: value" lines, then a blank line.
func load(prefix string) (page, error) {
	body, err := os.ReadFile(prefix + ".body")
	if err != nil {
		return page{}, err
	}
	raw, err := os.ReadFile(prefix + ".headers")
	if err != nil {
		return page{}, err
	}
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	if _, err := tp.ReadLine(); err != nil { // the status line, e.g. "HTTP/1.1 200 OK"
		return page{}, fmt.Errorf("%s.headers: %w", prefix, err)
	}
	mime, err := tp.ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return page{}, fmt.Errorf("%s.headers: %w", prefix, err)
	}
	h := http.Header{}
	for name, values := range mime {
		if !skipped[name] {
			h[name] = values
		}
	}
	if h.Get("Content-Type") == "" {
		return page{}, fmt.Errorf("%s.headers has no Content-Type", prefix)
	}
	return page{header: h, body: body}, nil
}
