package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// staticAssets serves the embedded files under /static/<hash>/, where the hash covers every file.
// Any change to any file changes every URL, so browsers may cache them for a year and never see
// a stale stylesheet; relative references between files (CSS to images, JS to JS) keep working.
type staticAssets struct {
	hash string
	fsys fs.FS
}

func newStaticAssets() (*staticAssets, error) {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	var names []string
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(sub, n)
		if err != nil {
			return nil, err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return &staticAssets{hash: hex.EncodeToString(h.Sum(nil))[:12], fsys: sub}, nil
}

// URL returns the cache-busting address of an embedded file.
func (a *staticAssets) URL(name string) string { return "/static/" + a.hash + "/" + name }

func (a *staticAssets) serve(w http.ResponseWriter, r *http.Request) {
	name := path.Clean(r.PathValue("path"))
	if r.PathValue("hash") != a.hash || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".md") || strings.Contains(name, "VERSION") {
		http.NotFound(w, r)
		return
	}
	if st, err := fs.Stat(a.fsys, name); err != nil || st.IsDir() {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeFileFS(w, r, a.fsys, name)
}
