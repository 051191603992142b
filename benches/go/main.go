// Command benches-go runs gowheel's benchmark workloads on Go's own timers,
// for `evaluate --go`. The Go-ported workloads are Go's benchmarks from
// time/sleep_test.go, run through testing.Benchmark with the same
// benchmark() helper (idle AfterFunc(Hour) timers per P first) and
// b.RunParallel; the others (ParallelTimerLatency's rounds, IdleTimeouts,
// Scale, Memory, ServerLoad) are timed by hand the way gowheel-benches
// times them. GOMAXPROCS is set to each thread count in turn, as
// `go test -cpu` does; ServerLoad runs with every P.
//
// Each result is printed on stdout as
//
//	result WORKLOAD THREADS METRIC VALUE UNIT
//
// and progress goes to stderr. See benches/README.md.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/bits"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	threadsFlag   = flag.String("threads", "1,2", "thread counts (GOMAXPROCS) of the parallel workloads")
	budget        = flag.Duration("budget", 300*time.Millisecond, "time per row")
	preamble      = flag.Int("preamble", 1<<15, "idle AfterFunc(Hour) timers per P before each Go benchmark")
	idle          = flag.Int("idle", 1000000, "IdleTimeouts connections")
	scaleFlag     = flag.String("scale", "1000,10000,100000,1000000,10000000", "Scale live-timer counts")
	memoryFlag    = flag.String("memory", "1000000,10000000", "Memory live-timer counts")
	latencyRounds = flag.Int("latency-rounds", 300, "ParallelTimerLatency rounds")
	only          = flag.String("only", "", "only workloads whose name contains one of these comma-separated words")

	serverLoadTimers        = flag.Int("server-load-timers", 1000000, "ServerLoad armed AfterFunc timers")
	serverLoadRate          = flag.Int("server-load-rate", 1000000, "ServerLoad resets per second")
	serverLoadDuration      = flag.Duration("server-load-duration", 10*time.Second, "how long ServerLoad's resets go on")
	serverLoadMinDelay      = flag.Duration("server-load-min-delay", time.Second, "ServerLoad's shortest delay")
	serverLoadMaxDelay      = flag.Duration("server-load-max-delay", 5*time.Second, "ServerLoad's longest delay")
	serverLoadAfterFuncRate = flag.Int("server-load-after-func-rate", 10000, "fresh AfterFunc timers ServerLoad times per second")
)

func main() {
	testing.Init()
	flag.Parse()
	if err := flag.Set("test.benchtime", budget.String()); err != nil {
		fmt.Fprintln(os.Stderr, "benches-go:", err)
		os.Exit(2)
	}
	threads := parseList(*threadsFlag)
	cpus := runtime.NumCPU()

	// Memory first, on a heap that nothing else has used yet.
	for _, n := range parseList(*memoryFlag) {
		name := "Memory" + countName(n)
		if wanted(name) {
			report(name, 1, "bytes_per_timer", bytesPerTimer(n), "bytes")
		}
	}

	type parallel struct {
		name  string
		bench func(*testing.PB)
	}
	adjust := func(reset, sleep bool) func(*testing.PB) {
		return func(pb *testing.PB) {
			for pb.Next() {
				adjustTimers(reset, sleep)
			}
		}
	}
	goBenchmarks := []parallel{
		{"AdjustTimers10000", adjust(true, true)},
		{"AdjustTimers10000NoReset", adjust(false, true)},
		{"AdjustTimers10000NoSleep", adjust(true, false)},
		{"AdjustTimers10000NoResetNoSleep", adjust(false, false)},
		{"StartStop1000", func(pb *testing.PB) {
			for pb.Next() {
				const n = 1000
				timers := make([]*time.Timer, n)
				for i := range timers {
					timers[i] = time.AfterFunc(time.Hour, func() {})
				}
				for i := range timers {
					timers[i].Stop()
				}
			}
		}},
		{"Stop", func(pb *testing.PB) {
			for pb.Next() {
				time.AfterFunc(time.Second, func() {}).Stop()
			}
		}},
		{"Reset", func(pb *testing.PB) {
			t := time.AfterFunc(time.Hour, func() {})
			for pb.Next() {
				t.Reset(time.Hour)
			}
			t.Stop()
		}},
		{"AfterFunc1000", func(pb *testing.PB) {
			for pb.Next() {
				n := 1000
				c := make(chan bool)
				var f func()
				f = func() {
					n--
					if n >= 0 {
						time.AfterFunc(0, f)
					} else {
						c <- true
					}
				}
				time.AfterFunc(0, f)
				<-c
			}
		}},
		{"SimultaneousAfterFunc1000", func(pb *testing.PB) {
			for pb.Next() {
				n := 1000
				var wg sync.WaitGroup
				wg.Add(n)
				for i := 0; i < n; i++ {
					time.AfterFunc(0, wg.Done)
				}
				wg.Wait()
			}
		}},
	}

	for _, bench := range goBenchmarks {
		if !wanted(bench.name) {
			continue
		}
		for _, t := range threads {
			runtime.GOMAXPROCS(t)
			ns := nsPerOp(testing.Benchmark(func(b *testing.B) { benchmark(b, bench.bench) }))
			report(bench.name, t, "time_per_op", ns, "ns")
		}
		if bench.name == "AdjustTimers10000" && wanted("AdjustTimers10000SingleThread") {
			// One goroutine, no parallel runner, every P available.
			runtime.GOMAXPROCS(cpus)
			ns := nsPerOp(testing.Benchmark(func(b *testing.B) {
				garbage := makeGarbage(*preamble)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					adjustTimers(true, true)
				}
				b.StopTimer()
				stopAll(garbage)
			}))
			report("AdjustTimers10000SingleThread", 1, "time_per_op", ns, "ns")
		}
	}

	if wanted("ParallelTimerLatency") {
		for _, t := range threads {
			runtime.GOMAXPROCS(t)
			report("ParallelTimerLatency", t, "p99_lateness", parallelTimerLatency(t, *latencyRounds), "ns")
		}
	}
	if wanted("IdleTimeouts") {
		for _, t := range threads {
			runtime.GOMAXPROCS(t)
			report("IdleTimeouts", t, "resets_per_second", idleTimeouts(t, *idle), "1/s")
		}
	}

	runtime.GOMAXPROCS(cpus)
	for _, n := range parseList(*scaleFlag) {
		name := "Scale" + countName(n)
		if wanted(name) {
			report(name, 1, "time_per_start_stop", scale(n), "ns")
		}
	}

	if wanted("ServerLoad") {
		for _, m := range serverLoad() {
			report("ServerLoad", 1, m.name, m.value, m.unit)
		}
	}
}

// wanted reports whether -only selects the workload.
func wanted(name string) bool {
	if *only == "" {
		return true
	}
	for _, word := range strings.Split(*only, ",") {
		if word != "" && strings.Contains(name, word) {
			return true
		}
	}
	return false
}

func report(workload string, threads int, metric string, value float64, unit string) {
	fmt.Printf("result %s %d %s %s %s\n", workload, threads, metric, strconv.FormatFloat(value, 'f', 3, 64), unit)
	fmt.Fprintf(os.Stderr, "go: %s/%d: %s %s %s\n", workload, threads, metric, strconv.FormatFloat(value, 'f', 1, 64), unit)
}

func nsPerOp(r testing.BenchmarkResult) float64 {
	if r.N == 0 {
		return 0
	}
	return float64(r.T.Nanoseconds()) / float64(r.N)
}

func parseList(list string) []int {
	var values []int
	for _, word := range strings.Split(list, ",") {
		if word == "" {
			continue
		}
		n, err := strconv.Atoi(word)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benches-go: bad number", word)
			os.Exit(2)
		}
		values = append(values, n)
	}
	return values
}

// countName writes 10^k as 1ek, as gowheel-benches names Scale and Memory.
func countName(n int) string {
	power, rest := 0, n
	for rest >= 10 && rest%10 == 0 {
		rest /= 10
		power++
	}
	if rest == 1 && power >= 3 {
		return fmt.Sprintf("1e%d", power)
	}
	return strconv.Itoa(n)
}

func makeGarbage(n int) []*time.Timer {
	garbage := make([]*time.Timer, n)
	for j := range garbage {
		garbage[j] = time.AfterFunc(time.Hour, nil)
	}
	return garbage
}

func stopAll(timers []*time.Timer) {
	for _, t := range timers {
		t.Stop()
	}
}

// benchmark is Go's helper from time/sleep_test.go: idle timers on every P,
// then b.RunParallel.
func benchmark(b *testing.B, bench func(*testing.PB)) {
	var wg sync.WaitGroup
	garbageAll := make([][]*time.Timer, runtime.GOMAXPROCS(0))
	for i := range garbageAll {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			garbageAll[i] = makeGarbage(*preamble)
		}(i)
	}
	wg.Wait()

	b.ResetTimer()
	b.RunParallel(bench)
	b.StopTimer()

	for _, garbage := range garbageAll {
		stopAll(garbage)
	}
}

// adjustTimers is BenchmarkAdjustTimers10000's body, with its variants.
func adjustTimers(reset, sleep bool) {
	const n = 10000
	timers := make([]*time.Timer, 0, n)
	for i := 0; i < n; i++ {
		timers = append(timers, time.AfterFunc(time.Hour, func() {}))
	}
	if reset {
		timers[n-1].Reset(time.Nanosecond)
	}
	if sleep {
		time.Sleep(time.Microsecond)
	}
	for _, t := range timers {
		t.Stop()
	}
}

// parallelTimerLatency: each round, every one of `threads` goroutines arms
// AfterFunc(1ms) at the same moment; returns the p99 lateness in ns.
func parallelTimerLatency(threads, rounds int) float64 {
	const delay = time.Millisecond
	var samples []int64
	var mu sync.Mutex
	run := func(rounds int, keep bool) {
		for r := 0; r < rounds; r++ {
			var wg sync.WaitGroup
			start := make(chan struct{})
			wg.Add(threads)
			for j := 0; j < threads; j++ {
				go func() {
					defer wg.Done()
					<-start
					expected := time.Now().Add(delay)
					fired := make(chan time.Duration, 1)
					time.AfterFunc(delay, func() { fired <- time.Since(expected) })
					late := <-fired
					if late < 0 {
						late = 0
					}
					if keep {
						mu.Lock()
						samples = append(samples, late.Nanoseconds())
						mu.Unlock()
					}
				}()
			}
			close(start)
			wg.Wait()
		}
	}
	run((rounds+9)/10, false) // warm-up, discarded
	run(rounds, true)
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	if len(samples) == 0 {
		return 0
	}
	rank := (99*len(samples) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return float64(samples[rank-1])
}

// rng is xorshift64*, as gowheel-benches uses.
type rng uint64

func newRng(seed uint64) *rng {
	r := rng((seed^0x2545f4914f6cdd1d)*0x9e3779b97f4a7c15 | 1)
	return &r
}

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	*r = rng(x)
	return x * 0x2545f4914f6cdd1d
}

func (r *rng) below(bound uint64) uint64 {
	hi, _ := mul64(r.next(), bound)
	return hi
}

// mul64 returns the high and low words of a*b.
func mul64(a, b uint64) (uint64, uint64) {
	const mask32 = 1<<32 - 1
	a0, a1 := a&mask32, a>>32
	b0, b1 := b&mask32, b>>32
	w0 := a0 * b0
	t := a1*b0 + w0>>32
	w1, w2 := t&mask32, t>>32
	w1 += a0 * b1
	return a1*b1 + w2 + w1>>32, a * b
}

// idleDuration is a duration in [1h, 2h).
func (r *rng) idleDuration() time.Duration {
	return time.Hour + time.Duration(r.below(uint64(time.Hour)))
}

// idleTimeouts: `connections` AfterFunc(30s) timers split between `threads`
// goroutines, each resetting its own at random for the budget; resets/s.
func idleTimeouts(threads, connections int) float64 {
	perThread := connections / threads
	if perThread < 1 {
		perThread = 1
	}
	var ready, done sync.WaitGroup
	var stop atomic.Bool
	var total atomic.Int64
	start := make(chan struct{})
	ready.Add(threads)
	done.Add(threads)
	for j := 0; j < threads; j++ {
		go func(j int) {
			defer done.Done()
			garbage := makeGarbage(*preamble)
			timers := make([]*time.Timer, perThread)
			for i := range timers {
				timers[i] = time.AfterFunc(30*time.Second, func() {})
			}
			r := newRng(uint64(j))
			ready.Done()
			<-start
			var resets int64
			for !stop.Load() {
				for k := 0; k < 1024; k++ {
					timers[r.below(uint64(len(timers)))].Reset(30 * time.Second)
				}
				resets += 1024
			}
			total.Add(resets)
			stopAll(timers)
			stopAll(garbage)
		}(j)
	}
	ready.Wait()
	began := time.Now()
	close(start)
	time.Sleep(*budget)
	stop.Store(true)
	elapsed := time.Since(began)
	done.Wait()
	return float64(total.Load()) / elapsed.Seconds()
}

// scale: start+stop pairs, in batches of 1,000, with n idle timers armed
// 1 to 2 hours out; ns per pair.
func scale(n int) float64 {
	r := newRng(uint64(n))
	population := make([]*time.Timer, n)
	for i := range population {
		population[i] = time.AfterFunc(r.idleDuration(), func() {})
	}
	batch := make([]*time.Timer, 0, 1000)
	run := func(pairs int) time.Duration {
		began := time.Now()
		for left := pairs; left > 0; {
			k := left
			if k > 1000 {
				k = 1000
			}
			for i := 0; i < k; i++ {
				batch = append(batch, time.AfterFunc(r.idleDuration(), func() {}))
			}
			for _, t := range batch {
				t.Stop()
			}
			batch = batch[:0]
			left -= k
		}
		return time.Since(began)
	}
	ns := perIteration(run, *budget)
	stopAll(population)
	return ns
}

// perIteration times run as gowheel-benches' measure::time_per_iteration
// does: grow until a run takes a tenth of the budget, then the median of
// three runs sized to the rest.
func perIteration(run func(int) time.Duration, budget time.Duration) float64 {
	began := time.Now()
	iters := 1
	took := run(iters)
	for took < budget/10 && time.Since(began) < budget/4 {
		perIter := float64(took) / float64(iters)
		want := iters * 100
		if perIter > 0 {
			want = int(float64(budget/10) / perIter)
		}
		if want < iters+1 {
			want = iters + 1
		}
		if want > iters*100 {
			want = iters * 100
		}
		iters = want
		took = run(iters)
	}
	perIter := float64(took) / float64(iters)
	left := budget - time.Since(began)
	if left < budget/4 {
		left = budget / 4
	}
	perRun := iters
	if perIter > 0 {
		perRun = int(float64(left) / 3 / perIter)
		if perRun < 1 {
			perRun = 1
		}
	}
	results := make([]float64, 3)
	for i := range results {
		results[i] = float64(run(perRun).Nanoseconds()) / float64(perRun)
	}
	sort.Float64s(results)
	return results[1]
}

// bytesPerTimer: live heap bytes per AfterFunc timer, n of them stored in
// a slice, measured after a GC (RSS means little under a collector).
func bytesPerTimer(n int) float64 {
	var before, after runtime.MemStats
	settle()
	runtime.ReadMemStats(&before)
	r := newRng(uint64(n))
	timers := make([]*time.Timer, n)
	for i := range timers {
		timers[i] = time.AfterFunc(r.idleDuration(), func() {})
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	bytes := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	stopAll(timers)
	runtime.KeepAlive(timers)
	return bytes / float64(n)
}

// settle lets the Ps drop stopped timers from their heaps (they stay
// referenced there until the scheduler cleans them), then collects.
func settle() {
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	runtime.GC()
}

// owed holds the deadlines (ns since the run's origin) of one timer's
// armings still owed a firing, oldest first, under the timer's lock. Each
// arming's function runs once unless a Reset or Stop answers that the timer
// was pending, which withdraws the newest arming; a firing takes the
// oldest. At most one arming is pending, plus those fired whose function
// has not run yet, so a few places suffice.
type owed struct {
	mu        sync.Mutex
	deadlines [4]int64
	n         int
}

// arm records an arming due at deadline; false if no place is left.
func (o *owed) arm(deadline int64) bool {
	if o.n == len(o.deadlines) {
		return false
	}
	o.deadlines[o.n] = deadline
	o.n++
	return true
}

// withdrawNewest: a Reset or Stop answered that the newest arming was
// pending, so it will not fire.
func (o *owed) withdrawNewest() {
	if o.n > 0 {
		o.n--
	}
}

// fired: the function ran, for the oldest arming owed, if any.
func (o *owed) fired() (int64, bool) {
	if o.n == 0 {
		return 0, false
	}
	oldest := o.deadlines[0]
	copy(o.deadlines[:], o.deadlines[1:o.n])
	o.n--
	return oldest, true
}

// histogramSubBits: each power of two of nanoseconds is cut into
// 1<<histogramSubBits buckets (about 1.6% wide); values below 128 ns are
// exact.
const histogramSubBits = 6

// histogram counts nanosecond values; a quantile is read as the top of its
// bucket, or the maximum if that is lower.
type histogram struct {
	counts []uint64
	total  uint64
	max    int64
}

func newHistogram() *histogram {
	return &histogram{counts: make([]uint64, (64-histogramSubBits+1)<<histogramSubBits)}
}

// histogramIndex is the bucket of v.
func histogramIndex(v uint64) int {
	if v < 1<<histogramSubBits {
		return int(v)
	}
	e := bits.Len64(v) - 1 // at least histogramSubBits
	sub := (v >> uint(e-histogramSubBits)) & (1<<histogramSubBits - 1)
	return (e-histogramSubBits+1)<<histogramSubBits | int(sub)
}

// histogramTop is the largest value of bucket i.
func histogramTop(i int) uint64 {
	if i < 1<<histogramSubBits {
		return uint64(i)
	}
	e := i>>histogramSubBits + histogramSubBits - 1
	sub := uint64(i & (1<<histogramSubBits - 1))
	shift := uint(e - histogramSubBits)
	return (1<<histogramSubBits+sub)<<shift + (1<<shift - 1)
}

// record counts v (a negative v as 0).
func (h *histogram) record(v int64) {
	if v < 0 {
		v = 0
	}
	h.counts[histogramIndex(uint64(v))]++
	h.total++
	if v > h.max {
		h.max = v
	}
}

// quantile is the q-quantile (0 to 1) of the values, by rank; NaN if none.
func (h *histogram) quantile(q float64) float64 {
	if h.total == 0 {
		return math.NaN()
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, count := range h.counts {
		seen += count
		if seen >= rank {
			top := histogramTop(i)
			if top > uint64(h.max) {
				top = uint64(h.max)
			}
			return float64(top)
		}
	}
	return float64(h.max)
}

// maximum is the largest value; NaN if none.
func (h *histogram) maximum() float64 {
	if h.total == 0 {
		return math.NaN()
	}
	return float64(h.max)
}

// metric is one ServerLoad result.
type metric struct {
	name  string
	value float64
	unit  string
}

// serverLoad runs ServerLoad as gowheel-benches does
// (benches/src/workloads/server_load.rs), on one goroutine: arm
// -server-load-timers AfterFunc timers, each due a random delay in
// [min, max]; for -server-load-duration, Reset random ones to new such
// delays at -server-load-rate, paced in batches, timing each call, and
// every rate/after-func-rate resets time a fresh AfterFunc (stopped at
// once, untimed); then Stop every timer and wait for the functions still
// owed. A firing's lateness is when its function started minus its
// arming's earliest deadline: the instant read just before the AfterFunc
// or Reset call, plus the delay.
func serverLoad() []metric {
	n := *serverLoadTimers
	if n < 1 {
		n = 1
	}
	minDelay, maxDelay := *serverLoadMinDelay, *serverLoadMaxDelay
	if maxDelay < minDelay {
		maxDelay = minDelay
	}
	r := newRng(0x5e127e12)
	delay := func() time.Duration {
		return minDelay + time.Duration(r.below(uint64(maxDelay-minDelay)+1))
	}

	origin := time.Now()
	ledger := make([]owed, n)
	var latenessMu sync.Mutex
	lateness := newHistogram()
	var unmatched atomic.Int64
	fired := func(i int) {
		now := int64(time.Since(origin))
		o := &ledger[i]
		o.mu.Lock()
		deadline, ok := o.fired()
		o.mu.Unlock()
		if !ok {
			unmatched.Add(1)
			return
		}
		latenessMu.Lock()
		lateness.record(now - deadline)
		latenessMu.Unlock()
	}
	arm := func(o *owed, started, d time.Duration) {
		if !o.arm(int64(started + d)) {
			unmatched.Add(1)
		}
	}

	// Arm, each timer under its lock so that its function cannot take the
	// arming before it is recorded.
	timers := make([]*time.Timer, n)
	for i := range timers {
		o := &ledger[i]
		d := delay()
		o.mu.Lock()
		started := time.Since(origin)
		timers[i] = time.AfterFunc(d, func() { fired(i) })
		arm(o, started, d)
		o.mu.Unlock()
	}

	// Load.
	resetCalls, afterFuncCalls := newHistogram(), newHistogram()
	rate := *serverLoadRate
	armEvery := 0
	if *serverLoadAfterFuncRate > 0 {
		armEvery = rate / *serverLoadAfterFuncRate
		if armEvery < 1 {
			armEvery = 1
		}
	}
	const batch = 64
	resets := 0
	began := time.Now()
	for {
		for k := 0; k < batch; k++ {
			i := int(r.below(uint64(n)))
			d := delay()
			o := &ledger[i]
			o.mu.Lock()
			started := time.Since(origin)
			pending := timers[i].Reset(d)
			resetCalls.record(int64(time.Since(origin) - started))
			if pending {
				o.withdrawNewest()
			}
			arm(o, started, d)
			o.mu.Unlock()
			resets++
			if armEvery > 0 && resets%armEvery == 0 {
				d := delay()
				t0 := time.Now()
				fresh := time.AfterFunc(d, func() {})
				afterFuncCalls.record(int64(time.Since(t0)))
				fresh.Stop()
			}
		}
		elapsed := time.Since(began)
		if elapsed >= *serverLoadDuration {
			break
		}
		if rate > 0 {
			due := float64(rate) * elapsed.Seconds()
			if ahead := (float64(resets) - due) / float64(rate); ahead > 0 {
				sleep := time.Duration(ahead * float64(time.Second))
				if left := *serverLoadDuration - elapsed; sleep > left {
					sleep = left
				}
				time.Sleep(sleep)
			}
		}
	}
	elapsed := time.Since(began)

	// Drain.
	for i, t := range timers {
		o := &ledger[i]
		o.mu.Lock()
		if t.Stop() {
			o.withdrawNewest()
		}
		o.mu.Unlock()
	}
	owedOf := func(i int) int {
		o := &ledger[i]
		o.mu.Lock()
		defer o.mu.Unlock()
		return o.n
	}
	unsettled := make([]int, n)
	for i := range unsettled {
		unsettled[i] = i
	}
	drainBegan := time.Now()
	for {
		kept := unsettled[:0]
		for _, i := range unsettled {
			if owedOf(i) > 0 {
				kept = append(kept, i)
			}
		}
		unsettled = kept
		if len(unsettled) == 0 || time.Since(drainBegan) >= 10*time.Second {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	for _, i := range unsettled {
		unmatched.Add(int64(owedOf(i)))
	}
	if u := unmatched.Load(); u > 0 {
		fmt.Fprintf(os.Stderr, "go: ServerLoad: %d firings matched no arming or armings never fired\n", u)
	}

	latenessMu.Lock()
	defer latenessMu.Unlock()
	fmt.Fprintf(os.Stderr, "go: ServerLoad: %d firings, %d resets in %v\n", lateness.total, resets, elapsed)
	return []metric{
		{"p99_lateness", lateness.quantile(0.99), "ns"},
		{"p50_lateness", lateness.quantile(0.50), "ns"},
		{"max_lateness", lateness.maximum(), "ns"},
		{"reset_call_p999", resetCalls.quantile(0.999), "ns"},
		{"after_func_call_p999", afterFuncCalls.quantile(0.999), "ns"},
		{"resets_per_second", float64(resets) / elapsed.Seconds(), "1/s"},
	}
}
