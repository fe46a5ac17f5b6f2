// Package actions is the list of built-in plugins Tracflow installs: the Go
// form of Tracardi's installed_plugins. Each entry is a plugin's register
// function and a minimal valid config its tests set it up with.
//
// To add a plugin, write its package under actions/<group>/ and add one line
// here.
package actions

import (
	"github.com/tracflow/tracflow/actions/connectors"
	"github.com/tracflow/tracflow/actions/consents"
	"github.com/tracflow/tracflow/actions/converters"
	"github.com/tracflow/tracflow/actions/data"
	"github.com/tracflow/tracflow/actions/databases"
	"github.com/tracflow/tracflow/actions/datetime"
	"github.com/tracflow/tracflow/actions/events"
	"github.com/tracflow/tracflow/actions/flow"
	"github.com/tracflow/tracflow/actions/flowcontrol"
	"github.com/tracflow/tracflow/actions/io"
	"github.com/tracflow/tracflow/actions/list"
	"github.com/tracflow/tracflow/actions/location"
	"github.com/tracflow/tracflow/actions/operations"
	"github.com/tracflow/tracflow/actions/parsers"
	"github.com/tracflow/tracflow/actions/queues"
	"github.com/tracflow/tracflow/actions/regex"
	"github.com/tracflow/tracflow/actions/reporting"
	"github.com/tracflow/tracflow/actions/saas"
	"github.com/tracflow/tracflow/actions/scrapper"
	"github.com/tracflow/tracflow/actions/segmentation"
	"github.com/tracflow/tracflow/actions/stats"
	"github.com/tracflow/tracflow/actions/text"
	"github.com/tracflow/tracflow/actions/ux"
	"github.com/tracflow/tracflow/plugin"
)

//go:generate go run ../internal/cmd/plugindocs -out ../docs/plugins

// Installed returns the built-in plugins, in palette order.
func Installed() []plugin.Installed {
	return []plugin.Installed{
		// Flow
		{Register: flow.RegisterStart, Test: plugin.TestData{Init: plugin.Config{"event_types": []any{}}}},
		{Register: flow.RegisterEnd},

		// Flow control
		{Register: flowcontrol.RegisterIf, Test: plugin.TestData{Init: plugin.Config{"condition": `event@type == "purchase"`}}},
		{Register: flowcontrol.RegisterDataExists, Test: plugin.TestData{Init: plugin.Config{"property": "profile@data.contact.email.main"}}},

		// Flow control: new visit/profile, condition sets, value change (Tracardi's test configs)
		{Register: flowcontrol.RegisterNewVisit},
		{Register: flowcontrol.RegisterNewProfile},
		{Register: flowcontrol.RegisterConditionSet, Test: plugin.TestData{Init: plugin.Config{"conditions": map[string]any{}}}},
		{Register: flowcontrol.RegisterAssignConditionResult, Test: plugin.TestData{Init: plugin.Config{"conditions": map[string]any{}}}},
		{Register: flowcontrol.RegisterThreshold, Test: plugin.TestData{Init: plugin.Config{"assign_to_profile": true, "name": "test", "ttl": 1800, "value": "1"}}},

		// Input/Output
		{Register: io.RegisterInject, Test: plugin.TestData{Init: plugin.Config{"value": `{"a": 1}`, "destination": "payload"}}},
		{Register: io.RegisterReshapePayload, Test: plugin.TestData{Init: plugin.Config{"value": `{"type": "event@type"}`, "default": true}}},

		// Input/Output: the event's source (plugin.Data)
		{Register: io.RegisterEventSource},

		// Data processing
		{Register: data.RegisterCopy, Test: plugin.TestData{Init: plugin.Config{"traits": map[string]any{"set": map[string]any{"profile@traits.city": "event@properties.city"}}}}},
		// Tracardi's own test config: bare keys are profile paths.
		{Register: data.RegisterAppendRemove, Test: plugin.TestData{Init: plugin.Config{
			"append": map[string]any{"target1": "source1", "target2": "source2"},
			"remove": map[string]any{"target1": "source1", "target2": "source2"},
		}}},
		{Register: data.RegisterDelete, Test: plugin.TestData{Init: plugin.Config{"delete": []any{"profile@traits.temporary"}}}},
		{Register: data.RegisterCutOut, Test: plugin.TestData{Init: plugin.Config{"trait": "event@properties", "key": ""}}},
		{Register: data.RegisterTemplate, Test: plugin.TestData{Init: plugin.Config{"template": "Hello {{ profile@data.pii.firstname }}"}}},
		{Register: data.RegisterResponse, Test: plugin.TestData{Init: plugin.Config{"key": "greeting", "body": `{"text": "hello"}`, "default": true}}},

		// Events and sessions: stored records through plugin.Data (Tracardi's test configs)
		{Register: events.RegisterInjectEvent, Test: plugin.TestData{Init: plugin.Config{"event_id": "abc"}}},
		{Register: events.RegisterPreviousEvent, Test: plugin.TestData{Init: plugin.Config{"event_type": map[string]any{"id": "@current", "name": "@current"}, "offset": -1}}},
		{Register: events.RegisterPreviousSession, Test: plugin.TestData{Init: plugin.Config{"offset": -1}}},

		// Stats
		{Register: stats.RegisterIncrement, Test: plugin.TestData{Init: plugin.Config{"field": "profile@stats.counters.visits", "increment": 1}}},
		{Register: stats.RegisterDecrement, Test: plugin.TestData{Init: plugin.Config{"field": "profile@stats.counters.credits", "decrement": 1}}},

		// Stats: counting stored records (plugin.Data; Tracardi's test config)
		{Register: stats.RegisterCountRecords, Test: plugin.TestData{Init: plugin.Config{"index": "None", "query": "", "time_range": "+1d"}}},

		// Operations
		{Register: operations.RegisterJoin, Test: plugin.TestData{Init: plugin.Config{"reshape": "{}", "default": true, "type": "dict"}}},
		{Register: operations.RegisterUpdateProfile},
		{Register: operations.RegisterDiscardProfileUpdate},

		// Operations: ids, collections, sorting, hashing, records (Tracardi's test configs)
		{Register: operations.RegisterGetIntegrationID, Test: plugin.TestData{Init: plugin.Config{"name": ""}}},
		{Register: operations.RegisterAddIntegrationID, Test: plugin.TestData{Init: plugin.Config{"id": "event@properties", "name": "", "data": "{}"}}},
		{Register: operations.RegisterMemoryCollect, Test: plugin.TestData{Init: plugin.Config{"name": "Test name", "type": "list"}}},
		{Register: operations.RegisterPasswordGenerator, Test: plugin.TestData{Init: plugin.Config{"lowercase": 4, "max_length": 13, "min_length": 8, "special_characters": 2, "uppercase": 2}}},
		{Register: operations.RegisterSortDictionary, Test: plugin.TestData{Init: plugin.Config{"direction": "asc", "data": "data", "sort_by": "key"}}},
		{Register: operations.RegisterUUID4},
		{Register: operations.RegisterHashTraits, Test: plugin.TestData{Init: plugin.Config{"func": "md5", "traits": []any{}}}},
		{Register: operations.RegisterMaskTraits, Test: plugin.TestData{Init: plugin.Config{"traits": []any{}}}},
		{Register: operations.RegisterUpdateSession},
		{Register: operations.RegisterReduceArray, Test: plugin.TestData{Init: plugin.Config{"array": "payload@test"}}},
		{Register: operations.RegisterFieldType, Test: plugin.TestData{Init: plugin.Config{"field": "profile@id"}}},
		{Register: operations.RegisterAddEmptyProfile, Test: plugin.TestData{Init: plugin.Config{}}},
		{Register: operations.RegisterInjectProfileByField, Test: plugin.TestData{Init: plugin.Config{"field": "data.contact.email.main", "value": "test@test.com"}}},
		{Register: operations.RegisterMergeProfiles, Test: plugin.TestData{Init: plugin.Config{"mergeBy": []any{"profile@data.contact.email.main"}}}},
		{Register: operations.RegisterAddEmptySession},
		{Register: operations.RegisterSortArray, Test: plugin.TestData{Init: plugin.Config{"data": "event@properties.list_of_something", "direction": "asc"}}},
		// Connectors
		{Register: connectors.RegisterAPICall, Test: plugin.TestData{Init: connectors.APICallTestInit, Resource: map[string]any{"url": "http://localhost"}}},
		{Register: connectors.RegisterSMTPSend, Test: plugin.TestData{Init: connectors.SMTPTestInit(), Resource: map[string]any{"smtp": "a", "port": 1, "username": "u", "password": "p"}}},
		{Register: connectors.RegisterSlackPost, Test: plugin.TestData{Init: connectors.SlackTestInit, Resource: map[string]any{"token": "abc"}}},
		{Register: connectors.RegisterHTMLFetch, Test: plugin.TestData{Init: plugin.Config{"body": "", "cookies": map[string]any{}, "headers": map[string]any{}, "method": "get", "ssl_check": true, "timeout": 30, "url": "http://localhost"}}},
		{Register: connectors.RegisterDiscordPush, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "id", "name": "name"}, "message": "message", "timeout": 10, "username": "test"}, Resource: map[string]any{"url": "http://webhook_url"}}},
		{Register: connectors.RegisterClickSendSMS, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "1", "name": "1"}, "message": "text", "recipient": "a", "sender": "b"}, Resource: map[string]any{"api_key": "api_key", "username": "username"}}},
		{Register: connectors.RegisterGitHubListIssues, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "", "name": ""}, "timeout": 10, "owner": "tracardi", "repo": "tracardi"}, Resource: map[string]any{"api_url": "https://api.github.com", "personal_access_token": "<your-PAT-here>"}}},
		{Register: connectors.RegisterGitHubGetIssue, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "", "name": ""}, "timeout": 10, "owner": "tracardi", "repo": "tracardi", "issue_id": "1"}, Resource: map[string]any{"api_url": "https://api.github.com", "personal_access_token": "<your-PAT-here>"}}},
		{Register: connectors.RegisterOAuth2Token, Test: plugin.TestData{Init: plugin.Config{"destination": "payload@dest", "source": map[string]any{"id": "1", "name": "Some value"}}, Resource: map[string]any{"url": "http://url", "token": "abc"}}},
		{Register: connectors.RegisterWhois, Test: plugin.TestData{Init: plugin.Config{"domain": "some.com"}}},
		{Register: connectors.RegisterWeather, Test: plugin.TestData{Init: plugin.Config{"city": "London", "system": "C"}}},
		{Register: connectors.RegisterGoogleAnalytics, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "id", "name": "name"}, "category": "category", "action": "action", "label": "label", "value": "value"}, Resource: map[string]any{"google_analytics_id": "google_analytics_id"}}},
		{Register: connectors.RegisterGoogleAnalytics4, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "id", "name": "name"}, "name": "event_name", "params": "payload@id"}, Resource: map[string]any{"api_key": "api_key", "measurement_id": "measurement_id"}}},
		{Register: connectors.RegisterTweet, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "1", "name": "1"}, "tweet": "tweet"}, Resource: map[string]any{"api_key": "<api_key", "api_secret": "<api_secret>", "access_token": "<access_token>", "access_token_secret": "<access_token_secret>"}}},
		{Register: connectors.RegisterGhost, Test: plugin.TestData{Init: plugin.Config{"uuid": ""}, Resource: map[string]any{"api_url": "<api-url>", "api_key": "<api-key>"}}},
		{Register: connectors.RegisterPushover, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "", "name": ""}, "message": "test"}, Resource: map[string]any{"token": "<token>", "user": "<user>"}}},
		{Register: connectors.RegisterZapierWebhook, Test: plugin.TestData{Init: plugin.Config{"url": "http://test.com", "body": "{}", "timeout": 30}}},
		{Register: connectors.RegisterSendGridEmail, Test: plugin.TestData{Init: plugin.Config{"message": map[string]any{"content": map[string]any{"content": "", "type": "text/plain"}, "recipient": "test@rest.co", "subject": "subject"}, "sender_email": "test@rest.co", "source": map[string]any{"id": "1", "name": "1"}}, Resource: map[string]any{"token": "<token>"}}},
		{Register: connectors.RegisterSendGridContact, Test: plugin.TestData{Init: plugin.Config{"additional_mapping": map[string]any{}, "list_ids": "a,b", "email": "test@rest.co", "source": map[string]any{"id": "1", "name": "1"}}, Resource: map[string]any{"token": "<token>"}}},
		{Register: connectors.RegisterSendGridSuppress, Test: plugin.TestData{Init: plugin.Config{"email": "test@rest.co", "source": map[string]any{"id": "1", "name": "1"}}, Resource: map[string]any{"token": "<token>"}}},
		{Register: connectors.RegisterSms77SMS, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "1", "name": "1"}, "message": "text", "recipient": "a", "sender": "b"}, Resource: map[string]any{"api_key": "api_key"}}},
		{Register: connectors.RegisterFullContactEnrich, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "1", "name": "2"}, "pii": map[string]any{}}, Resource: map[string]any{"token": "token"}}},
		{Register: connectors.RegisterAirtableSend, Test: plugin.TestData{Init: plugin.Config{"base_id": 1, "mapping": map[string]any{}, "source": map[string]any{"id": "1", "name": "Some value"}, "table_name": "None"}, Resource: map[string]any{"api_key": "<your-api-key>"}}},
		{Register: connectors.RegisterAirtableFetch, Test: plugin.TestData{Init: plugin.Config{"base_id": 1, "formula": "None", "source": map[string]any{"id": "1", "name": "Some value"}, "table_name": "None"}, Resource: map[string]any{"api_key": "<your-api-key>"}}},
		{Register: connectors.RegisterPostgreSQLQuery, Test: plugin.TestData{Init: plugin.Config{"query": "select 1", "source": map[string]any{"id": "1", "name": "Some value"}, "timeout": 20}, Resource: map[string]any{"host": "", "database": "database", "user": "user", "password": "password"}}},
		{Register: connectors.RegisterTelegramPost, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "id", "name": "name"}, "message": "test"}, Resource: map[string]any{"bot_token": "bot_token", "chat_id": 100}}},
		// Remote plugins and the rest of Tracardi's default connectors
		{Register: connectors.RegisterMicroservice, Test: plugin.TestData{Init: plugin.Config{}}},
		{Register: connectors.RegisterElasticQuery, Test: plugin.TestData{Init: plugin.Config{"index": map[string]any{"id": "1", "name": "Some value"}, "query": `{"query":{"match_all":{}}}`, "source": map[string]any{"id": "1", "name": "Some value"}}, Resource: map[string]any{"url": "host", "port": 9200, "scheme": "https", "verify_certs": false}}},
		{Register: connectors.RegisterQueryLocal, Test: plugin.TestData{Init: plugin.Config{"index": "index", "query": `{"query":{"match_all":{}}}`}}},
		{Register: connectors.RegisterGoogleSheets, Test: plugin.TestData{Init: plugin.Config{"range": "A1:A2", "read": false, "sheet_name": "sheet", "source": map[string]any{"id": "1", "name": "Some value"}, "spreadsheet_id": "1", "values": `[["Name", "John"]]`, "write": false}, Resource: map[string]any{"api_key": "api_key"}}},
		{Register: connectors.RegisterS3SegmentsUpload, Test: plugin.TestData{Init: plugin.Config{"aws_access_key_id": "", "aws_secret_access_key": "", "s3_bucket": ""}}},

		// SaaS connectors installed on demand in Tracardi (Tracardi's test configs)
		{Register: saas.RegisterMauticAddContact, Test: plugin.TestData{Init: plugin.Config{"additional_mapping": map[string]any{}, "email": "test@test.com", "overwrite_with_blank": false, "source": map[string]any{"id": "1", "name": "Some value"}}, Resource: saas.MauticTestResource}},
		{Register: saas.RegisterMauticFetchByID, Test: plugin.TestData{Init: plugin.Config{"contact_id": "1", "source": map[string]any{"id": "None", "name": "None"}}, Resource: saas.MauticTestResource}},
		{Register: saas.RegisterMauticFetchByEmail, Test: plugin.TestData{Init: plugin.Config{"contact_email": "test@test.com", "source": map[string]any{"id": "None", "name": "None"}}, Resource: saas.MauticTestResource}},
		{Register: saas.RegisterMauticEditPoints, Test: plugin.TestData{Init: plugin.Config{"action": "add", "contact_id": "1", "points": 1, "source": map[string]any{"id": "1", "name": "Some value"}}, Resource: saas.MauticTestResource}},
		{Register: saas.RegisterMauticSegment, Test: plugin.TestData{Init: plugin.Config{"action": "add", "contact_id": "1", "segment": "None", "source": map[string]any{"id": "None", "name": "None"}}, Resource: saas.MauticTestResource}},
		{Register: saas.RegisterHubSpotAddCompany, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "1", "name": "1"}, "properties": map[string]any{}}, Resource: saas.HubSpotTestResource}},
		{Register: saas.RegisterHubSpotAddContact, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "", "name": ""}, "properties": []any{}}, Resource: saas.HubSpotTestResource}},
		{Register: saas.RegisterHubSpotGetCompany, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "", "name": ""}, "company_id": "1"}, Resource: saas.HubSpotTestResource}},
		{Register: saas.RegisterHubSpotGetContact, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "", "name": ""}, "contact_id": "1"}, Resource: saas.HubSpotTestResource}},
		{Register: saas.RegisterHubSpotUpdateCompany, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "", "name": ""}, "company_id": "1", "properties": map[string]any{}}, Resource: saas.HubSpotTestResource}},
		{Register: saas.RegisterHubSpotUpdateContact, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "", "name": ""}, "contact_id": "1", "properties": map[string]any{}}, Resource: saas.HubSpotTestResource}},
		{Register: saas.RegisterMailchimpAddToAudience, Test: plugin.TestData{Init: plugin.Config{"email": "email@email.com", "list_id": "1", "merge_fields": map[string]any{}, "source": map[string]any{"id": "1", "name": "test"}, "subscribed": false, "update": false}, Resource: saas.MailchimpTestResource}},
		{Register: saas.RegisterMailchimpRemoveFromAudience, Test: plugin.TestData{Init: plugin.Config{"delete": false, "email": "test@test.com", "list_id": "None", "source": map[string]any{"id": "None", "name": "None"}}, Resource: saas.MailchimpTestResource}},
		{Register: saas.RegisterMailchimpTagContact, Test: plugin.TestData{Init: plugin.Config{"tags": "test", "email": "test@test.com", "list_id": "None", "source": map[string]any{"id": "None", "name": "None"}}, Resource: saas.MailchimpTestResource}},
		{Register: saas.RegisterMailchimpSendEmail, Test: plugin.TestData{Init: plugin.Config{"message": map[string]any{"content": map[string]any{"content": "None", "type": "text/html"}, "recipient": "test@test.com", "subject": "None"}, "sender_email": "test@test.com", "source": map[string]any{"id": "1", "name": "Some value"}}, Resource: saas.MailchimpTestResource}},
		{Register: saas.RegisterElasticEmailAddContact, Test: plugin.TestData{Init: plugin.Config{"additional_mapping": map[string]any{}, "email": "abc@test.com", "source": map[string]any{"id": "1", "name": "1"}}, Resource: saas.ElasticEmailTestResource}},
		{Register: saas.RegisterElasticEmailStatus, Test: plugin.TestData{Init: plugin.Config{"email": "test@rest.co", "status": "status", "source": map[string]any{"id": "1", "name": "1"}}, Resource: saas.ElasticEmailTestResource}},
		{Register: saas.RegisterElasticEmailTransactional, Test: plugin.TestData{Init: plugin.Config{"message": map[string]any{"content": map[string]any{"content": "", "type": "text/plain"}, "recipient": "test@rest.co", "subject": "subject"}, "sender_email": "test@rest.co", "source": map[string]any{"id": "1", "name": "1"}}, Resource: saas.ElasticEmailTestResource}},
		{Register: saas.RegisterElasticEmailBulk, Test: plugin.TestData{Init: plugin.Config{"message": map[string]any{"content": map[string]any{"content": "", "type": "text/plain"}, "recipient": "test@rest.co", "subject": "subject"}, "sender_email": "test@rest.co", "source": map[string]any{"id": "1", "name": "1"}}, Resource: saas.ElasticEmailTestResource}},
		{Register: saas.RegisterMeaningCloudSentiment, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "", "name": ""}, "language": "en", "text": "text"}, Resource: saas.MeaningCloudTestResource}},
		{Register: saas.RegisterMeaningCloudLanguage, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "", "name": ""}, "message": "Hello world", "timeout": 15}, Resource: saas.MeaningCloudTestResource}},
		{Register: saas.RegisterMeaningCloudClassification, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "", "name": ""}, "language": "en", "model": "social", "title": "title", "text": "text"}, Resource: saas.MeaningCloudTestResource}},
		{Register: saas.RegisterMeaningCloudReputation, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"name": "Test", "id": "1"}, "text": "text", "lang": "auto", "focus": "focus", "company_type": "type", "relaxed_typography": false}, Resource: saas.MeaningCloudTestResource}},
		{Register: saas.RegisterMeaningCloudTopics, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"name": "test", "id": "1"}, "text": "test", "lang": "auto"}, Resource: saas.MeaningCloudTestResource}},
		{Register: saas.RegisterMeaningCloudSummarization, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"name": "Test", "id": "1"}, "text": "text", "lang": "auto", "sentences": "2"}, Resource: saas.MeaningCloudTestResource}},
		{Register: saas.RegisterMeaningCloudDeepCategorization, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"name": "Test", "id": "1"}, "text": "Text", "model": "IAB_2.0-tier3"}, Resource: saas.MeaningCloudTestResource}},
		{Register: saas.RegisterActiveCampaignFetch, Test: plugin.TestData{Init: plugin.Config{"email": "some@email.com", "source": map[string]any{"id": "", "name": ""}}, Resource: saas.ActiveCampaignTestResource}},
		{Register: saas.RegisterActiveCampaignAddContact, Test: plugin.TestData{Init: plugin.Config{"fields": map[string]any{}, "source": map[string]any{"id": "1", "name": "1"}}, Resource: saas.ActiveCampaignTestResource}},
		{Register: saas.RegisterCiviAddContact, Test: plugin.TestData{Init: plugin.Config{"contact_type": "Individual", "fields": map[string]any{}, "source": map[string]any{"id": "", "name": ""}}, Resource: saas.CiviCRMTestResource}},
		{Register: saas.RegisterAmplitudeSend, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "1", "name": "1"}}, Resource: saas.AmplitudeTestResource}},
		{Register: saas.RegisterMixpanelSend, Test: plugin.TestData{Init: plugin.Config{"mapping": map[string]any{}, "source": map[string]any{"id": "1", "name": "Some value"}}, Resource: saas.MixpanelTestResource}},
		{Register: saas.RegisterMixpanelFunnel, Test: plugin.TestData{Init: plugin.Config{"from_date": "2000-01-01", "funnel_id": 1, "project_id": 1, "source": map[string]any{"id": "1", "name": "Some value"}, "to_date": "2000-01-01"}, Resource: saas.MixpanelTestResource}},
		{Register: saas.RegisterMatomoSend, Test: plugin.TestData{Init: plugin.Config{"dimensions": map[string]any{}, "goal_id": "None", "rck": "session@context.utm.term", "rcn": "session@context.utm.campaign", "revenue": nil, "search_category": nil, "search_keyword": nil, "search_results_count": nil, "site_id": 1, "source": map[string]any{"id": "1", "name": "Some value"}, "url_ref": "event@context.page.referer.host"}, Resource: saas.MatomoTestResource}},
		{Register: saas.RegisterNovuTrigger, Test: plugin.TestData{Init: plugin.Config{"payload": "{}", "recipient_email": "profile@data.contact.email.main", "source": map[string]any{"id": "", "name": ""}, "subscriber_id": "profile@id", "template": map[string]any{"id": "", "name": ""}}, Resource: saas.NovuTestResource}},
		{Register: saas.RegisterSalesforceSend, Test: plugin.TestData{Init: plugin.Config{"extension_id": "1", "mapping": map[string]any{}, "source": map[string]any{"id": "", "name": ""}, "update": false}, Resource: saas.SalesforceTestResource}},
		// Databases, queues and memory: outside databases, message brokers
		// and the memory shared by all instances (Tracardi's test configs).
		{Register: databases.RegisterMySQLQuery, Test: plugin.TestData{Init: plugin.Config{"data": []any{}, "query": "SELECT 1", "source": map[string]any{"id": "", "name": ""}, "timeout": 10, "type": "select"}, Resource: map[string]any{"host": "localhost", "port": 3306, "user": "<username>", "password": "", "database": "<database>"}}},
		{Register: databases.RegisterMongoQuery, Test: plugin.TestData{Init: plugin.Config{"collection": map[string]any{"id": "1", "name": "1"}, "database": map[string]any{"id": "1", "name": "1"}, "query": "{}", "source": map[string]any{"id": "1", "name": "1"}}, Resource: map[string]any{"uri": "mongodb://127.0.0.1:27017/", "timeout": 5000}}},
		{Register: databases.RegisterInfluxSend, Test: plugin.TestData{Init: plugin.Config{"bucket": "bucket", "fields": map[string]any{}, "measurement": "measurement", "organization": "measurement", "source": map[string]any{"id": "1", "name": "Some value"}, "tags": map[string]any{}, "time": nil}, Resource: map[string]any{"url": "http://localhost:8086", "token": "<token>"}}},
		{Register: databases.RegisterInfluxFetch, Test: plugin.TestData{Init: plugin.Config{"aggregation": "abc", "bucket": "test", "filters": map[string]any{}, "organization": "test", "source": map[string]any{"id": "1", "name": "Some value"}, "start": "-15m", "stop": "0m"}, Resource: map[string]any{"url": "http://localhost:8086", "token": "<token>"}}},
		{Register: queues.RegisterRabbitMQPublish, Test: plugin.TestData{Init: plugin.Config{"queue": map[string]any{"auto_declare": true, "compression": nil, "name": "queue", "queue_type": "direct", "routing_key": "None", "serializer": "json"}, "source": map[string]any{"id": "", "name": ""}}, Resource: map[string]any{"uri": "amqp://localhost:5672/", "port": "5672", "timeout": "5", "virtual_host": ""}}},
		{Register: queues.RegisterMQTTPublish, Test: plugin.TestData{Init: plugin.Config{"payload": "{}", "qos": "0", "retain": false, "source": map[string]any{"id": "", "name": ""}, "topic": ""}, Resource: map[string]any{"url": "<url>", "port": 100, "username": "<username>", "password": "<password>"}}},
		{Register: queues.RegisterSQSSend, Test: plugin.TestData{Init: plugin.Config{"source": map[string]any{"id": "1", "name": "2"}, "message": map[string]any{"content": "sssssss", "type": "plain/text"}, "region_name": "", "queue_url": "http://test", "message_attributes": ""}, Resource: map[string]any{"aws_access_key_id": "str", "aws_secret_access_key": "str"}}},
		{Register: operations.RegisterWriteToMemory, Test: plugin.TestData{Init: plugin.Config{"key": "test-key", "ttl": 15, "value": "test-value"}, Resource: map[string]any{"url": "<url>", "user": "<user>", "password": "<password>"}}},
		{Register: operations.RegisterReadFromMemory, Test: plugin.TestData{Init: plugin.Config{"key": "test-key"}, Resource: map[string]any{"url": "<url>", "user": "<user>", "password": "<password>"}}},

		// Error reporting
		{Register: reporting.RegisterThrow, Test: plugin.TestData{Init: plugin.Config{"message": "Flow stopped due to error."}}},
		{Register: reporting.RegisterLog, Test: plugin.TestData{Init: plugin.Config{"type": "info", "message": "Event {{ event@id }}"}}},

		// UIX widgets: elements for the tracker's answer (Tracardi's test configs)
		{Register: ux.RegisterConsent, Test: plugin.TestData{Init: plugin.Config{"agree_all_event_type": "agree-all-event-type", "enabled": true, "endpoint": "http://localhost:8686",
			"event_type": "user-consent-pref", "expand_height": 400, "position": "bottom", "uix_source": "http://localhost:8686"}}},
		{Register: ux.RegisterCustomJS, Test: plugin.TestData{Init: plugin.Config{"attributes": "{}", "content": ""}}},
		// Pop-up widgets. Tracardi's test configs of these are commented out and
		// leave required texts as None, which its own checks refuse: the
		// same configs with those texts filled in.
		{Register: ux.RegisterContactPopup, Test: plugin.TestData{Init: plugin.Config{"api_url": "http://localhost:8686", "contact_type": "email", "content": "Leave us your e-mail", "dark_theme": false,
			"event_type": "contact-data", "horizontal_pos": "center", "save_event": true, "uix_source": "http://localhost:8686", "vertical_pos": "bottom"}}},
		{Register: ux.RegisterCTAMessage, Test: plugin.TestData{Init: plugin.Config{"border_radius": 2, "border_shadow": 1, "cancel_button": "", "cta_button": "Buy", "cta_link": "",
			"hide_after": 6000, "max_width": 500, "message": "Sale today", "min_width": 300, "position_x": "right", "position_y": "bottom", "title": "", "uix_mf_source": "http://localhost:8686"}}},
		{Register: ux.RegisterGeneric, Test: plugin.TestData{Init: plugin.Config{"props": map[string]any{}, "uix_source": "http://localhost:8686/uix/widget/index.js"}}},
		{Register: ux.RegisterQuestionPopup, Test: plugin.TestData{Init: plugin.Config{"api_url": "http://localhost:8686", "content": "Do you like it?", "dark_theme": false, "event_type": "question-answer",
			"horizontal_pos": "center", "left_button_text": "No", "popup_lifetime": "6", "popup_title": nil, "right_button_text": "Yes", "save_event": true, "uix_source": "http://localhost:8686", "vertical_pos": "bottom"}}},
		{Register: ux.RegisterRatingPopup, Test: plugin.TestData{Init: plugin.Config{"api_url": "http://localhost:8686", "dark_theme": false, "event_type": "rating",
			"horizontal_position": "center", "lifetime": "6", "message": "Rate us", "save_event": true, "title": nil, "uix_source": "http://localhost:8686", "vertical_position": "bottom"}}},
		{Register: ux.RegisterSnackbar, Test: plugin.TestData{Init: plugin.Config{"hide_after": 6000, "message": "Thank you", "position_x": "center", "position_y": "bottom", "type": "success", "uix_mf_source": "http://localhost:8686"}}},
		// String, Regex, Converters, Parsers and the XPath scrapper, each with
		// Tracardi's own test config (some are odd on purpose: they must set up).
		{Register: text.RegisterReplace, Test: plugin.TestData{Init: plugin.Config{"field": "profile@", "find": "", "replace": ""}}},
		{Register: text.RegisterToDate, Test: plugin.TestData{Init: plugin.Config{"string": "abc"}}},
		{Register: text.RegisterStripper, Test: plugin.TestData{Init: plugin.Config{"string": "abc", "to_remove": "a"}}},
		{Register: text.RegisterContainsPattern, Test: plugin.TestData{Init: plugin.Config{"field": "payload@field", "pattern": "all"}}},
		{Register: text.RegisterStartsWith, Test: plugin.TestData{Init: plugin.Config{"field": "event@id", "prefix": "test"}}},
		{Register: text.RegisterEndsWith, Test: plugin.TestData{Init: plugin.Config{"field": "event@id", "prefix": "test"}}},
		{Register: text.RegisterProperties, Test: plugin.TestData{Init: plugin.Config{"string": "test"}}},
		{Register: text.RegisterValidator, Test: plugin.TestData{Init: plugin.Config{"data": "test", "validator": "test"}}},
		{Register: text.RegisterSplitter, Test: plugin.TestData{Init: plugin.Config{"delimiter": ".", "string": "test.test"}}},
		{Register: text.RegisterJoin, Test: plugin.TestData{Init: plugin.Config{"delimiter": ",", "string": "payload@test"}}},
		{Register: text.RegisterSimilarity, Test: plugin.TestData{Init: plugin.Config{"first_string": "abc", "second_string": "abc", "algorithm": "levenshtein"}}},
		{Register: text.RegisterContains, Test: plugin.TestData{Init: plugin.Config{"field": "payload@field", "substring": "contains"}}},
		{Register: regex.RegisterMatch, Test: plugin.TestData{Init: plugin.Config{"group_prefix": "Group", "pattern": "<pattern>", "text": "<text or path to text>"}}},
		{Register: regex.RegisterValidator, Test: plugin.TestData{Init: plugin.Config{"data": "a", "validation_regex": "/a/"}}},
		{Register: regex.RegisterReplace, Test: plugin.TestData{Init: plugin.Config{"find_regex": "abc", "replace_with": "123", "string": "abc"}}},
		{Register: converters.RegisterToJSON, Test: plugin.TestData{Init: plugin.Config{"to_json": "{}"}}},
		{Register: converters.RegisterFromJSON, Test: plugin.TestData{Init: plugin.Config{"to_data": "{}"}}},
		{Register: converters.RegisterEncode, Test: plugin.TestData{Init: plugin.Config{"source": "", "source_encoding": ""}}},
		{Register: converters.RegisterDecode, Test: plugin.TestData{Init: plugin.Config{"source": "", "target_encoding": ""}}},
		{Register: parsers.RegisterURLParser, Test: plugin.TestData{Init: plugin.Config{"url": "session@context.page.url"}}},
		{Register: scrapper.RegisterXPath, Test: plugin.TestData{Init: plugin.Config{"content": "", "xpath": ""}}},
		// Time
		{Register: datetime.RegisterTimeDelay, Test: plugin.TestData{Init: plugin.Config{"reference_date": nil, "sign": "+", "delay": "60"}}},
		{Register: datetime.RegisterLastVisit},
		{Register: datetime.RegisterWeekdays, Test: plugin.TestData{Init: plugin.Config{}}},
		{Register: datetime.RegisterToday, Test: plugin.TestData{Init: plugin.Config{"timezone": "session@context.time.tz"}}},
		{Register: datetime.RegisterDayNight, Test: plugin.TestData{Init: plugin.Config{"latitude": 1.2, "longitude": 2.1}}},
		{Register: datetime.RegisterLocalTimeSpan, Test: plugin.TestData{Init: plugin.Config{"end": "10:10:10", "start": "12:10:10", "timezone": "session@context.time.tz"}}},
		{Register: datetime.RegisterLiveTime, Test: plugin.TestData{Init: plugin.Config{"end": "10:10:10", "start": "12:10:10", "timezone": "session@context.time.tz"}}},
		{Register: datetime.RegisterTimeDifference, Test: plugin.TestData{Init: plugin.Config{"now": "now", "reference_date": "12:10:10"}}},
		{Register: datetime.RegisterSleep, Test: plugin.TestData{Init: plugin.Config{"wait": 1}}},
		{Register: datetime.RegisterScheduler, Test: plugin.TestData{Init: plugin.Config{"resource": map[string]any{"id": "", "name": ""}, "source": map[string]any{"id": "@current-source", "name": "@current-source"}, "event_type": "reminder", "properties": "{}", "postpone": 60}}},

		// Location
		{Register: location.RegisterGeoFence, Test: plugin.TestData{Init: plugin.Config{"center_coordinate": map[string]any{"lat": 0, "lng": 0}, "test_coordinate": map[string]any{"lat": 0, "lng": 0}, "radius": 10}}},
		{Register: location.RegisterGeoDistance, Test: plugin.TestData{Init: plugin.Config{"start_coordinate": map[string]any{"lat": 0, "lng": 0}, "end_coordinate": map[string]any{"lat": 0, "lng": 0}}}},
		{Register: location.RegisterGeoIP, Test: plugin.TestData{Init: plugin.Config{"ip": "event@request.ip", "source": map[string]any{"id": "1", "name": "Some value"}},
			Resource: map[string]any{"accountId": 123, "license": "test"}}},

		// Data processing: calculator, value mapping, random item, device detection, merge event properties
		{Register: data.RegisterCalculator, Test: plugin.TestData{Init: plugin.Config{"calc_dsl": "a = profile@id + 1"}}},
		{Register: data.RegisterValueMapping, Test: plugin.TestData{Init: plugin.Config{"case_sensitive": false, "mapping": map[string]any{"a": "profile@id"}, "value": "x"}}},
		{Register: data.RegisterRandomItem, Test: plugin.TestData{Init: plugin.Config{"list_of_items": []any{1, 2, 3, 4, 5}}}},
		{Register: data.RegisterDetectDevice, Test: plugin.TestData{Init: plugin.Config{"agent": "session@context.browser.browser.userAgent"}}},
		{Register: data.RegisterMergeProperties, Test: plugin.TestData{Init: plugin.Config{"sub_traits": "", "traits_type": "public"}}},

		// Data analysis, sets, and stats: key counter, views and visits (the last two as in Tracardi 0.8.1)
		{Register: list.RegisterFindMaxValue, Test: plugin.TestData{Init: plugin.Config{"source": "abc"}}},
		{Register: list.RegisterSetOperation, Test: plugin.TestData{Init: plugin.Config{"set1": "", "set2": "", "operation": "intersection"}}},
		{Register: stats.RegisterKeyCounter, Test: plugin.TestData{Init: plugin.Config{"key": "1", "save_in": "2"}}},
		{Register: stats.RegisterIncreaseViews, Test: plugin.TestData{Init: plugin.Config{}}},
		{Register: stats.RegisterIncreaseVisits, Test: plugin.TestData{Init: plugin.Config{}}},

		// Segmentation, interests and consents (Tracardi's test configs), and the segmentation flow's start node
		{Register: flow.RegisterStartSegmentation, Test: plugin.TestData{Init: plugin.Config{"profile_id": "id"}}},
		{Register: segmentation.RegisterForceSegmentation, Test: plugin.TestData{Init: plugin.Config{}}},
		{Register: segmentation.RegisterHasSegment, Test: plugin.TestData{Init: plugin.Config{"segment": "abc"}}},
		{Register: segmentation.RegisterConditional, Test: plugin.TestData{Init: plugin.Config{"condition": "profile@id exists", "false_action": "remove", "false_segment": "xxx", "true_action": "add", "true_segment": "zzz"}}},
		{Register: segmentation.RegisterAddSegment, Test: plugin.TestData{Init: plugin.Config{"segment": "abc"}}},
		{Register: segmentation.RegisterDeleteSegment, Test: plugin.TestData{Init: plugin.Config{"segment": "abc"}}},
		{Register: segmentation.RegisterMoveSegment, Test: plugin.TestData{Init: plugin.Config{"from_segment": "abc", "to_segment": "asd"}}},
		{Register: segmentation.RegisterAddInterest, Test: plugin.TestData{Init: plugin.Config{"interest": "abc", "value": "1.0"}}},
		{Register: segmentation.RegisterIncreaseInterest, Test: plugin.TestData{Init: plugin.Config{"interest": "abc", "value": "1.0"}}},
		{Register: segmentation.RegisterDecreaseInterest, Test: plugin.TestData{Init: plugin.Config{"interest": "abc", "value": "1.0"}}},
		{Register: segmentation.RegisterGroupAndRank, Test: plugin.TestData{Init: plugin.Config{"interests": "profile@interests", "segment_mapping": "{}", "segments_to_apply": ""}}},
		{Register: consents.RegisterAddConsent, Test: plugin.TestData{Init: plugin.Config{"consents": "aa"}}},
		{Register: consents.RegisterRequireConsents, Test: plugin.TestData{Init: plugin.Config{"consent_ids": []any{}, "require_all": false}}},
	}
}
