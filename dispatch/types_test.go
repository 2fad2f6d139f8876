package dispatch_test

import (
	"strings"
	"testing"

	"github.com/tenfour-cad/tenfour/dispatch"
)

func TestParseIncidentTypes(t *testing.T) {
	if len(dispatch.IncidentTypes) < 20 {
		t.Fatalf("the built-in catalogue has %d types, want the shipped ones", len(dispatch.IncidentTypes))
	}
	if it, ok := dispatch.IncidentTypeByCode("OFFICER_EMERGENCY"); !ok || it.DefaultPriority != 0 {
		t.Errorf("OFFICER_EMERGENCY = %+v, %v; want priority 0", it, ok)
	}
	for _, tc := range []struct{ name, csv, want string }{
		{"ErrHeader", "kode,name,priority\nX,Y,1\n", "header"},
		{"ErrPriority", "code,name,default_priority\nABC,Name,x\n", "not a number"},
		{"ErrRange", "code,name,default_priority\nABC,Name,7\n", "between 0 and 4"},
		{"ErrCode", "code,name,default_priority\nabc,Name,1\n", "capital letters"},
		{"ErrTwice", "code,name,default_priority\nABC,Name,1\nABC,Other,2\n", "twice"},
		{"ErrFields", "code,name,default_priority\nABC,Name\n", "wrong number of fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dispatch.ParseIncidentTypes(strings.NewReader(tc.csv))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseIncidentTypes(%q) = %v, want an error about %q", tc.csv, err, tc.want)
			}
		})
	}
	ts, err := dispatch.ParseIncidentTypes(strings.NewReader("# comment\ncode,name,default_priority\nABC,A name,2\n"))
	if err != nil || len(ts) != 1 || ts[0] != (dispatch.IncidentType{Code: "ABC", Name: "A name", DefaultPriority: 2}) {
		t.Errorf("ParseIncidentTypes = %+v, %v", ts, err)
	}
}
