package tracking

import (
	"context"
	"errors"
	"fmt"

	"github.com/tracflow/tracflow/internal/store"
)

// Collect tracks the event of a webhook (GET|POST /collect). Without a
// session and a profile the event is profile-less. With a session but no
// profile, it belongs to the profile the stored session names; a session
// not stored yet starts a new one. A failed read of the session is
// returned, never taken for a new session (which would give the event a
// new profile).
func (t *Tracker) Collect(ctx context.Context, p *Payload, headers map[string]any) (*Result, error) {
	if p.SessionID == "" && p.ProfileID == "" {
		p.ProfileLess = true
	}
	if p.SessionID != "" && p.ProfileID == "" {
		id, err := t.sessionProfile(ctx, p.SessionID)
		if err != nil {
			return nil, err
		}
		p.ProfileID = id
	}
	return t.Track(ctx, p, headers)
}

// sessionProfile is the id of the profile a stored session belongs to: ""
// when the session is not stored or names no profile.
func (t *Tracker) sessionProfile(ctx context.Context, sessionID string) (string, error) {
	sess, err := t.st.Session(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("the profile of session %q: %w", sessionID, err)
	}
	prof, _ := sess["profile"].(map[string]any)
	id, _ := prof["id"].(string)
	return id, nil
}
