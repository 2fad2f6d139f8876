package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tenfour-cad/tenfour/geo"
	"github.com/tenfour-cad/tenfour/geo/gridcity"
)

// mapFlag adds --map to fs. The function it returns loads the map the
// flag names, or returns nil when it names none.
func mapFlag(fs *flag.FlagSet) func() (*geo.Map, error) {
	dir := fs.String("map", "", "the centre's map: a `directory` of addresses.csv, streets.geojson, places.geojson and zones.geojson (docs/map.md)")
	return func() (*geo.Map, error) {
		if *dir == "" {
			return nil, nil
		}
		return loadMap(*dir)
	}
}

// loadMap loads a map directory, with an error that names it.
func loadMap(dir string) (*geo.Map, error) {
	m, err := geo.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", dir, err)
	}
	return m, nil
}

// demoMap returns the demo city's map: the dataset in DATA/map, written
// there from the generated city (gridcity.WriteDemo) if it is not there
// yet, and read by the same loader as any centre's map.
func demoMap(dataDir string) (*geo.Map, error) {
	dir := filepath.Join(dataDir, "map")
	if _, err := os.Stat(filepath.Join(dir, geo.StreetsFile)); errors.Is(err, os.ErrNotExist) {
		if err := gridcity.WriteDemo(dir); err != nil {
			return nil, fmt.Errorf("write the demo city's map: %w", err)
		}
	}
	return loadMap(dir)
}

const mapUsage = `tenfour map — check a centre's map, or write the demo city's

Usage:
  tenfour map check DIR           load DIR as serve --map would, and say what it holds
  tenfour map demo DIR            write the demo city's map into DIR
  tenfour map geocode DIR TEXT    geocode TEXT on the map in DIR

A map directory holds addresses.csv, streets.geojson, places.geojson and
zones.geojson (docs/map.md).
`

func runMap(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, mapUsage)
		if len(args) == 0 {
			return errors.New("tenfour map: give a subcommand")
		}
		return nil
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "check":
		if len(rest) != 1 {
			return errors.New("tenfour map check DIR: give one directory")
		}
		start := time.Now()
		m, err := loadMap(rest[0])
		if err != nil {
			return err
		}
		lo, hi := m.Bounds()
		fmt.Fprintf(stdout, "map %s: %d streets, %d address points, %d places, %d zones; bounds %.6f,%.6f to %.6f,%.6f; loaded in %s\n",
			rest[0], len(m.Streets()), m.Addresses(), len(m.Places()), len(m.Zones()), lo.Lat, lo.Lon, hi.Lat, hi.Lon, time.Since(start).Round(time.Millisecond))
		return nil
	case "demo":
		if len(rest) != 1 {
			return errors.New("tenfour map demo DIR: give one directory")
		}
		if err := gridcity.WriteDemo(rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote the demo city's map into %s\n", rest[0])
		return nil
	case "geocode":
		if len(rest) != 2 {
			return errors.New(`tenfour map geocode DIR TEXT: give a directory and the text, such as "3900 S Kedzie Ave"`)
		}
		m, err := loadMap(rest[0])
		if err != nil {
			return err
		}
		r, err := m.Geocode(rest[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\t%s\t%.6f,%.6f", r.Text, r.Kind, r.Lat, r.Lon)
		if z, ok := m.ZoneAt(r.Lat, r.Lon); ok {
			fmt.Fprintf(stdout, "\tdistrict %s beat %s", z.District, z.Beat)
			if z.Zone != "" {
				fmt.Fprintf(stdout, " zone %s", z.Zone)
			}
		}
		fmt.Fprintln(stdout)
		return nil
	default:
		fmt.Fprint(stderr, mapUsage)
		return fmt.Errorf("tenfour map: unknown subcommand %q", sub)
	}
}
