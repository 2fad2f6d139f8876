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
