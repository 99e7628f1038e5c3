package telegram

import (
	"testing"
	"time"
)

func TestPrivateChatBurstThenOneASecond(t *testing.T) {
	p := NewPacer(3, 20)
	t0 := time.Now()
	for i := 0; i < 3; i++ {
		if at := p.ReadyAt(1); at.After(t0) {
			t.Fatalf("message %d of a burst held until %v", i+1, at.Sub(t0))
		}
		p.Take(1, t0.Add(time.Duration(i)*time.Millisecond))
	}
	at := p.ReadyAt(1)
	if d := at.Sub(t0); d < 3*time.Second || d > 3*time.Second+100*time.Millisecond {
		t.Errorf("the fourth message may go after %v, want just over 3 s", d)
	}
	if at := p.ReadyAt(2); at.After(t0) {
		t.Error("another chat is held by this one's burst")
	}
}

func TestBulkKeepsASecondAfterAnyMessage(t *testing.T) {
	p := NewPacer(3, 20)
	t0 := time.Now()
	p.Take(1, t0)
	if d := p.ReadyAtBulk(1).Sub(t0); d < time.Second {
		t.Errorf("a bulk message may follow after %v, want at least 1 s", d)
	}
	if p.ReadyAt(1).After(t0) {
		t.Error("a reply is held by the bulk rule")
	}
}

func TestGroupTwentyAMinute(t *testing.T) {
	p := NewPacer(3, 20)
	t0 := time.Now()
	for i := 0; i < 20; i++ {
		p.Take(-5, t0.Add(time.Duration(i)*time.Second))
	}
	if !p.BusyGroup(-5, t0.Add(20*time.Second)) {
		t.Error("a group with 20 messages this minute is not busy")
	}
	if d := p.ReadyAtBulk(-5).Sub(t0); d < time.Minute {
		t.Errorf("the 21st group message may go after %v, want a minute after the first", d)
	}
}

func TestChatPause(t *testing.T) {
	p := NewPacer(3, 20)
	until := time.Now().Add(time.Hour)
	p.Pause(7, until)
	if !p.ReadyAt(7).Equal(until) || p.ReadyAt(8).After(time.Now()) {
		t.Error("a chat pause is not the chat's alone")
	}
	if _, ok := p.TakeIfReady(7, time.Now()); ok {
		t.Error("TakeIfReady took a paused chat")
	}
	if _, ok := p.TakeIfReady(8, time.Now()); !ok {
		t.Error("TakeIfReady refused a free chat")
	}
}

// An album of n counts as n messages: the chat's next bulk message waits
// n seconds, a reply until the burst window has room again.
func TestAlbumCountsAsItsFiles(t *testing.T) {
	p := NewPacer(3, 20)
	t0 := time.Now()
	p.TakeN(1, t0, 4)
	if d := p.ReadyAtBulk(1).Sub(t0); d < 4*time.Second || d > 4*time.Second+100*time.Millisecond {
		t.Errorf("after an album of 4 the next bulk message may go after %v, want just over 4 s", d)
	}
	if d := p.ReadyAt(1).Sub(t0); d < 4*time.Second {
		t.Errorf("a reply may follow an album of 4 after %v: the burst of 3 is spent", d)
	}
	p.TakeN(2, t0, 1)
	if d := p.ReadyAtBulk(2).Sub(t0); d < time.Second || d > time.Second+100*time.Millisecond {
		t.Errorf("one file counts as one message: %v", d)
	}
}
