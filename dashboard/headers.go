package dashboard

import "net/http"

// MaxBodyBytes bounds every request body; routes with smaller limits apply their own.
const MaxBodyBytes = 1 << 20

// contentSecurityPolicy allows only the server's own scripts, styles, images, tiles and
// sockets: no inline script, no third-party origin, no framing. Map workers run from blob:.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: wss:; worker-src 'self' blob:; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(h http.Header, r *http.Request) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	if len(r.URL.Path) > 4 && r.URL.Path[:5] == "/api/" {
		h.Set("Cache-Control", "no-store") // answers may hold personal data
	}
}
