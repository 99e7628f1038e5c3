package telegramtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Console is a line-oriented chat client over a Server, for an interactive
// demo or a scripted transcript.
//
// Each input line is sent as a text message from the current user to the
// bot, except:
//
//	#N        press the N-th inline button (numbered from 1 across rows) of
//	          the newest bot message with buttons in the current user's chat
//	/as NAME  switch the current user (an unknown name prints the list)
//	/CMD ARGS a command of Commands (CMD without the slash), run by the
//	          console instead of being sent
//	/file PATH [CAPTION]  send the file at PATH as the current user: a
//	          picture (.jpg, .jpeg, .png) as a photo, a .mp4 or .mov as a
//	          video, anything else as a document
//	/contact [PHONE]  share the current user's phone, as the
//	          «request_contact» button of a reply keyboard does
//
// Every new or edited bot message in the current user's chat is printed as
// plain text with its buttons numbered, edited ones marked "(edited)".
// Switching user prints what the bot sent that user meanwhile.
//
// After each sent line or press, Run waits for the bot to fetch the update
// and then to go quiet in that chat (no new bot change for Quiet, at most
// MaxWait in all) before reading on, so a piped script gives a stable
// transcript. Messages the bot sends later are still printed as they come.
type Console struct {
	Server  *Server
	In      io.Reader
	Out     io.Writer
	Users   map[string]User // name -> user
	Current string          // current user's name; default: first name in order

	// Commands are the console's own commands besides /as: each gets the
	// rest of the line and returns what to print. The demo's /later moves
	// its clock.
	Commands map[string]func(args string) string

	Echo    bool          // print each input line (useful when In is a pipe)
	Quiet   time.Duration // quiet period; default 300ms
	MaxWait time.Duration // cap of a wait after a line; default 5s
}

// Run reads In until EOF (returns nil after printing everything pending),
// ctx is done (returns ctx.Err()) or In fails. On ctx cancellation the
// goroutine reading In stays blocked until In yields a line or EOF.
func (c *Console) Run(ctx context.Context) error {
	if c.Server == nil || len(c.Users) == 0 {
		return errors.New("telegramtest: Console needs a Server and Users")
	}
	names := make([]string, 0, len(c.Users))
	for n := range c.Users {
		names = append(names, n)
	}
	slices.Sort(names)
	if _, ok := c.Users[c.Current]; !ok {
		c.Current = names[0]
	}
	quiet, maxWait := c.Quiet, c.MaxWait
	if quiet <= 0 {
		quiet = 300 * time.Millisecond
	}
	if maxWait <= 0 {
		maxWait = 5 * time.Second
	}
	cs := &consoleState{c: c, seen: map[int64]uint64{}}
	cs.printf("Type a message; #N presses a button; /as %s switches user; Ctrl-D quits.\n", strings.Join(names, "|"))
	cs.printf("Пишите сообщение; #N нажимает кнопку; /as ИМЯ меняет пользователя; Ctrl-D выход.\n")
	cs.printf("/file PATH sends a file (a work, an import) / отправляет файл; /contact [PHONE] shares the phone / отправляет телефон.\n")
	if len(c.Commands) > 0 {
		cmds := make([]string, 0, len(c.Commands))
		for name := range c.Commands {
			cmds = append(cmds, "/"+name)
		}
		slices.Sort(cmds)
		cs.printf("Console commands / команды консоли: %s.\n", strings.Join(cmds, ", "))
	}
	cs.printf("You are %s.\n", c.Current)

	lines := make(chan string)
	readErr := make(chan error, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		sc := bufio.NewScanner(c.In)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-done:
				return
			}
		}
		readErr <- sc.Err()
		close(lines)
	}()

	for {
		snap := cs.flush()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-snap.wake:
		case line, ok := <-lines:
			if !ok {
				cs.flush()
				return <-readErr
			}
			if upd := cs.handle(line, names); upd != 0 {
				cs.settle(ctx, upd, quiet, maxWait)
			}
		}
	}
}

type consoleState struct {
	c    *Console
	seen map[int64]uint64 // chat -> version printed up to
}

func (cs *consoleState) printf(format string, args ...any) {
	fmt.Fprintf(cs.c.Out, format, args...)
}

func (cs *consoleState) user() User { return cs.c.Users[cs.c.Current] }

// flush prints the current chat's bot messages changed since last printed.
func (cs *consoleState) flush() snapshot {
	id := cs.user().ID
	snap := cs.c.Server.botChangesAfter(id, cs.seen[id])
	cs.seen[id] = snap.version
	for _, m := range snap.msgs {
		cs.print(m)
	}
	return snap
}

// handle executes one input line; it returns the id of the update it
// created (0: none).
func (cs *consoleState) handle(line string, names []string) int64 {
	c := cs.c
	if c.Echo {
		cs.printf("> %s\n", line)
	}
	text := strings.TrimSpace(line)
	switch {
	case text == "":
		return 0
	case text == "/as" || strings.HasPrefix(text, "/as "):
		name := strings.TrimSpace(strings.TrimPrefix(text, "/as"))
		if _, ok := c.Users[name]; !ok {
			cs.printf("Users: %s\n", strings.Join(names, ", "))
			return 0
		}
		c.Current = name
		cs.printf("— You are %s now —\n", name)
		cs.flush()
		return 0
	case strings.HasPrefix(text, "/") && c.Commands[strings.Fields(text)[0][1:]] != nil:
		name := strings.Fields(text)[0]
		cs.printf("%s\n", c.Commands[name[1:]](strings.TrimSpace(strings.TrimPrefix(text, name))))
		cs.flush()
		return 0
	case text == "/file" || strings.HasPrefix(text, "/file "):
		return cs.sendFile(strings.TrimSpace(strings.TrimPrefix(text, "/file")))
	case text == "/contact" || strings.HasPrefix(text, "/contact "):
		phone := strings.TrimSpace(strings.TrimPrefix(text, "/contact"))
		if phone == "" {
			phone = "79280000000"
		}
		_, upd := c.Server.sendContact(cs.user(), phone)
		return upd
	case len(text) > 1 && text[0] == '#':
		n, err := strconv.Atoi(text[1:])
		if err != nil {
			break // not a button reference: send as text
		}
		return cs.press(n)
	}
	_, upd := c.Server.sendText(cs.user(), line)
	return upd
}

// sendFile sends the file named first in args (the rest is its caption).
func (cs *consoleState) sendFile(args string) int64 {
	name, caption, _ := strings.Cut(args, " ")
	if name == "" {
		cs.printf("(usage: /file PATH [caption])\n")
		return 0
	}
	data, err := os.ReadFile(name)
	if err != nil {
		cs.printf("(cannot read %s: %v)\n", name, err)
		return 0
	}
	kind, base := fileDocument, filepath.Base(name)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png":
		kind = filePhoto
	case ".mp4", ".mov":
		kind = fileVideo
	}
	mimeType := mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))
	mimeType, _, _ = strings.Cut(mimeType, ";")
	_, upd := cs.c.Server.sendUserFile(cs.user(), kind, base, mimeType, data, strings.TrimSpace(caption))
	return upd
}

func (cs *consoleState) press(n int) int64 {
	s, u := cs.c.Server, cs.user()
	s.mu.Lock()
	rec := s.lastBotLocked(u.ID, func(r *record) bool { return len(r.msg.Buttons) > 0 })
	var msgID int
	if rec != nil {
		msgID = rec.msg.ID
	}
	s.mu.Unlock()
	if rec == nil {
		cs.printf("(no message with buttons)\n")
		return 0
	}
	_, upd, err := s.press(u, u.ID, msgID, "", n-1)
	if err != nil {
		cs.printf("(no button #%d: %v)\n", n, err)
		return 0
	}
	return upd
}

// settle waits until the bot fetched update upd and then stayed quiet in the
// current chat for quiet, printing what arrives; at most maxWait overall.
func (cs *consoleState) settle(ctx context.Context, upd int64, quiet, maxWait time.Duration) {
	deadline := time.NewTimer(maxWait)
	defer deadline.Stop()
	var quietT *time.Timer
	var quietC <-chan time.Time
	for {
		snap := cs.flush()
		switch {
		case quietT == nil && snap.delivered >= upd:
			quietT = time.NewTimer(quiet)
			defer quietT.Stop()
			quietC = quietT.C
		case quietT != nil && len(snap.msgs) > 0:
			quietT.Reset(quiet)
		}
		select {
		case <-ctx.Done():
			return
		case <-deadline.C:
			return
		case <-quietC:
			return
		case <-snap.wake:
		}
	}
}

func (cs *consoleState) print(m Message) {
	var b strings.Builder
	b.WriteString("🤖 ")
	if m.Edited > 0 {
		b.WriteString("(edited) ")
	}
	switch {
	case m.Document != nil:
		fmt.Fprintf(&b, "📎 %s", m.Document.Name)
		if t := m.PlainText(); t != "" {
			b.WriteString("\n   " + t)
		}
	case m.Video != nil:
		b.WriteString("🎬 video")
		if t := m.PlainText(); t != "" {
			b.WriteString("\n   " + t)
		}
	case m.Photo != nil:
		b.WriteString("🖼 photo")
		if t := m.PlainText(); t != "" {
			b.WriteString("\n   " + t)
		}
	default:
		b.WriteString(m.PlainText())
	}
	b.WriteByte('\n')
	n := 0
	for _, row := range m.Buttons {
		parts := make([]string, len(row))
		for i, btn := range row {
			n++
			parts[i] = fmt.Sprintf("[%d] %s", n, btn.Text)
			if btn.URL != "" {
				parts[i] += " (" + btn.URL + ")"
			}
		}
		b.WriteString("   " + strings.Join(parts, "  ") + "\n")
	}
	for _, row := range m.ReplyKeyboard {
		b.WriteString("   ⌨ " + strings.Join(row, " | ") + "\n")
	}
	cs.printf("%s", b.String())
}
