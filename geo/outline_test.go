package geo

import "testing"

func TestOutline(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) [][]Point {
		return [][]Point{{{y0, x0}, {y0, x1}, {y1, x1}, {y1, x0}, {y0, x0}}}
	}
	t.Run("TwoByTwo", func(t *testing.T) {
		// Four beats in a square: the district is the square's 8 border
		// vertices, none of the inner edges.
		got := Outline([][][]Point{sq(0, 0, 1, 1), sq(1, 0, 2, 1), sq(0, 1, 1, 2), sq(1, 1, 2, 2)})
		if len(got) != 1 || len(got[0]) != 8 {
			t.Fatalf("Outline(2×2) = %v, want one ring of 8 points", got)
		}
		for _, p := range got[0] {
			if p == (Point{1, 1}) {
				t.Fatalf("Outline(2×2) holds the inner vertex 1,1: %v", got[0])
			}
		}
	})
	t.Run("Windings", func(t *testing.T) {
		cw := sq(1, 0, 2, 1)
		cw[0] = []Point{cw[0][0], cw[0][3], cw[0][2], cw[0][1], cw[0][0]}
		got := Outline([][][]Point{sq(0, 0, 1, 1), cw})
		if len(got) != 1 || len(got[0]) != 6 {
			t.Fatalf("Outline(mixed windings) = %v, want one ring of 6", got)
		}
	})
	t.Run("Apart", func(t *testing.T) {
		got := Outline([][][]Point{sq(0, 0, 1, 1), sq(3, 3, 4, 4)})
		if len(got) != 2 || len(got[0]) != 4 || len(got[1]) != 4 {
			t.Fatalf("Outline(apart) = %v, want two rings of 4", got)
		}
	})
}

func TestChain(t *testing.T) {
	p := func(x float64) Point { return Point{Lat: 0, Lon: x} }
	q := func(x, y float64) Point { return Point{Lat: y, Lon: x} }
	tests := []struct {
		name  string
		lines [][]Point
		want  int // lines out
		long  int // points in the first
	}{
		{"Blocks", [][]Point{{p(0), p(1)}, {p(1), p(2)}, {p(2), p(3)}}, 1, 4},
		{"Reversed", [][]Point{{p(1), p(2)}, {p(1), p(0)}, {p(3), p(2)}}, 1, 4},
		{"Gap", [][]Point{{p(0), p(1)}, {p(2), p(3)}}, 2, 2},
		{"Fork", [][]Point{{p(0), p(1)}, {p(1), p(2)}, {p(1), q(1, 1)}}, 3, 2},
		{"Loop", [][]Point{{p(0), p(1)}, {p(1), q(1, 1)}, {q(1, 1), p(0)}}, 1, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Chain(tt.lines)
			if len(got) != tt.want || len(got[0]) != tt.long {
				t.Errorf("Chain(%v) = %v, want %d lines, the first of %d points", tt.lines, got, tt.want, tt.long)
			}
			n := 0
			for _, l := range got {
				n += len(l) - 1
			}
			if in := len(tt.lines); n != in {
				t.Errorf("Chain(%v) has %d segments, want the %d given", tt.lines, n, in)
			}
		})
	}
}
