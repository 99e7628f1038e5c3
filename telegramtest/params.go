package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxBody bounds a request body (Telegram's upload limit for bots is 50 MB).
const maxBody = 50 << 20

var errTooLarge = errors.New("request entity too large")

type upload struct {
	name        string
	contentType string
	data        []byte
}

// params holds a request's parameters whatever their encoding: multipart
// form (what github.com/go-telegram/bot sends), JSON object, urlencoded form
// or query string. Nested objects are kept as JSON text, as Telegram does for
// form-encoded requests.
type params struct {
	vals  map[string]string
	files map[string]*upload
}

func parseParams(r *http.Request) (*params, error) {
	p := &params{vals: make(map[string]string, 8)}
	if r.URL.RawQuery != "" {
		for k, v := range r.URL.Query() {
			if len(v) > 0 {
				p.vals[k] = v[0]
			}
		}
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Body == nil {
		return p, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errors.New("can't read request body")
	}
	if len(body) > maxBody {
		return nil, errTooLarge
	}
	if len(body) == 0 {
		return p, nil
	}
	ct, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		return p, p.readMultipart(body, mp["boundary"])
	case "application/json":
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, errors.New("can't parse JSON request body")
		}
		for k, raw := range m {
			switch {
			case len(raw) == 0 || string(raw) == "null":
			case raw[0] == '"':
				var sv string
				if err := json.Unmarshal(raw, &sv); err != nil {
					return nil, errors.New("can't parse JSON request body")
				}
				p.vals[k] = sv
			default:
				p.vals[k] = string(raw)
			}
		}
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errors.New("can't parse form body")
		}
		for k, v := range form {
			if len(v) > 0 {
				p.vals[k] = v[0]
			}
		}
	}
	return p, nil
}

func (p *params) readMultipart(body []byte, boundary string) error {
	if boundary == "" {
		return errors.New("multipart boundary is missing")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return errors.New("can't parse multipart body")
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return errors.New("can't parse multipart body")
		}
		name := part.FormName()
		if fn := part.FileName(); fn != "" {
			if p.files == nil {
				p.files = make(map[string]*upload, 1)
			}
			p.files[name] = &upload{name: fn, contentType: part.Header.Get("Content-Type"), data: data}
			continue
		}
		p.vals[name] = string(data)
	}
}

func (p *params) str(k string) string { return p.vals[k] }

func (p *params) has(k string) bool { _, ok := p.vals[k]; return ok }

func (p *params) boolean(k string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(p.vals[k]))
	return b
}

// int parses an optional integer; missing means 0.
func (p *params) int(k string) (int64, bool) {
	v := strings.TrimSpace(p.vals[k])
	if v == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// chatID returns the chat_id-like parameter k, or a ready error reply.
func (p *params) chatID(k string) (int64, reply) {
	v := strings.TrimSpace(p.vals[k])
	if v == "" {
		return 0, badRequest(k + " is empty")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errChatNotFound
	}
	return n, reply{}
}

// peekChatID is the request's chat_id if it has a numeric one (for faults).
func (p *params) peekChatID() int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(p.vals["chat_id"]), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// messageID returns the message_id-like parameter k, or a ready error reply.
func (p *params) messageID(k string) (int, reply) {
	v := strings.TrimSpace(p.vals[k])
	if v == "" {
		return 0, badRequest("message identifier is not specified")
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, badRequest("message identifier is not specified")
	}
	return n, reply{}
}
