// Package saas holds the connectors Tracardi installs on demand for
// software-as-a-service APIs: ActiveCampaign, Amplitude, CiviCRM, Elastic
// Email, HubSpot, Mailchimp, Matomo, Mautic, MeaningCloud, Mixpanel, Novu
// and Salesforce Marketing Cloud.
//
// Each service is one resource type (its credentials and an overridable
// base URL) and one service value that knows how a call to it is
// authorised (service.go: one helper per authorisation style). Plugins
// build a call, and the shared runner sends it through the outbound client
// (timeouts, bounded answers, the deny-list) and routes the answer to the
// response port, or a failure to the error port as {"message", "status",
// "body"} with the credentials redacted.
package saas

const tracardi = "tracardi.process_engine.action.v1.connectors."
