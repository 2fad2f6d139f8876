package metrics_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/dispatch"
	"github.com/tenfour-cad/tenfour/metrics"
)

// The Grafana dashboard in docs/ queries only metrics that a node exposes:
// renaming a metric without the dashboard fails here.
func TestDashboardQueriesExposedMetrics(t *testing.T) {
	b, err := os.ReadFile("../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID    string `json:"uid"`
		Panels []struct {
			ID      int             `json:"id"`
			Type    string          `json:"type"`
			GridPos json.RawMessage `json:"gridPos"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("docs/grafana-dashboard.json: %v", err)
	}

	m := metrics.New()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e := openEngine(t, m, c)
	m.Watch(e, func() int { return 0 })
	// Commands and an open request, so that every series exists.
	lat, lon := 41.8254, -87.7052
	for _, cmd := range []dispatch.Command{
		dispatch.CreateAgency{ID: "federal", Name: "Federal", Kind: "federal"},
		dispatch.CreateAgency{ID: "metro", Name: "Metro", Kind: "municipal_police"},
		dispatch.RequestAssist{From: "federal", To: "metro", Location: dispatch.Location{Lat: &lat, Lon: &lon}, Nature: "boxed in", Urgency: dispatch.UrgencyEmergency},
	} {
		if _, err := e.Execute(t.Context(), dispatch.Actor{System: "test"}, cmd); err != nil {
			t.Fatal(err)
		}
	}
	fams := gather(t, m)

	name := regexp.MustCompile(`\b(?:tenfour|go|process)_[a-z0-9_]+`)
	ids := map[int]bool{}
	queried := 0
	for _, p := range dash.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d is used twice", p.ID)
		}
		ids[p.ID] = true
		if len(p.GridPos) == 0 {
			t.Errorf("panel %d has no gridPos", p.ID)
		}
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %d (%s) queries nothing", p.ID, p.Type)
		}
		for _, tg := range p.Targets {
			for _, n := range name.FindAllString(tg.Expr, -1) {
				queried++
				base := n
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if _, ok := fams[base]; !ok {
						base = strings.TrimSuffix(base, suffix)
					}
				}
				if _, ok := fams[base]; !ok {
					t.Errorf("panel %d queries %s, which no node exposes (expr %s)", p.ID, n, tg.Expr)
				}
			}
		}
	}
	if queried < 20 {
		t.Errorf("the dashboard queries %d metrics; the test would prove little", queried)
	}
	// Every tenfour metric is on the dashboard.
	for n := range fams {
		if strings.HasPrefix(n, "tenfour_") && !strings.Contains(string(b), n) {
			t.Errorf("%s is on no panel of the dashboard", n)
		}
	}
}
