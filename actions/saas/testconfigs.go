package saas

// Tracardi's own test resources of the connectors (setup_plugins.py), used
// by the installed list.
var (
	// MauticTestResource is Mautic's.
	MauticTestResource = map[string]any{"public_key": "<client-public-key>", "private_key": "<client-private-key>", "api_url": "<url-of-mautic-instance>"}
)

// HubSpotTestResource is HubSpot's.
var HubSpotTestResource = map[string]any{"token": "<your-app-access-token>"}

// MailchimpTestResource is Mailchimp's.
var MailchimpTestResource = map[string]any{"token": "1-2"}

// ElasticEmailTestResource is Elastic Email's.
var ElasticEmailTestResource = map[string]any{"api_key": "<api-key>", "public_account_id": "<public-account-id>"}

// MeaningCloudTestResource is MeaningCloud's.
var MeaningCloudTestResource = map[string]any{"token": "token"}

// ActiveCampaignTestResource is ActiveCampaign's.
var ActiveCampaignTestResource = map[string]any{"api_key": "<api-key>", "api_url": "<api-url>"}

// CiviCRMTestResource is CiviCRM's.
var CiviCRMTestResource = map[string]any{"api_key": "<api-key>", "site_key": "<site-key>", "api_url": "http://localhost"}

// AmplitudeTestResource is Amplitude's (Tracardi's names the key token;
// its resource type, api_key).
var AmplitudeTestResource = map[string]any{"token": "token"}

// MixpanelTestResource is Mixpanel's.
var MixpanelTestResource = map[string]any{"token": "token", "server_prefix": "EU", "username": "username", "password": "password"}

// MatomoTestResource is Matomo's.
var MatomoTestResource = map[string]any{"token": "<your-token>", "api_url": "<your-matomo-url>"}

// NovuTestResource is Novu's.
var NovuTestResource = map[string]any{"token": "token"}

// SalesforceTestResource is Salesforce Marketing Cloud's.
var SalesforceTestResource = map[string]any{"client_id": "<your-client-id>", "client_secret": "<your-client-secret>", "subdomain": "<your-subdomain>"}
