package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tenfour-cad/tenfour/store"
)

func TestPlanTmp(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	lat, lon := 41.7, -87.8
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, q := range []store.ArchiveQuery{
		{Kind: "incident", Address: "1 MAIN ST", From: day},
		{Kind: "incident", Lat: &lat, Lon: &lon, RadiusM: 150, From: day},
		{Kind: "incident", Agencies: []string{"a"}, From: day, To: day.Add(24 * time.Hour)},
		{Kind: "incident", Unit: "u1", Agencies: []string{"a"}, Before: &store.ArchiveCursor{Opened: day, ID: "x"}},
		{Kind: "incident", Type: "FIRE", From: day},
		{Kind: "incident", Before: &store.ArchiveCursor{Opened: day, ID: "x"}},
		{},
		{Before: &store.ArchiveCursor{Opened: day, ID: "x"}},
	} {
		where, args, limit, _ := archiveWhere(q)
		sql := `SELECT ` + archiveColumns + ` FROM archive a WHERE ` + where + ` ORDER BY a.opened DESC, a.id DESC LIMIT ?`
		rows, err := db.r.Query("EXPLAIN QUERY PLAN "+sql, append(args, limit)...)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("---", where)
		for rows.Next() {
			var id, parent, notused int
			var detail string
			rows.Scan(&id, &parent, &notused, &detail)
			fmt.Println("   ", detail)
		}
		rows.Close()
	}
}
