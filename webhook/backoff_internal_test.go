package webhook

import (
	"testing"
	"time"
)

// TestBackoff checks the retry schedule: the nth wait is drawn from the
// upper half of Backoff·2ⁿ⁻¹, capped at MaxBackoff, for every attempt a
// subscription may reach, and the draws vary (jitter).
func TestBackoff(t *testing.T) {
	d := &Deliverer{Backoff: 5 * time.Second, MaxBackoff: time.Hour}
	for n := 1; n <= 200; n++ {
		want := time.Hour
		if n <= 10 {
			want = min(5*time.Second<<(n-1), time.Hour)
		}
		seen := map[time.Duration]bool{}
		for range 50 {
			got := d.backoff(n)
			if got < want/2 || got > want {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, got, want/2, want)
			}
			seen[got] = true
		}
		if len(seen) < 2 {
			t.Errorf("backoff(%d) gave %v 50 times: no jitter", n, seen)
		}
	}
	def := &Deliverer{}
	if got := def.backoff(1); got < DefaultBackoff/2 || got > DefaultBackoff {
		t.Errorf("default backoff(1) = %v, want within [%v, %v]", got, DefaultBackoff/2, DefaultBackoff)
	}
}
