package geo

import "testing"

// Address returns the address points in the order of the file, as they
// are written there.
func TestMapAddress(t *testing.T) {
	m, err := LoadDir(rbDir)
	if err != nil {
		t.Fatal(err)
	}
	want := Address{Lon: -122.6953461, Lat: 45.520135, Number: "101", Street: "Market St", City: "Riverbend", Region: "OR", Postcode: "97209", ID: "1"}
	if m.Addresses() == 0 || m.Address(0) != want {
		t.Fatalf("Address(0) of %d = %+v, want %+v", m.Addresses(), m.Address(0), want)
	}
	ids := map[string]bool{}
	for i := range m.Addresses() {
		a := m.Address(i)
		if ids[a.ID] || a.Number == "" || a.Street == "" {
			t.Errorf("Address(%d) = %+v: want a numbered point on a street, each once", i, a)
		}
		ids[a.ID] = true
	}
}
