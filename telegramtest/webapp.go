package telegramtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// InitData is what Telegram hands a Mini App that u opens at at: the
// query string of Telegram.WebApp.initData (user, auth_date, query_id),
// signed for the bot with token as Telegram documents it:
//
//	secret = HMAC_SHA256(key = "WebAppData", message = token)
//	hash   = hex(HMAC_SHA256(key = secret, message = data_check_string))
//
// data_check_string being every field but hash as key=value, sorted, joined
// with "\n". Tests open pages with it as Telegram would.
func InitData(token string, u User, at time.Time) string {
	user, _ := json.Marshal(map[string]any{"id": u.ID, "first_name": u.FirstName, "language_code": u.LanguageCode})
	v := url.Values{}
	v.Set("user", string(user))
	v.Set("auth_date", strconv.FormatInt(at.Unix(), 10))
	v.Set("query_id", "AAH"+strconv.FormatInt(u.ID, 36))
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + "=" + v.Get(k)
	}
	secret := hmac.New(sha256.New, []byte("WebAppData"))
	secret.Write([]byte(token))
	m := hmac.New(sha256.New, secret.Sum(nil))
	m.Write([]byte(strings.Join(lines, "\n")))
	v.Set("hash", hex.EncodeToString(m.Sum(nil)))
	return v.Encode()
}
