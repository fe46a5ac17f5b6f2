// Package remote runs plugins in another process, reached over HTTP: a
// plugin service answers three calls (GET /plugins, POST /plugin/validate,
// POST /plugin/run; the wire format is in docs/remote-plugins.md) and
// Tracflow installs the plugins it announces next to its built-ins.
//
// The service side is NewHandler: it serves any list of SDK plugins, so a
// plugin written for Tracflow's SDK runs remotely without a change:
//
//	h, err := remote.NewHandler(myplugins.Installed(), remote.HandlerOptions{Token: os.Getenv("TOKEN")})
//	...
//	http.ListenAndServe(":8686", h)
//
// The engine side is Service (the calls), ResourceType (the "microservice"
// resource that holds a service's address, token and timeout) and Bind,
// which turns a plugin record a service announced into one the engine can
// install: its action calls the service on every run, with the run state
// the wire format lists, and applies the answer.
package remote
