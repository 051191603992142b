// Package record wraps Go's time.AfterFunc, NewTimer and NewTicker so that
// every operation a program makes on its timers, and every firing of a
// function timer, is written as a timed trace: the format of gowheel's
// compat-tests/traces/go/FORMAT.md (section "Timed traces"), which
// `evaluate --trace` replays on gowheel's wheel, its heap and tokio with
// the same timing and concurrency.
//
// Each line is stamped `@T tN`: nanoseconds since the Recorder was made,
// and the goroutine that issued it (its runtime ID, read from
// runtime.Stack, which costs about a microsecond per operation). The
// operation's goroutine only builds a small entry and sends it on a
// buffered channel; a writer goroutine formats and writes it. If the
// writer falls behind by more than the buffer, senders wait: nothing is
// lost. Close writes everything out.
//
// Not recorded: the firings of channel timers and tickers (Go sends on
// their channels without a hook; receives through TryRecv and Recv are
// recorded), and NewTicker with a non-positive period (it panics, as
// Go's does, and makes no timer).
package record

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The operations an entry can be.
const (
	opFunc = iota
	opChan
	opTick
	opStop
	opReset
	opTickerStop
	opTickerReset
	opTickerResetPanic
	opRecv
	opRecvNone
	opFired
)

// entry is one line before formatting.
type entry struct {
	at, thread int64
	op         int
	id         int64
	value      int64 // duration, period, received time or deadline
	answer     bool  // stop's and reset's result
}

// Recorder writes the trace of the timers made through it.
type Recorder struct {
	start   time.Time
	entries chan entry
	nextID  atomic.Int64
	done    chan error
	close   sync.Once
	err     error
}

// New starts a recorder writing to w. Call Close to write everything out.
func New(w io.Writer) *Recorder {
	r := &Recorder{
		start:   time.Now(),
		entries: make(chan entry, 1<<16),
		done:    make(chan error, 1),
	}
	go r.write(w)
	return r
}

// Close writes out everything recorded and stops the writer. Operations
// after Close panic.
func (r *Recorder) Close() error {
	r.close.Do(func() {
		close(r.entries)
		r.err = <-r.done
	})
	return r.err
}

// goroutineID is the calling goroutine's runtime ID.
func goroutineID() int64 {
	var buffer [64]byte
	stack := buffer[:runtime.Stack(buffer[:], false)]
	stack = bytes.TrimPrefix(stack, []byte("goroutine "))
	if space := bytes.IndexByte(stack, ' '); space > 0 {
		stack = stack[:space]
	}
	id, _ := strconv.ParseInt(string(stack), 10, 64)
	return id
}

func (r *Recorder) since(t time.Time) int64 {
	return int64(t.Sub(r.start))
}

func (r *Recorder) push(e entry) {
	e.at = r.since(time.Now())
	e.thread = goroutineID()
	r.entries <- e
}

func (r *Recorder) write(w io.Writer) {
	out := bufio.NewWriterSize(w, 1<<16)
	var failed error
	_, failed = io.WriteString(out, "# timer trace v1\n# recorded by gowheel's Go recorder (benches/go/record) on a real clock: each line is `@T tN` then an operation\n")
	for e := range r.entries {
		if failed != nil {
			continue
		}
		stamp := "@" + strconv.FormatInt(e.at, 10) + " t" + strconv.FormatInt(e.thread, 10) + " "
		var line string
		switch e.op {
		case opFunc:
			line = fmt.Sprintf("func %d %d", e.id, e.value)
		case opChan:
			line = fmt.Sprintf("chan %d %d", e.id, e.value)
		case opTick:
			line = fmt.Sprintf("tick %d %d", e.id, e.value)
		case opStop:
			line = fmt.Sprintf("stop %d -> %t", e.id, e.answer)
		case opReset:
			line = fmt.Sprintf("reset %d %d -> %t", e.id, e.value, e.answer)
		case opTickerStop:
			line = fmt.Sprintf("tstop %d", e.id)
		case opTickerReset:
			line = fmt.Sprintf("treset %d %d", e.id, e.value)
		case opTickerResetPanic:
			line = fmt.Sprintf("treset %d %d -> panic", e.id, e.value)
		case opRecv:
			line = fmt.Sprintf("recv %d -> %d", e.id, e.value)
		case opRecvNone:
			line = fmt.Sprintf("recv %d -> none", e.id)
		case opFired:
			line = fmt.Sprintf("fired %d %d %d", e.id, e.at, e.value)
		}
		_, failed = io.WriteString(out, stamp+line+"\n")
	}
	if err := out.Flush(); failed == nil {
		failed = err
	}
	r.done <- failed
}

// Timer is a recorded time.Timer: a function timer (AfterFunc) or a
// channel timer (NewTimer).
type Timer struct {
	r     *Recorder
	id    int64
	timer *time.Timer
	// deadline of the latest arming, nanoseconds since the recorder's
	// start, for a function timer's fired line.
	deadline atomic.Int64
}

// AfterFunc is time.AfterFunc, recorded.
func (r *Recorder) AfterFunc(d time.Duration, f func()) *Timer {
	t := &Timer{r: r, id: r.nextID.Add(1) - 1}
	r.push(entry{op: opFunc, id: t.id, value: int64(d)})
	t.deadline.Store(r.since(time.Now()) + max(int64(d), 0))
	t.timer = time.AfterFunc(d, func() {
		r.push(entry{op: opFired, id: t.id, value: t.deadline.Load()})
		f()
	})
	return t
}

// NewTimer is time.NewTimer, recorded.
func (r *Recorder) NewTimer(d time.Duration) *Timer {
	t := &Timer{r: r, id: r.nextID.Add(1) - 1}
	r.push(entry{op: opChan, id: t.id, value: int64(d)})
	t.timer = time.NewTimer(d)
	return t
}

// Stop is Timer.Stop, recorded with its answer.
func (t *Timer) Stop() bool {
	pending := t.timer.Stop()
	t.r.push(entry{op: opStop, id: t.id, answer: pending})
	return pending
}

// Reset is Timer.Reset, recorded with its answer.
func (t *Timer) Reset(d time.Duration) bool {
	t.deadline.Store(t.r.since(time.Now()) + max(int64(d), 0))
	pending := t.timer.Reset(d)
	t.r.push(entry{op: opReset, id: t.id, value: int64(d), answer: pending})
	return pending
}

// C is the timer's channel; receives on it directly are not recorded
// (use TryRecv or Recv).
func (t *Timer) C() <-chan time.Time { return t.timer.C }

func (r *Recorder) received(id int64, value time.Time, ok bool) {
	if ok {
		r.push(entry{op: opRecv, id: id, value: r.since(value)})
	} else {
		r.push(entry{op: opRecvNone, id: id})
	}
}

// TryRecv receives from the timer's channel without blocking, recorded.
func (t *Timer) TryRecv() (time.Time, bool) {
	select {
	case value := <-t.timer.C:
		t.r.received(t.id, value, true)
		return value, true
	default:
		t.r.received(t.id, time.Time{}, false)
		return time.Time{}, false
	}
}

// Recv blocks until the timer's channel has a value, recorded as a
// receive when it returns.
func (t *Timer) Recv() time.Time {
	value := <-t.timer.C
	t.r.received(t.id, value, true)
	return value
}

// Ticker is a recorded time.Ticker.
type Ticker struct {
	r      *Recorder
	id     int64
	ticker *time.Ticker
}

// NewTicker is time.NewTicker, recorded; it panics for d <= 0 as Go's
// does, recording nothing.
func (r *Recorder) NewTicker(d time.Duration) *Ticker {
	if d <= 0 {
		panic("non-positive interval for NewTicker")
	}
	t := &Ticker{r: r, id: r.nextID.Add(1) - 1}
	r.push(entry{op: opTick, id: t.id, value: int64(d)})
	t.ticker = time.NewTicker(d)
	return t
}

// Stop is Ticker.Stop, recorded.
func (t *Ticker) Stop() {
	t.ticker.Stop()
	t.r.push(entry{op: opTickerStop, id: t.id})
}

// Reset is Ticker.Reset, recorded; for d <= 0 it records the rejection
// and panics, as Go's does.
func (t *Ticker) Reset(d time.Duration) {
	if d <= 0 {
		t.r.push(entry{op: opTickerResetPanic, id: t.id, value: int64(d)})
		panic("non-positive interval for Ticker.Reset")
	}
	t.ticker.Reset(d)
	t.r.push(entry{op: opTickerReset, id: t.id, value: int64(d)})
}

// C is the ticker's channel; receives on it directly are not recorded.
func (t *Ticker) C() <-chan time.Time { return t.ticker.C }

// TryRecv receives a tick without blocking, recorded.
func (t *Ticker) TryRecv() (time.Time, bool) {
	select {
	case value := <-t.ticker.C:
		t.r.received(t.id, value, true)
		return value, true
	default:
		t.r.received(t.id, time.Time{}, false)
		return time.Time{}, false
	}
}

// Recv blocks for the next tick, recorded when it returns.
func (t *Ticker) Recv() time.Time {
	value := <-t.ticker.C
	t.r.received(t.id, value, true)
	return value
}
