package workflow

import (
	"reflect"
	"unsafe"

	"github.com/tracflow/tracflow/internal/notation"
	"github.com/tracflow/tracflow/plugin"
)

func mapPtr(m plugin.Payload) unsafe.Pointer {
	return reflect.ValueOf(m).UnsafePointer()
}

func deepCopyMap(m plugin.Payload) plugin.Payload {
	if m == nil {
		return nil
	}
	return notation.DeepCopy(m).(map[string]any)
}
