package main

import (
	"context"
	"errors"
	"io"

	"vmeste/bot"
)

var _ = bot.ErrUnauthorized

func runDemo(ctx context.Context, cfg config, stdin io.Reader, stdout io.Writer) error {
	return errors.New("not yet")
}
