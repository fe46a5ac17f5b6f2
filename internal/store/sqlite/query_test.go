package sqlite_test

import (
	"testing"

	"github.com/tracflow/tracflow/internal/store/storetest"
)

func BenchmarkSelect(b *testing.B) { storetest.BenchmarkSelect(b, benchOpen) }
