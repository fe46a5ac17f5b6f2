package rundata

import (
	"context"
	"fmt"

	"github.com/tracflow/tracflow/internal/consents"
	"github.com/tracflow/tracflow/plugin"
)

var _ plugin.ConsentTypes = data{}

// ConsentType implements plugin.ConsentTypes.
func (d data) ConsentType(ctx context.Context, id string) (plugin.ConsentType, error) {
	doc, err := d.st.GetConfig(ctx, consents.Kind, id)
	if err != nil {
		return plugin.ConsentType{}, notFound(err, fmt.Sprintf("consent type %q", id))
	}
	return consents.Type(doc), nil
}
