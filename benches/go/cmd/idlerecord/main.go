// Command idlerecord is the idle-timeout server of gowheel's
// api/examples/idle_timeouts.rs written in Go, on Go's own timers through
// the recorder of package record: connections each with an AfterFunc idle
// timeout that worker goroutines reset when a "packet" arrives, plus a
// ticker polled for statistics and a per-worker NewTimer for a deadline.
// Everything is written to -out as a timed trace for
// `evaluate --trace`.
//
//	go run ./cmd/idlerecord -out idle-go.trace -seconds 10
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"gowheel.invalid/benches-go/record"
)

func main() {
	out := flag.String("out", "idle-go.trace", "where to write the trace")
	seconds := flag.Float64("seconds", 10, "how long to run")
	conns := flag.Int("connections", 10000, "connections, one idle timeout each")
	workers := flag.Int("workers", 3, "goroutines receiving packets")
	idle := flag.Duration("idle", 50*time.Millisecond, "the idle timeout")
	rate := flag.Float64("rate", 20000, "packets per second over all workers")
	flag.Parse()

	file, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "idlerecord:", err)
		os.Exit(1)
	}
	r := record.New(file)
	var fired, resets, reopened atomic.Int64
	runFor := time.Duration(*seconds * float64(time.Second))
	perWorker := *rate / float64(*workers)

	stats := r.NewTicker(250 * time.Millisecond)
	statsDone := make(chan struct{})
	go func() {
		for {
			select {
			case <-statsDone:
				stats.Stop()
				close(statsDone)
				return
			default:
			}
			stats.TryRecv()
			time.Sleep(50 * time.Millisecond)
		}
	}()

	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(worker int) {
			defer wg.Done()
			var mine []*record.Timer
			for c := worker; c < *conns; c += *workers {
				mine = append(mine, r.AfterFunc(*idle, func() { fired.Add(1) }))
			}
			deadline := r.NewTimer(runFor)
			rng := rand.New(rand.NewSource(int64(worker) + 1))
			begin := time.Now()
			for n := 1; ; n++ {
				if _, ok := deadline.TryRecv(); ok || len(mine) == 0 {
					break
				}
				resets.Add(1)
				if !mine[rng.Intn(len(mine))].Reset(*idle) {
					reopened.Add(1)
				}
				due := time.Duration(float64(n) / perWorker * float64(time.Second))
				if ahead := due - time.Since(begin); ahead > 0 {
					time.Sleep(ahead)
				}
			}
			deadline.Stop()
		}(w)
	}
	wg.Wait()
	statsDone <- struct{}{}
	<-statsDone
	time.Sleep(2 * *idle)
	if err := r.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "idlerecord:", err)
		os.Exit(1)
	}
	fmt.Printf("idlerecord: %d connections, %d packets (%d reopening), %d timeouts fired; trace in %s\n",
		*conns, resets.Load(), reopened.Load(), fired.Load(), *out)
}
