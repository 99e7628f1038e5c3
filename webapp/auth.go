package webapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Sign-in: every request carries Telegram's initData, the signed
// query string Telegram gives the page (the #tgWebAppData fragment), in the
// InitDataHeader. It is checked as Telegram documents it ("Validating
// data received via the Mini App"):
//
//	secret_key = HMAC_SHA256(key = "WebAppData", message = bot_token)
//	hash       = hex(HMAC_SHA256(key = secret_key, message = data_check_string))
//
// where data_check_string is every field but hash, as key=value, sorted by
// key, joined with "\n". The hash is compared in constant time.

// InitDataHeader is the request header that carries initData.
const InitDataHeader = "X-Telegram-Init-Data"

// MaxInitDataAge is how old an initData's auth_date may be: a day.
const MaxInitDataAge = 24 * time.Hour

// Why an initData is refused; each is answered 401.
var (
	// ErrNoInitData is returned for a request without initData.
	ErrNoInitData = errors.New("webapp: no initData")
	// ErrBadInitData is returned for initData that is not Telegram's
	// (unparseable, a field given twice, no hash, a hash that does not
	// match, no user).
	ErrBadInitData = errors.New("webapp: initData not signed by Telegram")
	// ErrStaleInitData is returned for initData whose auth_date is more
	// than MaxInitDataAge ago (or in the future by more than a minute).
	ErrStaleInitData = errors.New("webapp: initData too old")
)

// webUser is the user field of initData (the fields we read).
type webUser struct {
	ID           int64  `json:"id"`
	FirstName    string `json:"first_name"`
	LanguageCode string `json:"language_code"`
}

// signIn is what a verified initData says.
type signIn struct {
	User     webUser
	AuthDate time.Time
}

// webAppSecret is the key initData is signed with, derived from the bot's
// token.
func webAppSecret(token string) []byte {
	m := hmac.New(sha256.New, []byte("WebAppData"))
	m.Write([]byte(token))
	return m.Sum(nil)
}

// dataCheckString is the text the hash signs: every field of v but hash,
// key=value, sorted by key, joined with newlines.
func dataCheckString(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		if k != "hash" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var sb strings.Builder
	for i, k := range keys {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(k + "=" + v.Get(k))
	}
	return sb.String()
}

// verifyInitData checks raw (the initData query string) against secret
// and returns who signed in. now is the clock.
func verifyInitData(secret []byte, raw string, now time.Time) (signIn, error) {
	if raw == "" {
		return signIn{}, ErrNoInitData
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return signIn{}, fmt.Errorf("%w: %v", ErrBadInitData, err)
	}
	for _, vals := range v {
		if len(vals) > 1 { // Telegram sends each field once: a repeat is forged
			return signIn{}, ErrBadInitData
		}
	}
	got, err := hex.DecodeString(v.Get("hash"))
	if err != nil || len(got) != sha256.Size {
		return signIn{}, ErrBadInitData
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(dataCheckString(v)))
	if !hmac.Equal(got, m.Sum(nil)) {
		return signIn{}, ErrBadInitData
	}
	sec, err := strconv.ParseInt(v.Get("auth_date"), 10, 64)
	if err != nil {
		return signIn{}, ErrBadInitData
	}
	at := time.Unix(sec, 0)
	if now.Sub(at) > MaxInitDataAge || at.Sub(now) > time.Minute {
		return signIn{}, ErrStaleInitData
	}
	var u webUser
	if err := json.Unmarshal([]byte(v.Get("user")), &u); err != nil || u.ID == 0 {
		return signIn{}, ErrBadInitData
	}
	return signIn{User: u, AuthDate: at}, nil
}
