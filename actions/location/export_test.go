package location

import "testing"

// WriteTestCityDB writes the test City database for the external tests.
func WriteTestCityDB(t *testing.T) string { return testCityDB(t) }
