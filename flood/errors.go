package flood

import "errors"

// ErrBusy is returned by Wait when the chat may not get a message within
// the longest wait the caller accepts.
var ErrBusy = errors.New("flood: chat is busy")
