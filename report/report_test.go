package report_test

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the test's zones, whatever the machine has

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/report"
)

func TestPercentile(t *testing.T) {
	ten := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
	}{
		{"OneValue", []float64{42}, 90, 42},
		{"OneValueLow", []float64{42}, 1, 42},
		{"TenP50", ten, 50, 5},
		{"TenP90", ten, 90, 9},
		{"TenP25", ten, 25, 3}, // rank ceil(2.5) = 3
		{"TenP91", ten, 91, 10},
		{"TenP100", ten, 100, 10},
		{"TenP10", ten, 10, 1},
		{"TenTiny", ten, 0.01, 1},
		{"TwoP50", []float64{3, 7}, 50, 3},
		{"TwoP51", []float64{3, 7}, 51, 7},
		{"Ties", []float64{1, 60, 60, 60, 61}, 90, 61},
		{"Fractions", []float64{0.25, 0.5, 59.999, 60.001}, 75, 59.999},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := report.Percentile(c.sorted, c.p); got != c.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", c.sorted, c.p, got, c.want)
			}
		})
	}
}

// The nearest-rank percentile is a value at or below which at least p per
// cent of the values lie, and the least such value: checked against its
// definition on random data.
func TestPercentileDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		n := 1 + r.IntN(60)
		d := make([]float64, n)
		for i := range d {
			d[i] = float64(r.IntN(20)) // ties on purpose
		}
		slices.Sort(d)
		p := []float64{25, 50, 75, 90, 99, 100}[r.IntN(6)]
		got := report.Percentile(d, p)
		atOrBelow := func(v float64) int {
			k := 0
			for _, x := range d {
				if x <= v {
					k++
				}
			}
			return k
		}
		if float64(atOrBelow(got))*100 < p*float64(n) {
			t.Fatalf("Percentile(%v, %v) = %v: only %d of %d at or below it", d, p, got, atOrBelow(got), n)
		}
		for _, v := range d {
			if v < got && float64(atOrBelow(v))*100 >= p*float64(n) {
				t.Fatalf("Percentile(%v, %v) = %v, but %v already has %d of %d at or below it", d, p, got, v, atOrBelow(v), n)
			}
		}
	}
}

func TestSummarize(t *testing.T) {
	t.Run("Empty", func(t *testing.T) {
		s := report.Summarize(nil)
		if s.Count != 0 || s.Min != nil || s.P50 != nil || s.P90 != nil || s.Histogram != nil {
			t.Errorf("Summarize(nil) = %+v, want only a count of 0", s)
		}
		b, _ := json.Marshal(s)
		if string(b) != `{"count":0}` {
			t.Errorf("Summarize(nil) encodes as %s, want {\"count\":0}", b)
		}
	})
	t.Run("OK", func(t *testing.T) {
		in := []float64{30, 10, 20, 50, 40, 60, 70, 80, 100, 90}
		orig := slices.Clone(in)
		s := report.Summarize(in)
		if !slices.Equal(in, orig) {
			t.Errorf("Summarize changed its input to %v", in)
		}
		for name, c := range map[string]struct {
			got  *float64
			want float64
		}{"min": {s.Min, 10}, "max": {s.Max, 100}, "mean": {s.Mean, 55}, "p25": {s.P25, 30}, "p50": {s.P50, 50}, "p75": {s.P75, 80}, "p90": {s.P90, 90}} {
			if c.got == nil || *c.got != c.want {
				t.Errorf("Summarize(%v).%s = %v, want %v", orig, name, c.got, c.want)
			}
		}
		h := s.Histogram
		if h == nil || h.Width != 5 || len(h.Counts) != 21 || h.Over != 0 {
			t.Fatalf("histogram = %+v, want 21 bins of 5 s (0 to 105 s), nothing over", h)
		}
		total := 0
		for i, c := range h.Counts {
			total += c
			if want := map[int]int{2: 1, 4: 1, 6: 1, 8: 1, 10: 1, 12: 1, 14: 1, 16: 1, 18: 1, 20: 1}[i]; c != want {
				t.Errorf("bin %d [%v, %v) = %d, want %d", i, float64(i)*h.Width, float64(i+1)*h.Width, c, want)
			}
		}
		if total != 10 {
			t.Errorf("histogram holds %d values, want 10", total)
		}
	})
	t.Run("LongTail", func(t *testing.T) {
		// Nine calls around a minute and one of three hours: the bins
		// stop at twice the 90th percentile and the long one is Over.
		in := []float64{50, 52, 55, 58, 60, 61, 65, 70, 75, 3 * 3600}
		s := report.Summarize(in)
		h := s.Histogram
		if *s.P90 != 75 || h.Over != 1 || float64(len(h.Counts))*h.Width < 150 || float64(len(h.Counts))*h.Width > 300 {
			t.Errorf("histogram = %+v (p90 %v), want bins to about 150 s and the 3-hour call over", h, *s.P90)
		}
		if h.Width != 10 || h.Counts[5] != 4 || h.Counts[6] != 3 { // 60 in [60, 70): the target is an edge
			t.Errorf("histogram = %+v, want 10 s bins with 50 to 58 in [50, 60), 60, 61 and 65 in [60, 70)", h)
		}
	})
	t.Run("AllZero", func(t *testing.T) {
		s := report.Summarize([]float64{0, 0, 0})
		if h := s.Histogram; len(h.Counts) != 1 || h.Counts[0] != 3 || h.Over != 0 {
			t.Errorf("histogram of zeros = %+v, want one bin of 3", h)
		}
	})
	t.Run("Bounded", func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for range 200 {
			in := make([]float64, 1+r.IntN(300))
			for i := range in {
				in[i] = r.ExpFloat64() * float64(1+r.IntN(5000))
			}
			h := report.Summarize(in).Histogram
			sum := h.Over
			for _, c := range h.Counts {
				sum += c
			}
			if len(h.Counts) > 24 || len(h.Counts) == 0 || sum != len(in) {
				t.Fatalf("histogram of %d values = %d bins holding %d, want 1 to 24 bins holding all", len(in), len(h.Counts), sum)
			}
		}
	})
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr(t time.Time) *time.Time { return &t }

func TestCompute(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-03-02 in Chicago is UTC-6: 08:00 there is 14:00Z.
	r := report.Range{From: at("2026-03-02T06:00:00Z"), To: at("2026-03-03T06:00:00Z"), Location: chicago}
	call := func(prio int, received string, answer, dispatch, scene int) report.Times {
		c := report.Times{Priority: prio, Received: at(received)}
		if answer >= 0 {
			c.Answered = ptr(c.Received.Add(time.Duration(answer) * time.Second))
		}
		if dispatch >= 0 {
			c.Dispatched = ptr(c.Received.Add(time.Duration(dispatch) * time.Second))
		}
		if scene >= 0 {
			c.OnScene = ptr(c.Received.Add(time.Duration(scene) * time.Second))
		}
		return c
	}
	calls := []report.Times{
		call(1, "2026-03-02T14:00:00Z", 5, 45, 300),  // 08:00; processing 40 s
		call(1, "2026-03-02T14:30:00Z", 10, 80, 400), // 08:30; 70 s: late
		call(3, "2026-03-02T20:15:00Z", -1, 60, 900), // 14:15; no answer time: 60 s from receipt, within
		call(3, "2026-03-02T20:20:00Z", 2, -1, -1),   // 14:20; never dispatched
		call(4, "2026-03-03T05:59:59Z", 3, 30, 1000), // 23:59:59; the last second of the range
		call(2, "2026-03-03T06:00:00Z", 3, 30, 1000), // the range's end: not in it
		call(2, "2026-03-02T05:59:59Z", 3, 30, 1000), // before its start
		call(0, "2026-03-02T06:00:00Z", 0, 10, 120),  // its first instant, 00:00
		call(9, "2026-03-02T15:00:00Z", 0, 100, 200), // an unknown priority counts in the totals only
		call(2, "2026-03-02T16:00:00Z", 5, 70, 60),   // on scene before dispatch (a unit that happened by): no dispatch→scene interval
	}
	rep := report.Compute(calls, r)
	if rep.Incidents != 8 || rep.TZ != "America/Chicago" {
		t.Fatalf("Compute: %d incidents in %s, want 8 in America/Chicago", rep.Incidents, rep.TZ)
	}
	hours := map[int][]int{0: {1, 0, 0, 0, 0}, 8: {0, 2, 0, 0, 0}, 9: {0, 0, 0, 0, 0}, 10: {0, 0, 1, 0, 0}, 14: {0, 0, 0, 2, 0}, 23: {0, 0, 0, 0, 1}}
	total := 0
	for _, h := range rep.ByHour {
		total += h.Total
		if want, ok := hours[h.Hour]; ok && !slices.Equal(h.ByPriority, want) {
			t.Errorf("ByHour[%d] = %v, want %v", h.Hour, h.ByPriority, want)
		}
	}
	if len(rep.ByHour) != 24 || total != 8 || rep.ByHour[9].Total != 1 {
		t.Errorf("ByHour = %+v, want 24 hours holding 8 calls, the unknown priority's in hour 9's total", rep.ByHour)
	}

	p := rep.Processing
	// Dispatched: 40 s, 70 s, 60 s, 27 s, 10 s, 100 s, 65 s: 4 of 7 within.
	if p.Dispatched != 7 || p.Within != 4 || p.Share == nil || *p.Share != 4.0/7 || p.TargetSeconds != 60 || p.TargetShare != 0.9 {
		t.Errorf("call processing = %+v, want 4 of 7 within 60 s", p)
	}
	if b := p.ByPriority[1]; b.Dispatched != 2 || b.Within != 1 || *b.Share != 0.5 {
		t.Errorf("P1 call processing = %+v, want 1 of 2", b)
	}
	if b := p.ByPriority[4]; b.Dispatched != 1 || b.Within != 1 {
		t.Errorf("P4 call processing = %+v, want 1 of 1", b)
	}
	if p.Bucket != "hour" || len(p.Buckets) != 24 || !p.Buckets[0].Start.Equal(r.From) || p.Buckets[0].Start.Location() != chicago {
		t.Fatalf("buckets = %s × %d from %v, want 24 hours from the range's start in Chicago", p.Bucket, len(p.Buckets), p.Buckets[0].Start)
	}
	if b := p.Buckets[8]; b.Dispatched != 2 || b.Within != 1 || b.Start.Hour() != 8 {
		t.Errorf("the 08:00 bucket = %+v, want 1 of 2", b)
	}
	if b := p.Buckets[5]; b.Dispatched != 0 || b.Share != nil {
		t.Errorf("an empty bucket = %+v, want nothing and no share", b)
	}

	iv := map[string]report.Interval{}
	for _, i := range rep.Intervals {
		iv[i.Name] = i
	}
	if len(rep.Intervals) != 3 {
		t.Fatalf("intervals = %v, want 3", rep.Intervals)
	}
	check := func(name string, prio int, count int, p50, p90 float64) {
		t.Helper()
		s := iv[name].All
		if prio >= 0 {
			s = iv[name].ByPriority[prio]
		}
		if s.Count != count || (count > 0 && (*s.P50 != p50 || *s.P90 != p90)) {
			t.Errorf("%s P%d = count %d p50 %v p90 %v, want %d, %v, %v", name, prio, s.Count, s.P50, s.P90, count, p50, p90)
		}
	}
	// received→on scene: 300, 400, 900, 1000, 120, 200, 60 → sorted 60 120 200 300 400 900 1000.
	check(report.ReceivedOnScene, -1, 7, 300, 1000)
	check(report.ReceivedOnScene, 1, 2, 300, 400)
	check(report.ReceivedOnScene, 2, 1, 60, 60)
	// dispatched→on scene: 255, 320, 840, 970, 110, 100; not the unit there before dispatch.
	check(report.DispatchedOnScene, -1, 6, 255, 970)
	check(report.DispatchedOnScene, 2, 0, 0, 0)
	// answered→dispatched: 40, 70, 60, 27, 10, 100, 65.
	check(report.AnsweredDispatched, -1, 7, 60, 100)
	check(report.AnsweredDispatched, 3, 1, 60, 60)
}

func TestComputeEmpty(t *testing.T) {
	r := report.Range{From: at("2026-03-02T00:00:00Z"), To: at("2026-03-02T01:00:00Z"), Location: time.UTC}
	rep := report.Compute(nil, r)
	if rep.Incidents != 0 || len(rep.Intervals) != 3 || len(rep.ByHour) != 24 || len(rep.Processing.Buckets) != 12 {
		t.Fatalf("Compute(nil) = %+v, want an empty report with its shape", rep)
	}
	for _, i := range rep.Intervals {
		if i.All.Count != 0 || i.All.P50 != nil || len(i.ByPriority) != 5 {
			t.Errorf("interval %s of no calls = %+v, want count 0, no figures, 5 priorities", i.Name, i)
		}
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"share"`) || strings.Contains(string(b), "NaN") {
		t.Errorf("the empty report encodes a share or NaN: %s", b)
	}
	if !strings.Contains(string(b), `"call_processing":{"target_seconds":60,"target_share":0.9,"dispatched":0,"within":0,`) {
		t.Errorf("the empty report encodes as %s, want its call processing with 0 dispatched", b)
	}
}

func TestBuckets(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	kolkata, err := time.LoadLocation("Asia/Kolkata") // UTC+5:30
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		r      report.Range
		bucket string
		n      int
		first  string
	}{
		{"FiveMinutes", report.Range{From: at("2026-03-02T06:07:30Z"), To: at("2026-03-02T07:07:30Z"), Location: chicago}, "5min", 13, "2026-03-02T00:05:00-06:00"},
		{"TwoHoursIsFiveMinutes", report.Range{From: at("2026-03-02T06:00:00Z"), To: at("2026-03-02T08:00:00Z"), Location: time.UTC}, "5min", 24, "2026-03-02T06:00:00Z"},
		{"Hours", report.Range{From: at("2026-03-02T06:10:00Z"), To: at("2026-03-02T09:00:00Z"), Location: chicago}, "hour", 3, "2026-03-02T00:00:00-06:00"},
		// Clocks go forward on 8 March 2026 in Chicago: that day has 23 hours.
		{"SpringForward", report.Range{From: at("2026-03-08T06:00:00Z"), To: at("2026-03-09T05:00:00Z"), Location: chicago}, "hour", 23, "2026-03-08T00:00:00-06:00"},
		{"HalfHourZone", report.Range{From: at("2026-03-02T00:00:00Z"), To: at("2026-03-02T03:00:00Z"), Location: kolkata}, "hour", 4, "2026-03-02T05:00:00+05:30"},
		{"TwoDaysIsHours", report.Range{From: at("2026-03-02T00:00:00Z"), To: at("2026-03-04T00:00:00Z"), Location: time.UTC}, "hour", 48, "2026-03-02T00:00:00Z"},
		{"Days", report.Range{From: at("2026-03-02T12:00:00Z"), To: at("2026-03-09T12:00:00Z"), Location: time.UTC}, "day", 8, "2026-03-02T00:00:00Z"},
		{"DaysAcrossDST", report.Range{From: at("2026-03-06T06:00:00Z"), To: at("2026-03-10T05:00:00Z"), Location: chicago}, "day", 4, "2026-03-06T00:00:00-06:00"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.r.Check(); err != nil {
				t.Fatal(err)
			}
			p := report.Compute(nil, c.r).Processing
			if p.Bucket != c.bucket || len(p.Buckets) != c.n || p.Buckets[0].Start.Format(time.RFC3339) != c.first {
				t.Errorf("buckets = %s × %d from %v, want %s × %d from %s", p.Bucket, len(p.Buckets), p.Buckets[0].Start.Format(time.RFC3339), c.bucket, c.n, c.first)
			}
			if last := p.Buckets[len(p.Buckets)-1].Start; !last.Before(c.r.To) {
				t.Errorf("last bucket starts at %v, not before the range's end %v", last, c.r.To)
			}
		})
	}
}

func TestRangeCheck(t *testing.T) {
	from := at("2026-03-02T00:00:00Z")
	for _, c := range []struct {
		name string
		r    report.Range
		want string
	}{
		{"OK", report.Range{From: from, To: from.Add(time.Hour), Location: time.UTC}, ""},
		{"OKMonth", report.Range{From: from, To: from.Add(report.MaxRange), Location: time.UTC}, ""},
		{"ErrNoStart", report.Range{To: from, Location: time.UTC}, "needs a start and an end"},
		{"ErrBackwards", report.Range{From: from, To: from.Add(-time.Second), Location: time.UTC}, "must be before its end"},
		{"ErrEmpty", report.Range{From: from, To: from, Location: time.UTC}, "must be before its end"},
		{"ErrTooLong", report.Range{From: from, To: from.Add(report.MaxRange + time.Second), Location: time.UTC}, "at most 31 days"},
		{"ErrNoZone", report.Range{From: from, To: from.Add(time.Hour)}, "time zone"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.r.Check()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("Check() = %v, want nil", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || dispatch.ErrorCode(err) != dispatch.EINVALID):
				t.Errorf("Check() = %v, want an invalid error saying %q", err, c.want)
			}
		})
	}
}
