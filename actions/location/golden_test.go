package location_test

import (
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/actions/location"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

// TestGolden runs each plugin of the group in a flow through the engine
// (testdata/<plugin>/); go test -run Golden -update rewrites want.json. The
// GeoIP case reads the test City database through TRACFLOW_GEOIP_DB.
func TestGolden(t *testing.T) {
	t.Setenv(location.DatabaseEnv, location.WriteTestCityDB(t))
	plugintest.Golden(t, "testdata", actions.Installed())
}
