package postgres_test

import (
	"os"
	"testing"

	"github.com/tracflow/tracflow/internal/store/storetest"
)

// TestMain names the PostgreSQL tests skipped without TRACFLOW_TEST_PG.
func TestMain(m *testing.M) {
	code := m.Run()
	storetest.ReportSkipped()
	os.Exit(code)
}
