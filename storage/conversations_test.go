package storage

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestConversationPutGetClear(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)

	steps := []struct {
		name string
		conv Conversation
	}{
		{"start onboarding", Conversation{Flow: "onboarding", Step: "name"}},
		{"next step with data", Conversation{Flow: "onboarding", Step: "org", Data: json.RawMessage(`{"name":"Анна"}`)}},
		{"another flow replaces it", Conversation{Flow: "add_org", Step: "kind", Data: json.RawMessage(`[1,2]`)}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			now := clk.Advance(time.Minute)
			if err := s.PutConversation(ctx, 100, st.conv); err != nil {
				t.Fatal(err)
			}
			got, err := s.Conversation(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			if got.Flow != st.conv.Flow || got.Step != st.conv.Step || string(got.Data) != string(st.conv.Data) {
				t.Errorf("Conversation = %+v; want %+v", got, st.conv)
			}
			if !got.UpdatedAt.Equal(now) {
				t.Errorf("UpdatedAt = %v; want %v", got.UpdatedAt, now)
			}
		})
	}

	if _, err := s.Conversation(ctx, 101); !errors.Is(err, ErrNotFound) {
		t.Errorf("another user's conversation: %v; want ErrNotFound", err)
	}
	for i := range 2 { // clearing twice is not an error
		if err := s.ClearConversation(ctx, 100); err != nil {
			t.Fatalf("ClearConversation #%d: %v", i+1, err)
		}
		if _, err := s.Conversation(ctx, 100); !errors.Is(err, ErrNotFound) {
			t.Errorf("after clear: %v; want ErrNotFound", err)
		}
	}
}

func TestSaveUserEndConversation(t *testing.T) {
	tests := []struct {
		name    string
		orgID   func(org int64) int64
		wantErr error
	}{
		{"wizard finished", func(org int64) int64 { return org }, nil},
		{"unknown organisation keeps the wizard", func(org int64) int64 { return org + 41 }, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, clk := newTestStore(t)
			org := mustCreateOrg(t, s, "Школа №1")
			mustPutUser(t, s, User{ID: 100, ChatID: 100})
			conv := Conversation{Flow: "onboarding", Step: "confirm", Data: json.RawMessage(`{"org":1}`)}
			if err := s.PutConversation(ctx, 100, conv); err != nil {
				t.Fatal(err)
			}
			now := clk.Advance(time.Minute)

			u := User{ID: 100, ChatID: 100, FullName: "Анна", OrgID: tt.orgID(org), Registered: true}
			err := s.SaveUserEndConversation(ctx, u)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("SaveUserEndConversation: %v; want %v", err, tt.wantErr)
			}
			got := mustUser(t, s, 100)
			_, convErr := s.Conversation(ctx, 100)
			if tt.wantErr != nil {
				if got.Registered || got.FullName != "" {
					t.Errorf("refused save changed the user: %+v", got)
				}
				if convErr != nil {
					t.Errorf("refused save ended the wizard: %v", convErr)
				}
				return
			}
			if !got.Registered || got.FullName != "Анна" || got.OrgID != org || !got.UpdatedAt.Equal(now) || !got.CreatedAt.Equal(t0) {
				t.Errorf("saved user = %+v", got)
			}
			if !errors.Is(convErr, ErrNotFound) {
				t.Errorf("wizard still there after save: %v", convErr)
			}
			assertMembers(t, s, org, 1)
		})
	}
}

func TestSaveUserConversation(t *testing.T) {
	ctx := context.Background()
	s, clk := newTestStore(t)
	now := clk.Advance(time.Minute)
	u := User{ID: 100, ChatID: 100, FullName: "Анна"}
	conv := Conversation{Flow: "onboarding", Step: "org"}
	if err := s.SaveUserConversation(ctx, u, conv); err != nil {
		t.Fatal(err)
	}
	if got := mustUser(t, s, 100); got.FullName != "Анна" || !got.CreatedAt.Equal(now) {
		t.Errorf("user = %+v", got)
	}
	got, err := s.Conversation(ctx, 100)
	if err != nil || got.Step != "org" || !got.UpdatedAt.Equal(now) {
		t.Errorf("Conversation = %+v, %v", got, err)
	}
}
