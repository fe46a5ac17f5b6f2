package api

// Param is a query parameter of a route, for the API document.
type Param struct {
	Name        string
	Type        string // string (default), sInt, sBool
	Description string
	Required    bool
}

// Answer is a route's successful answer, for the API document.
type Answer struct {
	Status      int            // default 200
	ContentType string         // default application/json
	Schema      map[string]any // a JSON Schema, usually ref(name) of a component schema
	Description string
}

// The query parameters routes share.
var (
	limitParam  = Param{Name: "limit", Type: "integer", Description: "How many to answer at most (1 to 10000)."}
	offsetParam = Param{Name: "offset", Type: "integer", Description: "How many to skip first."}
	queryParam  = Param{Name: "query", Description: "Words to look for; case does not matter."}
	tagParam    = Param{Name: "tag", Description: "Only those with this tag."}
	setParam    = Param{Name: "set", Description: "The credential set: production (the default) or test."}
	pageParams  = []Param{limitParam, offsetParam}
)

// jsonAnswer is a JSON answer with a component schema.
func jsonAnswer(schema string) *Answer { return &Answer{Schema: ref(schema)} }

// Schema constructors (the OpenAPI 3.0 dialect of JSON Schema).
func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func object(required []string, props map[string]any) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func listOf(items map[string]any) map[string]any {
	return map[string]any{"type": "array", "items": items}
}

func typed(t, desc string) map[string]any {
	m := map[string]any{"type": t}
	if desc != "" {
		m["description"] = desc
	}
	return m
}

func withDesc(m map[string]any, desc string) map[string]any {
	out := map[string]any{"description": desc}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func nullable(m map[string]any) map[string]any {
	out := map[string]any{"nullable": true}
	for k, v := range m {
		out[k] = v
	}
	return out
}

var (
	sStr     = typed("string", "")
	sInt     = typed("integer", "")
	sNum     = typed("number", "")
	sBool    = typed("boolean", "")
	sObj     = typed("object", "")
	sStrList = listOf(sStr)
	sAnyList = map[string]any{"type": "array", "items": map[string]any{}}
	sIDRef   = object([]string{"id"}, map[string]any{"id": sStr})
	sNamed   = object([]string{"id"}, map[string]any{"id": sStr, "name": sStr})
	// sVersion is the optimistic-concurrency counter of configuration
	// documents (absent on documents saved before it existed).
	sVersion = typed("integer", "The document's version; send it back on save to detect concurrent changes.")
)

// pageOf is the {total, result} answer of list routes.
func pageOf(item string) map[string]any {
	return object([]string{"total", "result"}, map[string]any{
		"total":    typed("integer", "How many match in all (result is one page of them)."),
		"result":   listOf(ref(item)),
		"warnings": sStrList,
	})
}

// componentSchemas are the domain types of the API document.
func componentSchemas() map[string]any {
	return map[string]any{
		"Error":  errorSchema,
		"Detail": object([]string{"detail"}, map[string]any{"detail": sStr}),
		"Status": object([]string{"status"}, map[string]any{"status": sStr}),
		"Deleted": object([]string{"id", "deleted"}, map[string]any{"id": sStr, "deleted": sBool,
			"events": sInt, "sessions": sInt, "rules_deleted": sInt}),
		"Token": object([]string{"access_token", "token_type", "expires_in", "roles"}, map[string]any{
			"access_token": sStr, "token_type": typed("string", "always bearer"), "expires_in": typed("integer", "seconds"), "roles": sStrList}),
		"Profile": object([]string{"id"}, map[string]any{
			"id": sStr, "primary_id": nullable(sStr), "ids": withDesc(sStrList, "Aliases: ids of profiles merged into this one."),
			"metadata": sObj, "operation": sObj,
			"stats":  object(nil, map[string]any{"visits": sNum, "views": sNum, "counters": sObj}),
			"traits": sObj, "segments": sAnyList, "interests": sObj, "consents": sObj,
			"active": sBool, "aux": sObj, "data": sObj,
		}),
		"Session": object([]string{"id"}, map[string]any{
			"id": sStr, "profile": nullable(sIDRef), "metadata": sObj, "operation": sObj,
			"device": sObj, "os": sObj, "app": sObj, "utm": sObj,
			"context": sObj, "properties": sObj, "traits": sObj,
		}),
		"Event": object([]string{"id", "type"}, map[string]any{
			"id": sStr, "type": sStr, "name": sStr, "source": sIDRef, "session": nullable(sObj), "profile": nullable(sIDRef),
			"properties": sObj, "context": sObj, "traits": sObj, "options": sObj, "request": sObj,
			"tags": sAnyList, "metadata": sObj,
		}),
		"FlowMetadata": object([]string{"id"}, map[string]any{
			"id": sStr, "name": sStr, "description": sStr, "tags": sStrList, "type": sStr, "lock": sBool,
			"created": sStr, "draft_updated": nullable(sStr), "production_updated": nullable(sStr), "version": sVersion,
			"status": map[string]any{"type": "string", "enum": []string{"draft", "deployed", "changed"},
				"description": "draft: never deployed; deployed: production runs the draft's graph; changed: the draft differs from production"},
		}),
		"Flow": object([]string{"id", "flowGraph"}, map[string]any{
			"id": sStr, "name": sStr, "description": sStr, "tags": sStrList, "type": sStr, "lock": sBool, "version": sVersion,
			"status": sStr, "flowGraph": object([]string{"nodes", "edges"}, map[string]any{"nodes": listOf(sObj), "edges": listOf(sObj)}),
		}),
		"Rule": object([]string{"id"}, map[string]any{
			"id": sStr, "name": sStr, "description": sStr, "type": sStr, "enabled": sBool, "tags": sStrList,
			"event_type": sNamed, "source": sNamed, "flow": sNamed, "version": sVersion,
		}),
		"Source": object([]string{"id"}, map[string]any{
			"id": sStr, "name": sStr, "description": sStr, "type": sStrList, "enabled": sBool, "tags": sStrList,
			"timestamp": sStr, "version": sVersion,
		}),
		"Resource": object([]string{"id"}, map[string]any{
			"id": sStr, "name": sStr, "type": sStr, "enabled": sBool, "tags": sStrList, "version": sVersion,
			"credentials": object(nil, map[string]any{"production": sObj, "test": sObj}),
		}),
		"User": object([]string{"id", "email", "roles"}, map[string]any{
			"id": typed("string", "The e-mail."), "email": sStr, "full_name": sStr, "roles": sStrList, "disabled": sBool, "version": sVersion,
		}),
		"Plugin": object([]string{"id", "plugin", "settings"}, map[string]any{
			"id": sStr,
			"plugin": object([]string{"spec", "metadata"}, map[string]any{
				"start": sBool, "debug": sBool, "spec": sObj, "metadata": sObj}),
			"settings": object(nil, map[string]any{"enabled": sBool, "hidden": sBool}),
		}),
		"Palette": object([]string{"total", "grouped"}, map[string]any{
			"total":   sInt,
			"grouped": map[string]any{"type": "object", "description": "Plugins by palette group.", "additionalProperties": listOf(ref("Plugin"))},
		}),
		"Reinstall":       object([]string{"registered", "error"}, map[string]any{"registered": sStrList, "error": sAnyList}),
		"ValidatedConfig": object([]string{"config"}, map[string]any{"config": sObj}),
		"TrackAnswer": object([]string{"profile", "session", "ux", "response"}, map[string]any{
			"profile":  nullable(sIDRef),
			"session":  sIDRef,
			"ux":       listOf(object([]string{"tag"}, map[string]any{"tag": sStr, "props": sObj, "content": nullable(sStr)})),
			"response": typed("object", "What the flows answered, merged."),
			"errors":   sStrList, "warnings": sStrList, "task": sStr,
			"events": withDesc(sStrList, "The stored events' ids, when the request asked for debug."),
		}),
		"DebugRun": object([]string{"debugInfo", "errors"}, map[string]any{
			"logs": sAnyList, "debugInfo": sObj, "ux": sAnyList, "response": sObj,
			"profile": nullable(sObj), "session": nullable(sObj), "event": nullable(sObj),
			"errors": sAnyList, "stopped": sBool, "profileUpdated": sBool, "sessionUpdated": sBool,
		}),
		"Saved":    object([]string{"id", "saved"}, map[string]any{"id": sStr, "saved": sBool}),
		"Deployed": object([]string{"id", "deployed"}, map[string]any{"id": sStr, "deployed": sBool}),
		"Imported": object([]string{"id", "imported"}, map[string]any{"id": sStr, "name": sStr, "imported": sBool, "warnings": sAnyList}),
		"Histogram": object([]string{"interval", "from", "to", "total", "buckets"}, map[string]any{
			"interval": sStr, "from": sStr, "to": sStr, "total": sInt, "warnings": sStrList,
			"buckets": listOf(object([]string{"time", "count"}, map[string]any{"time": sStr, "count": sInt})),
		}),
		"ProfilePage":  pageOf("Profile"),
		"SessionPage":  pageOf("Session"),
		"EventPage":    pageOf("Event"),
		"FlowPage":     pageOf("FlowMetadata"),
		"RulePage":     pageOf("Rule"),
		"SourcePage":   pageOf("Source"),
		"ResourcePage": pageOf("Resource"),
		"ResourceType": object([]string{"type", "name", "tags", "fields", "form", "init"}, map[string]any{
			"type": sStr, "name": sStr, "description": sStr, "tags": sStrList, "testable": sBool,
			"fields": listOf(object([]string{"id", "name", "type"}, map[string]any{
				"id": sStr, "name": sStr, "type": sStr, "description": sStr, "required": sBool, "secret": sBool, "default": map[string]any{},
				"options": sAnyList})),
			"form": sObj, "init": sObj,
		}),
		"ResourceTypeList": object([]string{"total", "result"}, map[string]any{"total": sInt, "result": listOf(ref("ResourceType"))}),
		"ConnectionTest": object([]string{"ok", "message", "set"}, map[string]any{
			"ok": sBool, "message": sStr, "set": sStr, "type": sStr, "took_ms": sInt}),
		"UserPage": pageOf("User"),
		"Destination": object([]string{"id", "name", "destination"}, map[string]any{
			"id": sStr, "name": sStr, "description": sStr, "enabled": sBool, "tags": sStrList, "version": sVersion,
			"destination": object([]string{"package", "init"}, map[string]any{"package": typed("string", "webhook"), "init": sObj}),
			"resource":    nullable(sObj), "condition": sStr, "mapping": map[string]any{"description": "An object template (values may be references such as profile@traits.email), or a reference."},
			"on_profile_change_only": sBool, "event_type": map[string]any{"description": "{id}, a string, or a list of them; empty: every type."},
			"source": map[string]any{"description": "{id} or a string; empty: every source."}, "max_attempts": sInt,
		}),
		"DestinationPage": pageOf("Destination"),
		"Delivery": object([]string{"id", "destination_id", "status", "attempts"}, map[string]any{
			"id": typed("string", "The delivery's idempotency key (the Idempotency-Key header)."), "destination_id": sStr,
			"profile_id": sStr, "event_id": sStr, "event_type": sStr, "job_id": sInt,
			"status": typed("string", "retrying, delivered, dead, cancelled or queued"), "attempts": sInt, "max_attempts": sInt,
			"http_status": sInt, "last_error": sStr, "latency_ms": sInt, "created": sStr, "updated": sStr,
		}),
		"DeliveryPage": pageOf("Delivery"),
		"Job": object([]string{"id", "kind", "state", "attempt"}, map[string]any{
			"id": sInt, "kind": sStr, "state": sStr, "key": sStr, "args": map[string]any{"description": "The job's arguments (JSON)."},
			"attempt": sInt, "max_attempts": sInt,
			"errors":     listOf(object([]string{"attempt", "at", "error"}, map[string]any{"attempt": sInt, "at": sStr, "error": sStr})),
			"created_at": sStr, "scheduled_at": sStr, "attempted_at": nullable(sStr), "finalized_at": nullable(sStr),
		}),
		"JobPage": object([]string{"result", "next", "counts"}, map[string]any{
			"result": listOf(ref("Job")), "next": typed("string", "The cursor of the next page (?after=); empty at the end."),
			"counts": listOf(object([]string{"kind", "state", "count"}, map[string]any{"kind": sStr, "state": sStr, "count": sInt})),
			"kinds":  sStrList,
		}),
		// Segments and consents.
		"Segment": object([]string{"id", "name", "condition"}, map[string]any{
			"id": typed("string", "The name kept in profiles' segments (the name's machine name unless given)."), "name": sStr, "description": sStr,
			"condition":  typed("string", "TQL over the profile, e.g. stats.visits > 3 (bare paths read the profile)."),
			"event_type": withDesc(sStrList, "Re-evaluate only after events of these types; empty: after every event."),
			"enabled":    sBool, "tags": sStrList, "machine_name": sStr, "version": sVersion,
		}),
		"SegmentPage": pageOf("Segment"),
		"SegmentSize": object([]string{"id", "total"}, map[string]any{"id": sStr, "total": sInt}),
		"SegmentsRefresh": object([]string{"state"}, map[string]any{
			"run": sStr, "state": typed("string", "never, running, done or failed"), "total": sInt, "done": sInt, "changed": sInt,
			"started": sStr, "updated": sStr, "finished": sStr, "error": sStr,
		}),
		"ConsentType": object([]string{"id", "name"}, map[string]any{
			"id": sStr, "name": sStr, "description": sStr, "revokable": sBool, "default_value": typed("string", "grant or deny"),
			"auto_revoke": typed("string", "How long a grant of a revokable consent lasts, e.g. 365d, 2w, 12h."),
			"enabled":     sBool, "required": sBool, "tags": sStrList, "version": sVersion,
		}),
		"ConsentTypePage": pageOf("ConsentType"),
		"ProfileConsents": object([]string{"profile_id", "consents", "result"}, map[string]any{
			"profile_id": sStr, "consents": withDesc(sObj, "The profile's consents as stored: {id: {revoke, granted, revoked}}."),
			"result": listOf(object([]string{"id", "held", "in_force"}, map[string]any{"id": sStr, "name": sStr, "revokable": sBool,
				"held": sBool, "in_force": sBool, "consent": sObj, "unknown_type": sBool})),
		}),
		"EventMapping":            eventMappingSchema,
		"EventMappingPage":        pageOf("EventMapping"),
		"IdentificationPoint":     identificationPointSchema,
		"IdentificationPointPage": pageOf("IdentificationPoint"),
		"EventTypeList":           object([]string{"total", "result"}, map[string]any{"total": sInt, "result": listOf(eventTypeSchema)}),
		"OpenAPI":                 object([]string{"openapi", "info", "paths"}, map[string]any{"openapi": sStr, "info": sObj, "paths": sObj}),
	}
}

// pageSchema names the page schema of each data kind's search.
var pageSchema = map[string]string{"profile": "ProfilePage", "event": "EventPage", "session": "SessionPage"}

// metricsContentType is what GET /metrics answers a scraper that asks for
// no particular format: Prometheus' text format, version 0.0.4.
const metricsContentType = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"
