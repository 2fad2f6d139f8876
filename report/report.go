// Package report computes the figures a dispatch centre is judged by from
// its incidents' times: the response-time intervals, call processing
// against the NFPA 1225 target, and calls by hour of day. It is pure: it
// reads the times it is given and the range it is asked about, nothing else.
//
// Intervals follow the incident's NENA/NFPA times (dispatch.Incident):
// received (the call reached the centre), answered (a call-taker picked it
// up; the received time when the phone system gave none), dispatched (the
// first unit sent), on scene (the first unit arrived).
package report

import (
	"math"
	"sort"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
)

// NFPA 1225 (Standard for Emergency Services Communications, 2022 edition,
// section 15.4.3, after NFPA 1221): alarm processing — from answering the
// call to dispatching the first unit — is completed within 60 seconds for
// 90 per cent of calls.
const (
	ProcessingTarget      = 60 * time.Second
	ProcessingTargetShare = 0.90
)

// MaxRange bounds the range of a report: a month of calls is what a
// supervisor reviews at once; longer belongs to an export.
const MaxRange = 31 * 24 * time.Hour

// Call processing is told in five-minute steps for a range up to
// finestUpTo (how is this hour going?), hour by hour up to hourlyUpTo, and
// day by day beyond.
const (
	finestUpTo = 2 * time.Hour
	hourlyUpTo = 48 * time.Hour
	finest     = 5 * time.Minute
)

// Priorities is the number of incident priorities, 0 (officer emergency)
// to 4.
const Priorities = 5

// Times are the times of one incident that the report reads.
type Times struct {
	Priority   int
	Received   time.Time
	Answered   *time.Time // nil: answered when received
	Dispatched *time.Time
	OnScene    *time.Time
	// Late says some of the times were entered late, from paper
	// (dispatch/late.go): claimed, not recorded at the time.
	Late bool
}

// TimesOf returns the times of an incident.
func TimesOf(in *dispatch.Incident) Times {
	return Times{Priority: in.Priority, Received: in.Received, Answered: in.Answered, Dispatched: in.Dispatched, OnScene: in.OnScene,
		Late: in.LateEntries > 0}
}

// answered is when the call was answered, or received if the phone system
// did not say.
func (t Times) answered() time.Time {
	if t.Answered != nil {
		return *t.Answered
	}
	return t.Received
}

// A Range is the calls a report covers: those received at or after From and
// before To, counted by hour and day in Location.
type Range struct {
	From, To time.Time
	Location *time.Location
}

// Check says, in a sentence for the user, what is wrong with the range.
func (r Range) Check() error {
	switch {
	case r.From.IsZero() || r.To.IsZero():
		return dispatch.Errorf(dispatch.EINVALID, "a report needs a start and an end (from and to, RFC 3339 times)")
	case !r.From.Before(r.To):
		return dispatch.Errorf(dispatch.EINVALID, "the report's start (%s) must be before its end (%s)", r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
	case r.To.Sub(r.From) > MaxRange:
		return dispatch.Errorf(dispatch.EINVALID, "a report covers at most %d days; this range is %.1f days", int(MaxRange.Hours()/24), r.To.Sub(r.From).Hours()/24)
	case r.Location == nil:
		return dispatch.Errorf(dispatch.EINVALID, "a report needs a time zone")
	}
	return nil
}

func (r Range) has(t time.Time) bool { return !t.Before(r.From) && t.Before(r.To) }

// A Report is what the centre did in a range.
type Report struct {
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	TZ        string    `json:"tz"`
	Incidents int       `json:"incidents"` // calls received in the range
	// LateEntered counts the calls of Incidents with times entered late,
	// from paper after an outage (dispatch/late.go): their intervals rest
	// on claimed times.
	LateEntered int `json:"late_entered"`
	// Intervals are the response-time intervals, in the order of
	// IntervalNames.
	Intervals  []Interval     `json:"intervals"`
	Processing CallProcessing `json:"call_processing"`
	ByHour     []HourCount    `json:"by_hour"` // 24, from 00:00 to 23:00 in TZ
}

// Interval names: from one time of an incident to another.
const (
	ReceivedOnScene    = "received_on_scene"   // call received → first unit on scene
	DispatchedOnScene  = "dispatched_on_scene" // first unit dispatched → first unit on scene
	AnsweredDispatched = "answered_dispatched" // call answered → first unit dispatched (call processing)
)

// IntervalNames lists the intervals of a report, each with what it measures.
var IntervalNames = []struct{ Name, Label string }{
	{ReceivedOnScene, "Call received to first unit on scene"},
	{DispatchedOnScene, "Dispatched to first unit on scene"},
	{AnsweredDispatched, "Call answered to first unit dispatched"},
}

// An Interval is the distribution of one interval over the calls that have
// both its times, for all of them and by priority.
type Interval struct {
	Name       string    `json:"name"`
	Label      string    `json:"label"`
	All        Summary   `json:"all"`
	ByPriority []Summary `json:"by_priority"` // index: priority 0–4
}

// A Summary describes a set of durations, in seconds. With no durations
// only Count is set.
type Summary struct {
	Count     int        `json:"count"`
	Min       *float64   `json:"min,omitempty"`
	P25       *float64   `json:"p25,omitempty"`
	P50       *float64   `json:"p50,omitempty"`
	P75       *float64   `json:"p75,omitempty"`
	P90       *float64   `json:"p90,omitempty"`
	Max       *float64   `json:"max,omitempty"`
	Mean      *float64   `json:"mean,omitempty"`
	Histogram *Histogram `json:"histogram,omitempty"`
}

// A Histogram counts durations in bins of Width seconds from 0: Counts[i]
// holds those in [i×Width, (i+1)×Width); Over those at or past
// len(Counts)×Width, the long tail the chart does not stretch to.
type Histogram struct {
	Width  float64 `json:"width"`
	Counts []int   `json:"counts"`
	Over   int     `json:"over"`
}

// CallProcessing is call processing against NFPA 1225: the share of calls
// dispatched within TargetSeconds of their answer, overall, by priority and
// by five minutes (ranges up to two hours), by hour (up to two days) or by
// day.
type CallProcessing struct {
	TargetSeconds float64  `json:"target_seconds"`
	TargetShare   float64  `json:"target_share"`
	Tally                  // every dispatched call of the range
	ByPriority    []Tally  `json:"by_priority"` // index: priority 0–4
	Bucket        string   `json:"bucket"`      // "5min", "hour" or "day"
	Buckets       []Bucket `json:"buckets"`
}

// A Tally is how many calls were dispatched and how many of them within
// the target; Share is Within/Dispatched, absent when none was dispatched.
type Tally struct {
	Dispatched int      `json:"dispatched"`
	Within     int      `json:"within"`
	Share      *float64 `json:"share,omitempty"`
}

func (s *Tally) add(within bool) {
	s.Dispatched++
	if within {
		s.Within++
	}
}

func (s *Tally) close() {
	if s.Dispatched > 0 {
		v := float64(s.Within) / float64(s.Dispatched)
		s.Share = &v
	}
}

// A Bucket is the call processing of the calls received in one hour or day
// from Start.
type Bucket struct {
	Start time.Time `json:"start"`
	Tally
}

// An HourCount is how many calls were received in one hour of the day, by
// priority.
type HourCount struct {
	Hour       int   `json:"hour"`
	Total      int   `json:"total"`
	ByPriority []int `json:"by_priority"` // index: priority 0–4
}

// Compute makes the report of the calls received in r. The range must pass
// Check.
func Compute(calls []Times, r Range) Report {
	rep := Report{From: r.From, To: r.To, TZ: r.Location.String()}
	// durations[interval][priority+1], index 0 for all priorities.
	durations := make([][Priorities + 1][]float64, len(IntervalNames))
	cp := CallProcessing{TargetSeconds: ProcessingTarget.Seconds(), TargetShare: ProcessingTargetShare, ByPriority: make([]Tally, Priorities)}
	cp.Bucket, cp.Buckets = buckets(r)
	rep.ByHour = make([]HourCount, 24)
	for h := range rep.ByHour {
		rep.ByHour[h] = HourCount{Hour: h, ByPriority: make([]int, Priorities)}
	}
	for _, c := range calls {
		if !r.has(c.Received) {
			continue
		}
		rep.Incidents++
		if c.Late {
			rep.LateEntered++
		}
		prio := c.Priority
		known := prio >= 0 && prio < Priorities
		h := &rep.ByHour[c.Received.In(r.Location).Hour()]
		h.Total++
		if known {
			h.ByPriority[prio]++
		}
		add := func(i int, from time.Time, to *time.Time) {
			if to == nil || to.Before(from) {
				return
			}
			d := to.Sub(from).Seconds()
			durations[i][0] = append(durations[i][0], d)
			if known {
				durations[i][prio+1] = append(durations[i][prio+1], d)
			}
		}
		add(0, c.Received, c.OnScene)
		if c.Dispatched != nil {
			add(1, *c.Dispatched, c.OnScene)
		}
		add(2, c.answered(), c.Dispatched)
		if c.Dispatched != nil && !c.Dispatched.Before(c.answered()) {
			within := c.Dispatched.Sub(c.answered()) <= ProcessingTarget
			cp.Tally.add(within)
			if known {
				cp.ByPriority[prio].add(within)
			}
			if b := bucketOf(cp, c.Received); b >= 0 {
				cp.Buckets[b].add(within)
			}
		}
	}
	cp.Tally.close()
	for i := range cp.ByPriority {
		cp.ByPriority[i].close()
	}
	for i := range cp.Buckets {
		cp.Buckets[i].close()
	}
	rep.Processing = cp
	for i, n := range IntervalNames {
		iv := Interval{Name: n.Name, Label: n.Label, All: Summarize(durations[i][0]), ByPriority: make([]Summary, Priorities)}
		for p := range Priorities {
			iv.ByPriority[p] = Summarize(durations[i][p+1])
		}
		rep.Intervals = append(rep.Intervals, iv)
	}
	return rep
}

// buckets returns the five minutes (for a range up to finestUpTo), the
// hours (up to hourlyUpTo) or the days of r, each starting on a multiple of
// five minutes, on the hour or at midnight in r's location; the first
// starts at or before r.From.
func buckets(r Range) (string, []Bucket) {
	var out []Bucket
	f := r.From.In(r.Location)
	if span := r.To.Sub(r.From); span <= hourlyUpTo {
		name, step := "hour", time.Hour
		if span <= finestUpTo {
			name, step = "5min", finest
		}
		// Steps are counted in absolute time, so that a day with a
		// daylight-saving change has 23 or 25 hours. The first starts on
		// the local clock: in a zone half an hour off UTC, an hour does
		// not start on a whole UTC hour.
		t := f.Add(-time.Duration(f.Minute()%int(step.Minutes()))*time.Minute - time.Duration(f.Second())*time.Second - time.Duration(f.Nanosecond()))
		for ; t.Before(r.To); t = t.Add(step) {
			out = append(out, Bucket{Start: t})
		}
		return name, out
	}
	for t := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, r.Location); t.Before(r.To); t = t.AddDate(0, 0, 1) {
		out = append(out, Bucket{Start: t})
	}
	return "day", out
}

// bucketOf returns the index of the bucket holding t, or -1.
func bucketOf(cp CallProcessing, t time.Time) int {
	i := sort.Search(len(cp.Buckets), func(i int) bool { return cp.Buckets[i].Start.After(t) })
	return i - 1
}

// Summarize describes durations (seconds, in any order): the count, the
// least and greatest, the mean, the nearest-rank percentiles and a
// histogram. It does not change durations.
func Summarize(durations []float64) Summary {
	n := len(durations)
	s := Summary{Count: n}
	if n == 0 {
		return s
	}
	d := append([]float64(nil), durations...)
	sort.Float64s(d)
	sum := 0.0
	for _, v := range d {
		sum += v
	}
	v := func(x float64) *float64 { return &x }
	s.Min, s.Max, s.Mean = v(d[0]), v(d[n-1]), v(sum/float64(n))
	s.P25, s.P50, s.P75, s.P90 = v(Percentile(d, 25)), v(Percentile(d, 50)), v(Percentile(d, 75)), v(Percentile(d, 90))
	s.Histogram = histogram(d, *s.P90)
	return s
}

// Percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the least value at or below which at least p per
// cent of the values lie. It is always one of the values — "90 per cent of
// calls within 4:10" holds exactly — as fractile reports for NFPA 1710 and
// 1225 are read. It panics on an empty slice.
func Percentile(sorted []float64, p float64) float64 {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// niceWidths are the histogram bin widths, in seconds: each divides or is a
// multiple of a minute, so that the 60-second target is a bin edge.
var niceWidths = []float64{1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 14400, 28800, 86400}

// maxBins bounds a histogram's bins.
const maxBins = 24

// histogram bins sorted durations in the narrowest nice width that covers
// them in at most maxBins bins; a long tail past three times the 90th
// percentile is left out of the bins and counted in Over, so that one call
// that waited hours does not squash the chart.
func histogram(sorted []float64, p90 float64) *Histogram {
	top := sorted[len(sorted)-1]
	if top > 3*p90 {
		top = 2 * p90
	}
	width := niceWidths[len(niceWidths)-1]
	for _, w := range niceWidths {
		if math.Floor(top/w)+1 <= maxBins {
			width = w
			break
		}
	}
	bins := int(math.Floor(top/width)) + 1
	h := &Histogram{Width: width, Counts: make([]int, min(bins, maxBins))}
	for _, v := range sorted {
		i := int(math.Floor(v / width))
		if i >= len(h.Counts) {
			h.Over++
			continue
		}
		h.Counts[i]++
	}
	return h
}
