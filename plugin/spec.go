package plugin

// Plugin is the registration record a plugin's register function returns.
// Its JSON form is Tracardi's: a flow node stores a full copy of it in
// node.data.
type Plugin struct {
	// Start marks an entry node of a flow (the Start plugin). Plain plugins
	// leave it false.
	Start bool `json:"start"`
	// Debug marks a start node that runs only in debug runs (Inject).
	Debug    bool     `json:"debug"`
	Spec     Spec     `json:"spec"`
	MetaData MetaData `json:"metadata"`
	// New constructs the action, without configuration.
	New func() Action `json:"-"`
}

// Spec says what runs and how: module, ports, default config, form and the
// runtime flags.
type Spec struct {
	// ID identifies the installed plugin; when empty it is Module.
	ID string `json:"id"`
	// Module is the plugin's name in flows (node.data.spec.module).
	Module string `json:"module"`
	// ClassName names the action type (shown to users, kept for Tracardi's format).
	ClassName string `json:"className"`
	// Aliases are other module names the plugin answers to, e.g. Tracardi's.
	Aliases []string `json:"aliases,omitempty"`
	// Inputs lists the input ports: none (start nodes) or one.
	Inputs []string `json:"inputs"`
	// Outputs lists the output ports.
	Outputs []string `json:"outputs"`
	// Config declares the configuration once: its fields, defaults, form
	// and validation. Init and Form are made from it (see Complete); leave
	// them empty when Config is set.
	Config *ConfigSpec `json:"-"`
	// Init is the default configuration, copied into each new node.
	Init Config `json:"init"`
	// Form is the form the editor renders for the configuration.
	Form    *Form  `json:"form,omitempty"`
	Manual  string `json:"manual,omitempty"`
	Author  string `json:"author,omitempty"`
	License string `json:"license"`
	Version string `json:"version"`

	// Runtime flags (per node; the registered values are the defaults).
	Skip                    bool        `json:"skip"`
	BlockFlow               bool        `json:"block_flow"`
	RunInBackground         bool        `json:"run_in_background"`
	OnErrorContinue         bool        `json:"on_error_continue"`
	OnConnectionErrorRepeat int         `json:"on_connection_error_repeat"`
	AppendInputPayload      bool        `json:"append_input_payload"`
	JoinInputPayload        bool        `json:"join_input_payload"`
	RunOnce                 RunOnce     `json:"run_once"`
	Node                    *NodeEvents `json:"node,omitempty"`
	// Microservice says which plugin service serves a remote plugin (see
	// package plugin/remote); nil for plugins compiled into the binary.
	Microservice *Microservice `json:"microservice,omitempty"`
}

// Microservice locates a remote plugin, in Tracardi's shape: the resource
// that holds the plugin service's address and token, the service's name and
// the plugin's module name on that service. It never holds credentials.
type Microservice struct {
	Server  MicroserviceServer `json:"server"`
	Service NamedEntity        `json:"service"`
	Plugin  NamedEntity        `json:"plugin"`
}

// MicroserviceServer names the resource of a plugin service.
type MicroserviceServer struct {
	Resource NamedEntity `json:"resource"`
}

// NamedEntity is Tracardi's {"id", "name"} reference.
type NamedEntity struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Complete returns p with Spec.Init and Spec.Form made from Spec.Config
// when they are empty. The registry completes every plugin it installs;
// tools that read a register function's record directly call it too.
func Complete(p Plugin) Plugin {
	if c := p.Spec.Config; c != nil {
		if p.Spec.Init == nil {
			p.Spec.Init = c.Init()
		}
		if p.Spec.Form == nil {
			p.Spec.Form = c.Form()
		}
	}
	return p
}

// PluginID returns Spec.ID, or Module when ID is empty.
func (s *Spec) PluginID() string {
	if s.ID != "" {
		return s.ID
	}
	return s.Module
}

// RunOnce makes a node run only when a watched value changed.
type RunOnce struct {
	Enabled bool   `json:"enabled"`
	Type    string `json:"type"` // value | condition
	Value   string `json:"value"`
	TTL     int    `json:"ttl"`
}

// NodeEvents are editor hooks.
type NodeEvents struct {
	OnCreate string `json:"on_create,omitempty"`
	OnRemove string `json:"on_remove,omitempty"`
}

// MetaData describes the plugin to people: palette, node and docs.
type MetaData struct {
	Name string `json:"name"`
	Desc string `json:"desc"`
	// Group lists the palette groups the plugin shows in.
	Group []string `json:"group"`
	Brand string   `json:"brand,omitempty"`
	// Type is the editor's node shape: flowNode, startNode or condNode.
	Type          string            `json:"type"`
	Width         int               `json:"width,omitempty"`
	Height        int               `json:"height,omitempty"`
	Icon          string            `json:"icon"`
	Keywords      []string          `json:"keywords,omitempty"`
	Tags          []string          `json:"tags"`
	Purpose       []string          `json:"purpose"`
	Documentation *Documentation    `json:"documentation"`
	Pro           bool              `json:"pro"`
	Commercial    bool              `json:"commercial"`
	Remote        bool              `json:"remote"`
	Frontend      bool              `json:"frontend"`
	EmitsEvent    map[string]string `json:"emits_event,omitempty"`
}

// Documentation documents the plugin and each of its ports.
type Documentation struct {
	Tutorial string             `json:"tutorial,omitempty"`
	Inputs   map[string]PortDoc `json:"inputs"`
	Outputs  map[string]PortDoc `json:"outputs"`
}

// PortDoc documents one port.
type PortDoc struct {
	Desc string `json:"desc"`
}

// Form is the configuration form the editor renders for a node.
type Form struct {
	Title   string      `json:"title,omitempty"`
	Submit  string      `json:"submit,omitempty"`
	Default Config      `json:"default,omitempty"`
	Groups  []FormGroup `json:"groups"`
}

// FormGroup is a titled group of form fields.
type FormGroup struct {
	Name        string      `json:"name,omitempty"`
	Description string      `json:"description,omitempty"`
	Fields      []FormField `json:"fields"`
}

// FormField is one form field. ID is a dot path into the node's config.
type FormField struct {
	ID          string               `json:"id"`
	Name        string               `json:"name"`
	Description string               `json:"description,omitempty"`
	Component   FormComponent        `json:"component"`
	Validation  *FormFieldValidation `json:"validation,omitempty"`
	Required    bool                 `json:"required,omitempty"`
}

// FormComponent says how a field is edited: its type (text, textarea,
// dotPath, select, bool, json, keyValueList, resource, listOfDotPaths, ...)
// and the component's props (e.g. "items" for select, "tag" for resource).
type FormComponent struct {
	Type  string         `json:"type"`
	Props map[string]any `json:"props,omitempty"`
}

// FormFieldValidation is a regular expression a text field must match.
type FormFieldValidation struct {
	Regex   string `json:"regex"`
	Message string `json:"message"`
}

// Documented returns port documentation from pairs of port and description:
//
//	plugin.Documented(
//		plugin.Ports{"payload": "Any JSON object."},
//		plugin.Ports{"true": "When the condition is met.", "false": "Otherwise."})
func Documented(inputs, outputs Ports) *Documentation {
	d := &Documentation{Inputs: map[string]PortDoc{}, Outputs: map[string]PortDoc{}}
	for k, v := range inputs {
		d.Inputs[k] = PortDoc{Desc: v}
	}
	for k, v := range outputs {
		d.Outputs[k] = PortDoc{Desc: v}
	}
	return d
}

// Ports maps port names to their descriptions, for Documented.
type Ports map[string]string
