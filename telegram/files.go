package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	tg "github.com/go-telegram/bot"
)

// ErrFileTooBig is returned by Download for a file over the caller's limit.
var ErrFileTooBig = errors.New("telegram: file too big")

// Download fetches a file a user sent (getFile, then the file URL),
// refusing one over maxBytes: by the size Telegram gave (size, 0 if
// unknown) before any call, and by what arrives.
func (g *Gateway) Download(ctx context.Context, fileID string, size, maxBytes int64) ([]byte, error) {
	if size > maxBytes {
		return nil, ErrFileTooBig
	}
	f, err := g.api.GetFile(ctx, &tg.GetFileParams{FileID: fileID})
	if err != nil {
		return nil, g.fail(ctx, "getFile", 0, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.cfg.APIURL+"/file/bot"+g.cfg.Token+"/"+f.FilePath, nil)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", g.redact(err))
	}
	resp, err := g.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", g.redact(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("telegram: download: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", g.redact(err))
	}
	if int64(len(data)) > maxBytes {
		return nil, ErrFileTooBig
	}
	return data, nil
}
