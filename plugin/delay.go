package plugin

import (
	"fmt"
	"time"
)

// DelayError is what a plugin's Run returns to continue the flow later:
// the engine does not run the nodes after this one now; it saves the
// results and the run's state, and the rest of the flow runs from these
// results once Until has passed, in a background job (after a restart of
// the server too, and on any server sharing the database). When the flow
// resumes, the profile is read again (and locked): the nodes after the
// wait see the profile as it is then, not as it was when the flow waited.
//
// Return it with Delay; the engine recognises it with errors.As. Where
// nothing can resume a flow (a debug run in the editor, a flow run by
// hand), the engine runs the rest at once instead, and logs that it did.
type DelayError struct {
	Until   time.Time
	Results Results
}

func (e *DelayError) Error() string {
	return fmt.Sprintf("the flow continues at %s", e.Until.UTC().Format(time.RFC3339))
}

// Delay answers a DelayError: the flow goes on with results after d.
func Delay(d time.Duration, results Results) error {
	return &DelayError{Until: time.Now().Add(d), Results: results}
}
