package text

import (
	"context"
	"fmt"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// ToDate reads a date from a string.
type ToDate struct {
	plugin.ActionRunner
	str dotpath.Value
	now func() time.Time
}

var toDateSpec = plugin.NewConfigSpec().
	Field(valueField("string", "String", "The text to read a date from: a reference such as "+
		"event@properties.birthday, or the text itself.", "event").Required())

// SetUp reads the string reference.
func (a *ToDate) SetUp(_ context.Context, config plugin.Config) error {
	c, err := toDateSpec.Parse(config)
	if err != nil {
		return err
	}
	a.str = c.Value("string")
	if a.now == nil {
		a.now = time.Now
	}
	return nil
}

// Run sends {"date": "YYYY-MM-DD"} on date, or {"message": ...} on error.
// Empty text or null fires no port, as in Tracardi.
func (a *ToDate) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := resolve(a.Scope(payload), "string", a.str)
	if err != nil {
		return a.ErrorResult(err.Error(), "error"), nil
	}
	var t time.Time
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if x == "" {
			return nil, nil
		}
		t, err = parseDate(x, a.now())
	case float64:
		t, err = parseDate(dotpath.Stringify(x), a.now())
	default:
		err = fmt.Errorf("%s is %s, not a date", a.str, dotpath.TypeName(v))
	}
	if err != nil {
		return a.ErrorResult("Could not read a date: "+err.Error()+".", "error"), nil
	}
	return plugin.Port("date", plugin.Payload{"date": t.Format("2006-01-02")}), nil
}

// RegisterToDate describes the String to date plugin.
func RegisterToDate() plugin.Plugin {
	return def{
		id: "to_date", alias: "strings.string_to_date.plugin", class: "DateConverter",
		outputs: []string{"date", "error"}, config: toDateSpec,
		name: "String to date", desc: "Reads a date from a string in a common format and returns it as YYYY-MM-DD.",
		icon: "date", tags: []string{"date", "convert"},
		tutorial: "Config: {\"string\": \"event@properties.birthday\"}: \"March 31, 2024\" gives " +
			"{\"date\": \"2024-03-31\"}. The formats read: " + dateFormatsDoc + " Empty text or null " +
			"fires no port. Text in no known format, or a missing reference, sends {\"message\": ...} to " +
			"the error port.",
		outputDocs: map[string]string{
			"date":  "{\"date\": \"YYYY-MM-DD\"}.",
			"error": "{\"message\": ...} when the text is not a date in a known format.",
		},
		newAction: func() plugin.Action { return &ToDate{} },
	}.plugin()
}
