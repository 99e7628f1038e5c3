package storage

import (
	"context"
	"testing"
)

// BenchmarkEnqueue10k creates a broadcast to benchUsers recipients: one
// transaction (one fsync) holding the broadcast and its 10,000 outbox
// entries with their indexes.
func BenchmarkEnqueue10k(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	recipients, err := s.AudienceRecipients(ctx, Audience{Kind: AudienceAllTeachers}, 0)
	if err != nil || len(recipients) != benchUsers {
		b.Fatalf("audience: %d recipients, %v", len(recipients), err)
	}
	b.ReportAllocs()
	for b.Loop() {
		bc, err := s.CreateBroadcast(ctx, Broadcast{AuthorID: 1, AuthorChat: 1, SourceChat: 1, SourceMessage: 2}, recipients, nil)
		if err != nil {
			b.Fatal(err)
		}
		if bc.Total != benchUsers {
			b.Fatalf("Total = %d", bc.Total)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchUsers), "ns/entry")
}
