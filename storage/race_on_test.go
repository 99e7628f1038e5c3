//go:build race

package storage

// raceDetector reports whether the tests were built with -race, which makes
// bbolt's commits some ten times slower: long model runs scale down.
const raceDetector = true
