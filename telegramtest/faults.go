package telegramtest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is an error (or delay) the emulator injects instead of handling a
// request normally. Code 0 with a Delay means "delay, then handle normally".
type Fault struct {
	Code        int    // HTTP status and error_code; 0: no error
	Description string // Telegram-style description; a default is used if empty
	RetryAfter  int    // parameters.retry_after, for 429
	Delay       time.Duration
}

// TooManyRequests is a 429 "Too Many Requests: retry after N" with retry_after N.
func TooManyRequests(retryAfter int) Fault { return Fault{Code: 429, RetryAfter: retryAfter} }

// Blocked is 403 "Forbidden: bot was blocked by the user".
func Blocked() Fault { return Fault{Code: 403, Description: errBlocked.desc} }

// ServerError is 500 "Internal Server Error".
func ServerError() Fault { return Fault{Code: 500, Description: "Internal Server Error"} }

// Slow delays the request by d, then handles it normally.
func Slow(d time.Duration) Fault { return Fault{Delay: d} }

func (f Fault) reply() reply {
	r := reply{code: f.Code, desc: f.Description, retryAfter: f.RetryAfter}
	if r.desc == "" {
		switch f.Code {
		case 429:
			r.desc = "Too Many Requests: retry after " + strconv.Itoa(f.RetryAfter)
		case 400:
			r.desc = "Bad Request"
		case 403:
			r.desc = "Forbidden"
		default:
			r.desc = "Internal Server Error"
		}
	}
	return r
}

type faultRule struct {
	method string // lower case
	chatID int64  // 0: any
	fault  Fault
	left   int
}

// FailNext makes the next `times` calls of method (case-insensitive) whose
// chat_id is chatID (0: any request of that method) answer with fault f
// instead of being handled. times < 1 counts as 1. Rules apply in the order
// they were added; a request consumes at most one rule. Faults are applied
// after the token check and before any validation.
func (s *Server) FailNext(method string, chatID int64, f Fault, times int) {
	if times < 1 {
		times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultRule{method: strings.ToLower(method), chatID: chatID, fault: f, left: times})
}

// Injected429 counts 429 answers caused by FailNext (not by rate limits).
func (s *Server) Injected429() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.injected429
}

// takeFault consumes the first fault rule matching the request.
func (s *Server) takeFault(method string, p *params) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return Fault{}, false
	}
	chatID := p.peekChatID()
	for i, r := range s.faults {
		if r.method != method || (r.chatID != 0 && r.chatID != chatID) {
			continue
		}
		r.left--
		if r.left == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		if r.fault.Code == 429 {
			s.injected429++
		}
		return r.fault, true
	}
	return Fault{}, false
}

// Outage is how the emulated Telegram fails every request during an
// outage (SetOutage).
type Outage int

// Outages.
const (
	// NoOutage: requests are handled.
	NoOutage Outage = iota
	// Unreachable: every connection is closed without an answer, as when
	// Telegram cannot be reached (the client sees a network error).
	Unreachable
	// BadGateway: every request is answered 502 Bad Gateway with a proxy's
	// HTML page, not JSON.
	BadGateway
)

// SetOutage makes every later request (any method, getMe and getUpdates
// included) fail as o says, until SetOutage(NoOutage). Nothing a failed
// request asked for is done. Long polls already waiting go on.
func (s *Server) SetOutage(o Outage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage = o
}

// OutageRefused counts the requests refused by SetOutage.
func (s *Server) OutageRefused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.outageRefused
}

// refuseInOutage fails the request if an outage is on; false if it is
// to be handled.
func (s *Server) refuseInOutage(w http.ResponseWriter) bool {
	s.mu.Lock()
	o := s.outage
	if o != NoOutage {
		s.outageRefused++
	}
	s.mu.Unlock()
	switch o {
	case Unreachable:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	case BadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"))
		return true
	}
	return false
}
