package data

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	useragent "github.com/medama-io/go-useragent"
	"github.com/medama-io/go-useragent/agents"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// maxUserAgent bounds the text parsed; real user agents are far shorter.
const maxUserAgent = 2048

var detectDeviceSpec = plugin.NewConfigSpec().
	Group("Detect client type", "").
	Field(plugin.NewValueField("agent").Name("Path to user agent data").
		Description("A reference to the user agent text, e.g. session@context.browser.browser.userAgent.").
		Default("session@context.browser.browser.userAgent").Prop("label", "Field path"))

// DetectDevice reads the browser, operating system and kind of device from a
// user agent.
type DetectDevice struct {
	plugin.ActionRunner
	agent  dotpath.Value
	parser *useragent.Parser
}

// SetUp reads where the user agent is.
func (a *DetectDevice) SetUp(_ context.Context, c plugin.Config) error {
	cfg, err := detectDeviceSpec.Parse(c)
	if err != nil {
		return err
	}
	a.agent = cfg.Value("agent")
	a.parser = useragent.NewParser() // built once per process, shared
	return nil
}

var (
	reAndroid = regexp.MustCompile(`Android[ /]?([0-9]+(?:\.[0-9]+)*)`)
	reIOS     = regexp.MustCompile(`(?:iPhone )?OS ([0-9]+(?:_[0-9]+)*) like Mac OS X`)
	reMac     = regexp.MustCompile(`Mac OS X ([0-9]+(?:[_.][0-9]+)*)`)
	reWindows = regexp.MustCompile(`Windows NT ([0-9]+\.[0-9]+)`)
	reCrOS    = regexp.MustCompile(`CrOS \S+ ([0-9]+(?:\.[0-9]+)*)`)
)

var windowsNames = map[string]string{
	"10.0": "10", "6.3": "8.1", "6.2": "8", "6.1": "7", "6.0": "Vista", "5.2": "XP", "5.1": "XP", "5.0": "2000",
}

func osVersion(os agents.OS, ua string) string {
	find := func(re *regexp.Regexp) string {
		if m := re.FindStringSubmatch(ua); m != nil {
			return strings.ReplaceAll(m[1], "_", ".")
		}
		return ""
	}
	switch os {
	case agents.OSAndroid:
		return find(reAndroid)
	case agents.OSIOS:
		return find(reIOS)
	case agents.OSMacOS:
		return find(reMac)
	case agents.OSChromeOS:
		return find(reCrOS)
	case agents.OSWindows:
		v := find(reWindows)
		if n, ok := windowsNames[v]; ok {
			return n
		}
		return v
	}
	return ""
}

func browserEngine(b agents.Browser, os agents.OS) string {
	if os == agents.OSIOS && b != "" {
		return "WebKit" // every iOS browser uses WebKit
	}
	switch b {
	case agents.BrowserChrome, agents.BrowserEdge, agents.BrowserOpera, agents.BrowserVivaldi, agents.BrowserSamsung,
		agents.BrowserYandex, agents.BrowserHuawei, agents.BrowserSilk, agents.BrowserAndroid:
		return "Blink"
	case agents.BrowserSafari, agents.BrowserFalkon, agents.BrowserNintendo:
		return "WebKit"
	case agents.BrowserFirefox:
		return "Gecko"
	case agents.BrowserIE:
		return "Trident"
	case agents.BrowserOperaMini:
		return "Presto"
	}
	return ""
}

func deviceType(d agents.Device) string {
	switch d {
	case agents.DeviceDesktop:
		return "desktop"
	case agents.DeviceMobile:
		return "smartphone"
	case agents.DeviceTablet:
		return "tablet"
	case agents.DeviceTV:
		return "tv"
	}
	return ""
}

func appleModel(ua string) (brand, model string) {
	for _, m := range []string{"iPhone", "iPad", "iPod"} {
		if strings.Contains(ua, "("+m+";") || strings.Contains(ua, "("+m+" ") {
			return "Apple", m
		}
	}
	if strings.Contains(ua, "Macintosh") {
		return "Apple", ""
	}
	return "", ""
}

func unknownDevice(message string) plugin.Payload {
	u := "Unknown"
	return plugin.Payload{
		"status": map[string]any{"code": 500, "message": message},
		"device": map[string]any{
			"model":  map[string]any{"name": u, "brand": map[string]any{"name": u}, "type": u},
			"os":     map[string]any{"name": u, "version": u},
			"client": map[string]any{"type": u, "name": u, "version": u, "engine": u},
			"type":   map[string]any{"mobile": u, "desktop": u, "bot": u, "tv": u},
		},
	}
}

// Run sends what the user agent tells on payload; when there is no user
// agent, the answer has status 500 and Unknown everywhere (as in Tracardi).
func (a *DetectDevice) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	v, err := a.agent.Resolve(a.Scope(payload))
	if err != nil {
		a.Console.Warning("No user agent at %s.", a.agent)
		return plugin.Port("payload", unknownDevice(fmt.Sprintf("No user agent at %s: %v", a.agent, err))), nil
	}
	ua, ok := v.(string)
	if !ok {
		a.Console.Warning("The user agent at %s is not text.", a.agent)
		return plugin.Port("payload", unknownDevice(fmt.Sprintf("The user agent at %s is %s, not text", a.agent, dotpath.TypeName(v)))), nil
	}
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent]
	}
	r := a.parser.Parse(ua)
	brand, model := appleModel(ua)
	clientType := ""
	if r.Browser() != "" {
		clientType = "browser"
	}
	return plugin.Port("payload", plugin.Payload{
		"status": map[string]any{"code": 200, "message": "OK"},
		"device": map[string]any{
			"model": map[string]any{"name": model, "brand": map[string]any{"name": brand}, "type": deviceType(r.Device())},
			"os":    map[string]any{"name": string(r.OS()), "version": osVersion(r.OS(), ua)},
			"client": map[string]any{"type": clientType, "name": string(r.Browser()), "version": r.BrowserVersion(),
				"engine": browserEngine(r.Browser(), r.OS())},
			"type": map[string]any{"mobile": r.IsMobile() || r.IsTablet(), "desktop": r.IsDesktop(), "bot": r.IsBot(), "tv": r.IsTV()},
		},
	}), nil
}

// RegisterDetectDevice describes the Detect device plugin.
func RegisterDetectDevice() plugin.Plugin {
	return plugin.Plugin{
		New: func() plugin.Action { return &DetectDevice{} },
		Spec: plugin.Spec{
			Module: tracardi + "detect_client_agent_action", ClassName: "DetectClientAgentAction",
			Inputs: []string{"payload"}, Outputs: []string{"payload"},
			Config: detectDeviceSpec, License: "MIT", Version: "1.0.0", Author: "Tracflow",
		},
		MetaData: plugin.MetaData{
			Name: "Detect device",
			Desc: "Reads the browser, operating system and kind of device (desktop, smartphone, tablet, TV, bot) from a user agent.",
			Type: "flowNode", Icon: "browser", Group: []string{"Data processing"},
			Purpose: []string{"collection", "segmentation"},
			Documentation: &plugin.Documentation{
				Tutorial: "The answer: {\"status\": {\"code\": 200, \"message\": \"OK\"}, \"device\": {\"model\": {\"name\", " +
					"\"brand\": {\"name\"}, \"type\"}, \"os\": {\"name\", \"version\"}, \"client\": {\"type\", \"name\", " +
					"\"version\", \"engine\"}, \"type\": {\"mobile\", \"desktop\", \"bot\", \"tv\"}}}. Crawlers and tools " +
					"such as curl are flagged as bots. What the user agent does not tell is empty text. Without a user " +
					"agent the status is 500 with the reason, every field is \"Unknown\", and a warning is logged.\n\n" +
					"Differences from Tracardi: Tracardi's detector knows thousands of device models and brands; here " +
					"the model and brand are known for Apple devices only, and model.type is desktop, smartphone, " +
					"tablet or tv. A tablet counts as mobile. A session is not required.",
				Inputs: map[string]plugin.PortDoc{"payload": {Desc: "Any object; the user agent may be in it (payload@...)."}},
				Outputs: map[string]plugin.PortDoc{
					"payload": {Desc: "The device, operating system and browser the user agent names."},
				},
			},
		},
	}
}
