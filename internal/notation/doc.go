// Package notation implements Tracflow's dot notation: references into the
// data a workflow node can reach, text templates and object templates.
//
// # References
//
// A reference is written source@path. The source is one of
//
//	payload  the node's input payload
//	event    the event being processed
//	profile  the profile of the event (absent for profile-less events)
//	session  the session of the event
//	flow     the running flow: id, name, description (read-only)
//	memory   values shared by all nodes of one flow run
//
// The path is a list of keys separated by dots: profile@traits.address.town.
// A numeric segment indexes a list (payload@items.0.sku); in an object it is
// an ordinary key. A key holding a dot, a space or another special character
// is written in brackets and double quotes: profile@traits["e-mail.work"];
// items[0] is the same as items.0. "profile@", "profile@." and "profile@..."
// mean the whole profile.
//
// A config string that does not start with a known source and "@" is a
// literal, so the same field can hold a constant or a reference.
//
// Reading a missing key, an index out of range or a path through a scalar
// fails with an error wrapping ErrMissing that names the path, for example
// `profile@traits.age: key "age" not found`; a stored null reads as null.
// Writing creates missing objects on the way, appends to a list when the
// index equals its length, and fails for flow@.
//
// # Casting
//
// A value written in backticks is resolved and then cast: "`true`" is the
// boolean true, "`null`" and "`none`" are null, "`42`" and "`1.5`" are
// numbers, and "`payload@count`" reads the payload and casts a string found
// there the same way.
//
// # Text templates
//
// A text template holds {{ reference }} placeholders:
//
//	Hello {{ profile@data.pii.firstname }}, you have {{ payload@count }} points.
//
// Strings are inserted as they are, numbers in their shortest form (3, 1.5),
// booleans as true/false, objects and lists as compact JSON, and null or
// missing values as nothing.
//
// # Object templates (reshape)
//
// An object template is JSON whose string leaves are references or
// literals:
//
//	{"name": "profile@data.pii.firstname", "source": "web", "email?": "profile@data.contact.email.main"}
//
// Each reference is replaced by the value it points to; a missing one gives
// null. A key ending in "?" is written without the "?" and left out when its
// value is missing, null, "", an empty list or an empty object.
package notation
