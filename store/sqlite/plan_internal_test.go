package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

// TestArchivePlans checks that each kind of archive query is led by the
// index it was written for (archiveWhere): SQLite, planning without
// statistics, would otherwise walk the newest-first index through the
// whole archive for a handful of priors.
func TestArchivePlans(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "tenfour.db"))
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	defer db.Close()
	lat, lon := 41.7, -87.8
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	cursor := &store.ArchiveCursor{Opened: day, ID: "x"}
	tests := []struct {
		name string
		q    store.ArchiveQuery
		lead string // what the plan's first search of a names
	}{
		{"Newest", store.ArchiveQuery{Kind: "incident", Before: cursor}, "archive_kind_opened"},
		{"NewestOfAll", store.ArchiveQuery{Before: cursor}, "archive_opened"},
		{"PriorsAtAddress", store.ArchiveQuery{Kind: "incident", Address: "1 MAIN ST", From: day}, "archive_address"},
		{"PriorsNearPoint", store.ArchiveQuery{Kind: "incident", Lat: &lat, Lon: &lon, RadiusM: 150, From: day}, "archive_point"},
		{"DayOfAgency", store.ArchiveQuery{Kind: "incident", Agencies: []string{"a", "b"}, From: day, To: day.Add(24 * time.Hour)}, "archive_agencies_opened"},
		{"AgencyOverYears", store.ArchiveQuery{Kind: "incident", Agencies: []string{"a"}, From: day.AddDate(-2, 0, 0)}, "archive_kind_opened"},
		{"Unit", store.ArchiveQuery{Kind: "incident", Unit: "u1", Agencies: []string{"a"}, Before: cursor}, "archive_units_opened"},
		{"Type", store.ArchiveQuery{Kind: "incident", Type: "FIRE", From: day}, "archive_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			where, args, limit, err := archiveWhere(tt.q)
			if err != nil {
				t.Fatalf("archiveWhere(%+v) = %v", tt.q, err)
			}
			rows, err := db.r.Query(`EXPLAIN QUERY PLAN SELECT `+archiveColumns+` FROM archive a WHERE `+where+
				` ORDER BY a.opened DESC, a.id DESC LIMIT ?`, append(args, limit)...)
			if err != nil {
				t.Fatalf("EXPLAIN QUERY PLAN = %v", err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, notUsed int
				var detail string
				if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
					t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
				}
				plan = append(plan, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
			}
			all := strings.Join(plan, "\n")
			if strings.Contains(all, "SCAN a") || !strings.Contains(all, tt.lead) {
				t.Errorf("plan of %s (WHERE %s):\n%s\nwant it led by %s, no scan of the archive", tt.name, where, all, tt.lead)
			}
		})
	}
}
