package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
)

//go:embed static
var staticFiles embed.FS

// versions holds a short hash of each static file's content. Pages link to
// /static/NAME?v=HASH, so a browser may keep a file for a year and still
// fetches a new one after every change.
var versions = hashStatic()

func hashStatic() map[string]string {
	out := map[string]string{}
	entries, err := fs.ReadDir(staticFiles, "static")
	if err != nil {
		panic(err) // the embedded folder is part of the binary
	}
	for _, e := range entries {
		b, err := staticFiles.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(sum[:6])
	}
	return out
}

// asset returns the versioned URL of a static file.
func asset(name string) string {
	return "/static/" + name + "?v=" + versions[name]
}

// serveStatic serves an embedded file. A request naming the current
// version may be cached for good; any other is revalidated.
func serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	v, ok := versions[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, _ := staticFiles.ReadFile("static/" + name)
	w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == v {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("ETag", `"`+v+`"`)
	if r.Header.Get("If-None-Match") == `"`+v+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(b)
}
