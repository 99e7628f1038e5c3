package flood

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPrivateChatBurstThenOneASecond(t *testing.T) {
	p := New(3, 20)
	t0 := time.Now()
	for i := 0; i < 3; i++ {
		if at := p.ReadyAt(1, false); at.After(t0) {
			t.Fatalf("message %d of a burst held until %v", i+1, at.Sub(t0))
		}
		p.Take(1, false, t0.Add(time.Duration(i)*time.Millisecond))
	}
	at := p.ReadyAt(1, false)
	if d := at.Sub(t0); d < 3*time.Second || d > 3*time.Second+100*time.Millisecond {
		t.Errorf("the fourth message may go after %v, want just over 3 s", d)
	}
	if at := p.ReadyAt(2, false); at.After(t0) {
		t.Error("another chat is held by this one's burst")
	}
}

func TestBulkKeepsASecondAfterAnyMessage(t *testing.T) {
	p := New(3, 20)
	t0 := time.Now()
	p.Take(1, false, t0)
	if d := p.ReadyAtBulk(1, false).Sub(t0); d < time.Second {
		t.Errorf("a bulk message may follow after %v, want at least 1 s", d)
	}
	if p.ReadyAt(1, false).After(t0) {
		t.Error("a reply is held by the bulk rule")
	}
}

func TestGroupTwentyAMinute(t *testing.T) {
	p := New(3, 20)
	t0 := time.Now()
	for i := 0; i < 20; i++ {
		p.Take(-5, true, t0.Add(time.Duration(i)*time.Second))
	}
	if !p.BusyGroup(-5, t0.Add(20*time.Second)) {
		t.Error("a group with 20 messages this minute is not busy")
	}
	if d := p.ReadyAtBulk(-5, true).Sub(t0); d < time.Minute {
		t.Errorf("the 21st group message may go after %v, want a minute after the first", d)
	}
}

func TestPauses(t *testing.T) {
	p := New(3, 20)
	until := time.Now().Add(time.Hour)
	p.Pause(7, false, until)
	if !p.ReadyAt(7, false).Equal(until) || p.ReadyAt(8, false).After(time.Now()) {
		t.Error("a chat pause is not the chat's alone")
	}
	p.Pause(0, true, until)
	if !p.ReadyAt(8, false).Equal(until) {
		t.Error("a global pause does not hold every chat")
	}
}

func TestWait(t *testing.T) {
	p := New(1, 20)
	ctx := context.Background()
	if err := p.Wait(ctx, 1, false, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(ctx, 1, false, 10*time.Millisecond); !errors.Is(err, ErrBusy) {
		t.Errorf("Wait beyond max = %v, want ErrBusy", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.Wait(cancelled, 1, false, time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait on a cancelled context = %v", err)
	}
}
