package location

import (
	"testing"

	"github.com/tracflow/tracflow/plugin/geoip/geoiptest"
)

// WriteTestCityDB writes the test City database for the external tests.
func WriteTestCityDB(t *testing.T) string { return geoiptest.CityDB(t) }
