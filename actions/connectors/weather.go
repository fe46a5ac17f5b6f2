package connectors

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

// Weather gets the current weather of a city.
type Weather struct {
	plugin.ActionRunner
	city    dotpath.Value
	system  string
	baseURL string
}

var weatherSpec = plugin.NewConfigSpec().
	Group("Weather configuration", "").
	Field(plugin.NewEnumField("system", plugin.Option{Value: "C", Label: "Celsius"}, plugin.Option{Value: "F", Label: "Fahrenheit"}).
		Name("Metric system").Default("C").Description("Celsius and km/h, or Fahrenheit and mph.")).
	Field(plugin.NewValueField("city").Name("City").Required().Component("dotPath", map[string]any{}).
		Description("The city, e.g. London, or a reference to it, e.g. profile@data.pii.address.town.")).
	Field(plugin.NewStringField("base_url").Name("Weather service URL").Default("https://wttr.in").Hidden().
		Description("The weather service (wttr.in's JSON format); change it only to reach a stand-in."))

// SetUp reads the config; the system may be given in lower case, as Tracardi allowed.
func (a *Weather) SetUp(_ context.Context, config plugin.Config) error {
	if s, ok := config["system"].(string); ok && s != strings.ToUpper(s) {
		cp := make(plugin.Config, len(config))
		for k, v := range config {
			cp[k] = v
		}
		cp["system"] = strings.ToUpper(s)
		config = cp
	}
	c, err := weatherSpec.Parse(config)
	if err != nil {
		return err
	}
	a.city, a.system, a.baseURL = c.Value("city"), c.String("system"), strings.TrimRight(c.String("base_url"), "/")
	return nil
}

func number(v any) any {
	s, _ := v.(string)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return nil
}

// Run asks the weather service.
func (a *Weather) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.city.Resolve(a.Scope(payload))
	city := strings.TrimSpace(dotpath.Stringify(v))
	if err == nil && city == "" {
		err = fmt.Errorf("%s is empty", a.city)
	}
	if err != nil {
		return a.fail(payload, fmt.Errorf("city: %w", err))
	}
	units := "m"
	if a.system == "F" {
		units = "u"
	}
	res, err := outbound.Default().DoOK(ctx, outbound.Request{
		URL: a.baseURL + "/" + url.PathEscape(city) + "?format=j1&" + units, Timeout: 15 * time.Second})
	if err != nil {
		return a.fail(payload, err)
	}
	doc, _ := res.Content().(map[string]any)
	cur, _ := doc["current_condition"].([]any)
	if len(cur) == 0 {
		return a.fail(payload, fmt.Errorf("the weather service knows no current weather for %q", city))
	}
	c, _ := cur[0].(map[string]any)
	temp, wind := "temp_C", "windspeedKmph"
	if a.system == "F" {
		temp, wind = "temp_F", "windspeedMiles"
	}
	desc := ""
	if d, _ := c["weatherDesc"].([]any); len(d) > 0 {
		if m, _ := d[0].(map[string]any); m != nil {
			desc, _ = m["value"].(string)
		}
	}
	return plugin.Port("weather", plugin.Payload{"temperature": number(c[temp]), "humidity": number(c["humidity"]),
		"wind_speed": number(c[wind]), "description": desc}), nil
}

func (a *Weather) fail(payload plugin.Payload, err error) (plugin.Results, error) {
	p := outbound.ErrorPayload(err)
	p["payload"], p["error"] = payload, p["message"]
	a.Console.Error("%s", p["message"])
	return plugin.Port("error", p), nil
}

// RegisterWeather describes the weather plugin.
func RegisterWeather() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &Weather{} },
		Spec: plugin.Spec{
			Module: "tracflow.connectors.weather.msn_weather", Aliases: []string{tracardi + "connectors.weather.msn_weather.plugin"},
			ClassName: "WeatherAction", Inputs: []string{"payload"}, Outputs: []string{"weather", "error"},
			Config: weatherSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "MSN Weather service", Desc: "Gets the current weather of a city.",
			Type: "flowNode", Icon: "weather", Group: []string{"Connectors"},
			Tags: []string{"weather", "connector"}, Purpose: []string{"collection"},
			Documentation: &plugin.Documentation{
				Tutorial: "Asks wttr.in (the service Tracardi's weather library reads) for the current conditions; " +
					"waits 15 seconds at most. The name is Tracardi's.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the city can be read from it."}},
				Outputs: map[string]plugin.PortDoc{
					"weather": {Desc: "{\"temperature\", \"humidity\", \"wind_speed\", \"description\"}, numbers in the chosen system (null when unknown)."},
					"error":   {Desc: "{\"message\", \"status\", \"body\", \"payload\": the input payload, \"error\": the message}."},
				},
			},
		},
	}
}
