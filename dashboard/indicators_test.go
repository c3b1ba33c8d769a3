package dashboard_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chengyun/chengyun/dashboard"
)

func TestIndicatorAPI(t *testing.T) {
	w := newMatrixWorld(t)
	admin := w.callers[0]
	w.dispatchedCase()
	var view dashboard.IndicatorsView
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		code, body := admin.send("GET", "/api/v1/indicators?ids=reported,backlog&at=2026-03-02T12:00:00%2B08:00", "")
		if code != 200 {
			t.Fatalf("indicators: %d %s", code, body)
		}
		_ = json.Unmarshal(body, &view)
		if len(view.Indicators) == 2 && view.Indicators[0].Windows["today"].Value != nil && *view.Indicators[0].Windows["today"].Value >= 1 {
			if view.Definitions["reported"].Name.ZH != "受理量" || view.Definitions["backlog"].Formula == "" {
				t.Fatalf("values without their definitions: %+v", view.Definitions)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reported case never reached the indicators: %s", body)
		}
	}
	code, csv := admin.send("GET", "/api/v1/indicators?ids=reported&format=csv&at=2026-03-02T12:00:00%2B08:00", "")
	if code != 200 || !strings.HasPrefix(string(csv), "\xef\xbb\xbfid,name_zh") || !strings.Contains(string(csv), "受理量") {
		t.Fatalf("csv: %d %s", code, csv)
	}
	for _, bad := range []string{"scope=town:1", "scope=district:", "at=yesterday", "format=xml"} {
		if code, body := admin.send("GET", "/api/v1/indicators?"+bad, ""); code != 400 {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}
	if code, body := admin.send("GET", "/api/v1/indicators/catalog", ""); code != 200 || !strings.Contains(string(body), "on_time_closure_rate") {
		t.Fatalf("catalog: %d", code)
	}
	code, body := admin.send("GET", "/api/v1/indicators/reported/ranking?by=district&window=30d&at=2026-03-02T12:00:00%2B08:00", "")
	if code != 200 || !strings.Contains(string(body), w.target.District) {
		t.Fatalf("ranking: %d %s", code, body)
	}
	if code, _ := admin.send("GET", "/api/v1/indicators/nothing/ranking?by=district", ""); code != 404 {
		t.Fatalf("unknown indicator ranking: %d", code)
	}
}
