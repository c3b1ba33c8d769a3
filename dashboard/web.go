package dashboard

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
)

// webDist is the built big-screen app (dashboard/web, built by `make web` into web/dist). A
// checkout that has not built it holds only web/dist/.gitkeep: then / serves the status page.
//
//go:embed all:web/dist
var webDist embed.FS

// screenApp returns the built app's files, or nil when it was not built.
func screenApp() fs.FS {
	sub, err := fs.Sub(webDist, "web/dist")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil
	}
	return sub
}

// mountScreen serves the big screen at / and its assets at /assets/…, and the status page at
// /status. Asset names carry a content hash, so they are cached for a year.
func (s *Server) mountScreen() {
	public := Access{Public: true}
	app := screenApp()
	s.route("GET /status", public, s.handlePage)
	if app == nil {
		app = notBuilt{}
	}
	index, err := fs.ReadFile(app, "index.html")
	s.route("GET /{$}", public, func(w http.ResponseWriter, r *http.Request) {
		if err != nil { // not built: the status page says what runs
			s.handlePage(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	})
	var gz sync.Map // asset name → its gzip, made at the first request that accepts it
	s.route("GET /assets/{file...}", public, func(w http.ResponseWriter, r *http.Request) {
		name := path.Clean("assets/" + r.PathValue("file"))
		b, err := fs.ReadFile(app, name)
		if err != nil || !strings.HasPrefix(name, "assets/") {
			http.NotFound(w, r)
			return
		}
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("Vary", "Accept-Encoding")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			z, ok := gz.Load(name)
			if !ok {
				z, _ = gz.LoadOrStore(name, gzipped(b))
			}
			w.Header().Set("Content-Encoding", "gzip")
			b = z.([]byte)
		}
		_, _ = w.Write(b)
	})
}

// gzipped compresses an asset once: the app's script is 1.7 MB, 0.5 MB compressed.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// notBuilt is the app of a checkout that did not build it: it has no files.
type notBuilt struct{}

func (notBuilt) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
