package record

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestLinesCarryStampsAndAnswers records a few operations and checks the
// lines, stamps left out.
func TestLinesCarryStampsAndAnswers(t *testing.T) {
	var out bytes.Buffer
	r := New(&out)
	done := make(chan struct{})
	f := r.AfterFunc(time.Millisecond, func() { close(done) })
	<-done
	c := r.NewTimer(time.Hour)
	if !c.Reset(2 * time.Hour) {
		t.Fatal("reset of a pending timer answered false")
	}
	if _, ok := c.TryRecv(); ok {
		t.Fatal("a value from a timer an hour out")
	}
	if f.Stop() {
		t.Fatal("stop of a fired timer answered true")
	}
	tk := r.NewTicker(time.Second)
	tk.Stop()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.SplitN(line, " ", 3)
		if !strings.HasPrefix(fields[0], "@") || !strings.HasPrefix(fields[1], "t") {
			t.Fatalf("unstamped line %q", line)
		}
		op := fields[2]
		if strings.HasPrefix(op, "fired 0 ") {
			op = "fired 0"
		}
		ops = append(ops, op)
	}
	want := []string{
		"func 0 1000000", "fired 0", "chan 1 3600000000000", "reset 1 7200000000000 -> true",
		"recv 1 -> none", "stop 0 -> false", "tick 2 1000000000", "tstop 2",
	}
	if strings.Join(ops, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q\nwant %q", ops, want)
	}
}
