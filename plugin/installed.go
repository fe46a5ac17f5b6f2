package plugin

// Installed is one entry of an installed-plugins list: the plugin's register
// function and the data its tests use. A Tracflow build installs such a list
// (package actions holds the built-in one).
type Installed struct {
	Register func() Plugin
	Test     TestData
}

// TestData is a minimal valid configuration for a plugin (and the resource it
// needs, if any). Tests set every installed plugin up with it, and the
// reference docs show it as the plugin's example.
type TestData struct {
	Init     Config         `json:"init"`
	Resource map[string]any `json:"resource,omitempty"`
}
