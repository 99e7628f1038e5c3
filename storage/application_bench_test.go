package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// benchApplication is a team's application of 30 pupils with a phone, two
// answers and two works: the size a district contest's biggest team sends.
func benchApplication() *Application {
	a := &Application{Phone: "+79281234567", ParentsConsentAt: t0,
		Answers: []Answer{{QuestionID: 1, Text: "Рисунок"}, {QuestionID: 2, Text: "Безопасная дорога в школу и домой"}},
		Works: []Work{
			{FileID: "AgACAgIAAxkBAAIBZ2Vx-photo-file-id-of-a-typical-length-0001", FileUniqueID: "AQADZ2Vx0001", Kind: WorkPhoto, Size: 180_000},
			{FileID: "BQACAgIAAxkBAAIBaGVx-document-file-id-of-a-typical-len-02", FileUniqueID: "AQADaGVx0002", Kind: WorkDocument, FileName: "Сочинение.pdf", Size: 420_000},
		}}
	for i := range 30 {
		a.Pupils = append(a.Pupils, Pupil{Name: fmt.Sprintf("Хаджиева Мадина Руслановна %02d", i), Class: "10А", Birth: "2011-04-15"})
	}
	return a
}

// BenchmarkApplication measures applications of 30 pupils submitted per
// second, durably (fsync on), from about 100 concurrent teachers:
//
//   - raw: bare db.Batch puts of the same bytes a registration with that
//     application is stored as, under unique keys: the baseline;
//   - register: Store.Register with the application, as the bot submits it
//     (the form checked, the organisation's quota counted, seat or waitlist
//     decided, the indexes written, all in Register's batched transaction).
func BenchmarkApplication(b *testing.B) {
	app := benchApplication()
	b.Run("raw", func(b *testing.B) {
		s := signupStore(b)
		value, err := json.Marshal(Registration{EventID: 1, UserID: 1, TeamSize: 30, State: RegConfirmed, OrgID: 3,
			CreatedAt: t0, UpdatedAt: t0, Application: app})
		if err != nil {
			b.Fatal(err)
		}
		bucket := []byte("bench")
		if err := s.DB().Update(func(tx *bolt.Tx) error {
			_, err := tx.CreateBucketIfNotExists(bucket)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(value)))
		var n atomic.Int64
		runParallelRate(b, "applications/s", func() error {
			key := itob(n.Add(1))
			return s.DB().Batch(func(tx *bolt.Tx) error { return tx.Bucket(bucket).Put(key, value) })
		})
	})
	b.Run("register", func(b *testing.B) {
		ctx := context.Background()
		s := signupStore(b)
		var events []int64
		for range signupEvents {
			e := testEvent("Добрая дорога детства")
			e.Unit, e.MaxTeam, e.Capacity = UnitTeam, 30, 10_000_000
			e.Form = Form{Pupils: true, PupilBirth: true, Phone: NeedRequired, OrgQuota: 1_000_000,
				Questions: []Question{
					{ID: 1, Text: "Номинация", Kind: QuestionChoice, Options: []string{"Рисунок", "Плакат"}, Required: true},
					{ID: 2, Text: "Тема работы", Kind: QuestionText},
				},
				Works: &WorksSpec{MaxFiles: 3}}
			events = append(events, mustCreateEvent(b, s, e).ID)
		}
		orgs := make([]int64, 20)
		for i := range orgs {
			id, err := s.CreateOrganisation(ctx, Organisation{Name: fmt.Sprintf("МКОУ СОШ №%d", i+1), Kind: KindSchool})
			if err != nil {
				b.Fatal(err)
			}
			orgs[i] = id
		}
		// The teachers exist before the clock starts, as they do when
		// they sign up.
		for i := range int64(b.N) + 1 {
			if err := s.PutUser(ctx, User{ID: i + 1, ChatID: i + 1, FullName: "Учитель", OrgID: orgs[i%int64(len(orgs))], Role: RoleTeacher, Registered: true, Active: true}); err != nil {
				b.Fatal(err)
			}
		}
		now := t0
		var n atomic.Int64
		runParallelRate(b, "applications/s", func() error {
			i := n.Add(1)
			_, err := s.Register(ctx, SignUp{EventID: events[i%signupEvents], UserID: i, Application: app}, now)
			return err
		})
	})
}
