package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// The bot's media: sendVideo (with sendDocument and sendPhoto in
// methods.go) and sendMediaGroup, an album of 2–10 photos and videos, or of
// documents, each item becoming a message of its own that carries the
// album's MediaGroupID.

// Telegram's limits on an album.
const (
	MinMediaGroup = 2
	MaxMediaGroup = 10
)

type wireVideo struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	Duration     int    `json:"duration"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

func fileVideoWire(f *File) *wireVideo {
	return &wireVideo{FileID: f.ID, FileUniqueID: f.uniqueID, Width: f.width, Height: f.height, Duration: 1,
		FileName: f.Name, MimeType: f.MimeType, FileSize: f.Size}
}

// attachLocked puts f on m as the kind of file field names ("document",
// "photo" or "video").
func attachLocked(m *Message, field string, f *File) {
	switch field {
	case "photo":
		m.Photo = f
	case "video":
		m.Video = f
	default:
		m.Document = f
	}
}

// storeUploadLocked stores a file the bot uploaded as the kind field names.
func (s *Server) storeUploadLocked(field string, up *upload) *File {
	switch field {
	case "photo":
		return s.storeFileLocked(up.name, "image/jpeg", up.data, true)
	case "video":
		return s.storeVideoLocked(up.name, up.contentType, up.data)
	}
	return s.storeFileLocked(up.name, up.contentType, up.data, false)
}

// storeVideoLocked registers a video: an id of Telegram's shape for videos,
// a file_path under videos/.
func (s *Server) storeVideoLocked(name, mimeType string, data []byte) *File {
	s.nextFile++
	n := s.nextFile
	if mimeType == "" || mimeType == "application/octet-stream" {
		mimeType = "video/mp4"
	}
	if name == "" {
		name = "video.mp4"
	}
	ext := path.Ext(name)
	if ext == "" {
		ext = ".mp4"
	}
	f := &File{Name: name, MimeType: mimeType, Size: len(data), Content: data, uniqueID: "AgADv" + strconv.Itoa(n),
		ID: "BAACAgIAAxkBAAIP" + strconv.Itoa(n), Path: fmt.Sprintf("videos/file_%d%s", n, ext), width: 640, height: 360}
	s.files[f.ID] = f
	s.filePaths[f.Path] = f
	return f
}

// inputMedia is one item of sendMediaGroup's media array.
type inputMedia struct {
	Type      string `json:"type"`
	Media     string `json:"media"`
	Caption   string `json:"caption"`
	ParseMode string `json:"parse_mode"`
}

// mSendMediaGroup sends an album: 2–10 items, photos and videos together
// or documents alone, each by file_id or attach://<part>. It answers the
// array of the messages sent, as Telegram does.
func (s *Server) mSendMediaGroup(_ context.Context, p *params) reply {
	chatID, r := p.chatID("chat_id")
	if r.failed() {
		return r
	}
	var items []inputMedia
	var merr reply
	if err := json.Unmarshal([]byte(p.str("media")), &items); err != nil {
		merr = badRequest("can't parse media JSON object")
	}
	contents := make([]content, len(items))
	docs, visual := 0, 0
	for i, it := range items {
		if merr.failed() {
			break
		}
		switch it.Type {
		case "photo", "video":
			visual++
		case "document":
			docs++
		default:
			merr = badRequest("unsupported media type " + strconv.Quote(it.Type))
			continue
		}
		if it.Media == "" {
			merr = badRequest("media not found")
			continue
		}
		c, cerr := parseContent(it.Caption, it.ParseMode, true)
		if cerr.failed() {
			merr = cerr
		}
		contents[i] = c
	}
	switch {
	case merr.failed():
	case len(items) < MinMediaGroup || len(items) > MaxMediaGroup:
		merr = badRequest("wrong number of media group items: must be between 2 and 10")
	case docs > 0 && visual > 0:
		merr = badRequest("document can't be mixed with other media types")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	files := make([]*File, len(items))
	for i, it := range items {
		if merr.failed() {
			break
		}
		if name, ok := strings.CutPrefix(it.Media, "attach://"); ok {
			up := p.files[name]
			if up == nil || len(up.data) == 0 {
				merr = badRequest("media not found")
				break
			}
			files[i] = s.storeUploadLocked(it.Type, up)
			continue
		}
		if files[i] = s.files[it.Media]; files[i] == nil {
			merr = badRequest("wrong file identifier/HTTP URL specified")
		}
	}
	paid := p.boolean("allow_paid_broadcast")
	cs, r := s.prepareSendLocked(chatID, paid, merr)
	if r.failed() {
		return r
	}
	s.nextFile++ // the album's id comes from the same counter as files'
	group := strconv.Itoa(1_300_000_000 + s.nextFile)
	out := make([]*wireMessage, len(items))
	for i, it := range items {
		rec := s.botRecord(contents[i], markup{}, paid)
		rec.msg.Caption = contents[i].raw
		rec.msg.MediaGroupID = group
		attachLocked(&rec.msg, it.Type, files[i])
		s.addLocked(cs, rec)
		out[i] = s.messageWire(cs, rec)
	}
	return ok(out)
}

// MediaGroup returns the visible messages of the album groupID in chat, in
// the order sent.
func (s *Server) MediaGroup(chatID int64, groupID string) []Message {
	var out []Message
	for _, m := range s.BotMessages(chatID) {
		if groupID != "" && m.MediaGroupID == groupID {
			out = append(out, m)
		}
	}
	return out
}
