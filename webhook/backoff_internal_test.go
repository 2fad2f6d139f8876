package webhook

import (
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
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

// TestState checks how a subscription shows: active while its deliveries
// succeed, retrying once an event failed, failing after FailAfter of it.
func TestState(t *testing.T) {
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	s := &Service{FailAfter: time.Hour, Clock: func() time.Time { return at }}
	tests := []struct {
		since time.Time
		want  string
	}{
		{time.Time{}, StateActive},
		{at, StateRetrying},
		{at.Add(-time.Hour + time.Nanosecond), StateRetrying},
		{at.Add(-time.Hour), StateFailing},
		{at.Add(-72 * time.Hour), StateFailing},
	}
	for _, tt := range tests {
		v := s.view(store.Webhook{ID: "wh_1", FailingSince: tt.since})
		if v.State != tt.want || (v.FailingSince == nil) != tt.since.IsZero() {
			t.Errorf("view(failing since %v) = %s, %v, want %s", tt.since, v.State, v.FailingSince, tt.want)
		}
	}
	if d := (&Service{}).FailAfter; cmpDuration(d, DefaultFailAfter) != 24*time.Hour {
		t.Errorf("default FailAfter = %v, want 24h", cmpDuration(d, DefaultFailAfter))
	}
}
