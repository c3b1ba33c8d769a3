package sim

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestReplayNYC311 replays the real sample of 1,000 requests: every complaint type is in the
// NYC catalog, the 977 requests with coordinates become cases in creation order, and each
// story fits the domain.
func TestReplayNYC311(t *testing.T) {
	w, err := nyc()
	if err != nil {
		t.Fatal(err)
	}
	g := NewGenerator(w, DefaultRates, 1)
	f, err := os.Open("../../../geo/cities/nyc/311_service_requests.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reqs, err := Read311(f, g.Location())
	if err != nil {
		t.Fatal(err)
	}
	arrivals, skipped := g.Replay(reqs)
	if len(reqs) != 1000 || len(arrivals) != 977 || skipped != 23 {
		t.Fatalf("%d requests, %d arrivals, %d skipped; want 1000, 977, 23", len(reqs), len(arrivals), skipped)
	}
	for i, a := range arrivals {
		if i > 0 && a.At.Before(arrivals[i-1].At) {
			t.Fatal("arrivals out of creation order")
		}
		h := g.History(a, a.At.AddDate(0, 2, 0))
		for _, err := range h.Refused {
			t.Fatalf("request %s: %v", a.Key, err)
		}
		if loc := w.locate(*a.Report.Location.Point); loc.District == "" && !strings.Contains(a.Report.Title, "Helicopter") {
			t.Logf("request %s at %v lies outside the boroughs", a.Key, *a.Report.Location.Point)
		}
	}
	first := arrivals[0]
	if first.At.Location().String() != "America/New_York" || first.Report.ExternalID == "" {
		t.Fatalf("first arrival: %+v", first)
	}
}

// TestRead311Refuses names what is wrong in a broken export.
func TestRead311Refuses(t *testing.T) {
	head := strings.Join(columns311, ",") + "\n"
	for _, c := range []struct{ name, file, want string }{
		{"empty", "", "no header row"},
		{"missing columns", "unique_key,created_date\n1,2024-04-16T03:03:15.000\n", "lacks closed_date"},
		{"bad time", head + "1,yesterday,,Noise,,,,40.7,-73.9\n", "row 2: created_date"},
		{"bad latitude", head + "1,2024-04-16T03:03:15.000,,Noise,,,,north,-73.9\n", "row 2: latitude"},
		{"no key", head + ",2024-04-16T03:03:15.000,,Noise,,,,40.7,-73.9\n", "row 2: unique_key"},
		{"no type", head + "7,2024-04-16T03:03:15.000,,,,,,40.7,-73.9\n", "row 2: complaint_type"},
		{"short row", head + "7,2024-04-16T03:03:15.000\n", "wrong number of fields"},
	} {
		_, err := Read311(strings.NewReader(c.file), time.UTC)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
}

// FuzzRead311 holds that no file panics the reader, and that what it accepts replays.
func FuzzRead311(f *testing.F) {
	head := strings.Join(columns311, ",") + "\n"
	f.Add(head + "1,2024-04-16T03:03:15.000,2024-04-16T05:00:00.000,Noise - Residential,Loud Music/Party,1 MAIN ST,PHONE,40.7,-73.9\n")
	f.Add(head + "2,04/16/2024 03:03:15 AM,,Illegal Parking,,,,,\n")
	f.Add("\ufeff" + head + "3,2024-04-16T03:03:15,,\"Noise, \"\"loud\"\"\",x,y,z,1e3,nan\n")
	w, err := nyc()
	if err != nil {
		f.Fatal(err)
	}
	g := NewGenerator(w, DefaultRates, 1)
	f.Fuzz(func(t *testing.T, file string) {
		reqs, err := Read311(strings.NewReader(file), time.UTC)
		if err != nil {
			return
		}
		arrivals, _ := g.Replay(reqs)
		for _, a := range arrivals {
			if a.Report.Location.Point == nil || len(a.Report.Title) > 200 {
				t.Fatalf("arrival %+v", a)
			}
		}
	})
}
