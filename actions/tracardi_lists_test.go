package actions_test

import (
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/registry"
)

// tracardiInstalled is every module of Tracardi's installed_plugins (its
// open-source part, setup_plugins.py), plugin_registry modules included,
// without the "tracardi.process_engine.action.v1." prefix.
var tracardiInstalled = []string{
	"connectors.aws.s3.upload_segments.plugin",
	"get_integration_id_action",
	"add_integration_id_action",
	"time.time_delay.plugin",
	"strings.string_replace.plugin",
	"connectors.clicksend.sendsms.plugin",
	"connectors.clicksend.sendsms.registry",
	"list.operations_on_sets.plugin",
	"list.find_max_value.plugin",
	"strings.string_to_date.plugin",
	"strings.string_stripper.plugin",
	"time.last_profile_visit.plugin",
	"connectors.telegram.post.plugin",
	"connectors.telegram.post.registry",
	"connectors.google.analytics.plugin",
	"connectors.google.analytics.registry",
	"connectors.google.analytics_v4.plugin",
	"connectors.google.analytics_v4.registry",
	"connectors.whois.plugin",
	"operations.contains_pattern.plugin",
	"memory.collect.plugin",
	"password_generator_action",
	"weekdays_checker_action",
	"flow.start.start_action",
	"flow.start_segmentation.plugin",
	"flow.property_exists.plugin",
	"end_action",
	"raise_error_action",
	"inject_action",
	"increment_action",
	"decrement_action",
	"if_action",
	"starts_with_action",
	"ends_with_action",
	"new_visit_action",
	"new_profile_action",
	"template_action",
	"sort_dictionary",
	"misc.uuid4.plugin",
	"traits.copy_trait_action",
	"traits.append_trait_action",
	"traits.cut_out_trait_action",
	"traits.delete_trait_action",
	"traits.auto_merge_properties_to_profile_action",
	"traits.assign_condition_result.plugin",
	"traits.condition_set.plugin",
	"traits.hash_traits_action",
	"traits.mask_traits_action",
	"operations.join_payloads.plugin",
	"operations.merge_profiles_action",
	"operations.update_profile_action",
	"operations.discard_profile_update_action",
	"operations.update_session_action",
	"operations.reduce_array.plugin",
	"calculator_action",
	"mapping_action",
	"return_random_element_action",
	"log_action",
	"scrapper.xpath.plugin",
	"operations.threshold.plugin",
	"geo.fence.circular.plugin",
	"geo.distance.plugin",
	"traits.reshape_payload_action",
	"detect_client_agent_action",
	"traits.field_type_action",
	"strings.string_operations.plugin",
	"strings.regex_match.plugin",
	"strings.regex_validator.plugin",
	"strings.string_validator.plugin",
	"strings.string_splitter.plugin",
	"strings.string_join.plugin",
	"strings.url_parser.plugin",
	"strings.regex_replace.plugin",
	"strings.string_similarity.plugin",
	"time.sleep_action",
	"time.today_action",
	"time.day_night.plugin",
	"time.local_time_span.plugin",
	"time.profile_live_time.plugin",
	"time.time_difference.plugin",
	"ux.consent.plugin",
	"ux.custom_js.plugin",
	"connectors.html.fetch.plugin",
	"connectors.api_call.plugin",
	"connectors.smtp_call.plugin",
	"segmentation.force.plugin",
	"segmentation.has.plugin",
	"segmentation.conditional.plugin",
	"segmentation.add.plugin",
	"segmentation.delete.plugin",
	"segmentation.move.plugin",
	"interest.add.plugin",
	"interest.increase.plugin",
	"interest.decrease.plugin",
	"converters.data_to_json.plugin",
	"converters.json_to_data.plugin",
	"connectors.discord.push.plugin",
	"connectors.maxmind.geoip.plugin",
	"connectors.weather.msn_weather.plugin",
	"connectors.oauth2_token.plugin",
	"connectors.slack.send_message.plugin",
	"connectors.google.sheets.modify.plugin",
	"connectors.twitter.tweet.plugin",
	"internal.event_source_fetcher.plugin",
	"internal.inject_event.plugin",
	"internal.inject_profile_by_field.plugin",
	"internal.add_empty_profile.plugin",
	"internal.get_prev_event.plugin",
	"internal.get_prev_session.plugin",
	"internal.query_string.plugin",
	"internal.add_empty_session.plugin",
	"internal.add_response.plugin",
	"metrics.key_counter.plugin",
	"microservice.plugin",
	"consents.add_consent_action.plugin",
	"consents.require_consents_action.plugin",
	"contains_string_action",
	"converters.base64.encode.plugin",
	"converters.base64.decode.plugin",
	"sort_array_action",
	"connectors.github.issues.list.plugin",
	"connectors.github.issues.get.plugin",
	"connectors.elasticsearch.query_local.plugin",
	"connectors.ghost.plugin",
	"group_and_rank_interests_action"}

// tracardiTestPlugins is every module of Tracardi's test_plugins list (the
// plugins it installs on demand), plugin_registry modules included.
var tracardiTestPlugins = []string{
	"connectors.elasticsearch.query.plugin",
	"connectors.sms77.sendsms.plugin",
	"connectors.sms77.sendsms.registry",
	"connectors.clicksend.sendsms.plugin",
	"connectors.clicksend.sendsms.registry",
	"connectors.influxdb.send.plugin",
	"connectors.influxdb.fetch.plugin",
	"connectors.elastic_email.add_contact.plugin",
	"connectors.elastic_email.contact_status_change.plugin",
	"connectors.elastic_email.transactional_email.plugin",
	"connectors.elastic_email.bulk_email.plugin",
	"connectors.sendgrid.add_contact_to_list.plugin",
	"connectors.sendgrid.add_email_to_global_suppression.plugin",
	"connectors.sendgrid.send_email.plugin",
	"connectors.postgresql.query.plugin",
	"connectors.mongo.query.plugin",
	"connectors.mysql.query.plugin",
	"connectors.salesforce.marketing_cloud.send.plugin",
	"connectors.zapier.webhook.plugin",
	"connectors.mqtt.publish.plugin",
	"connectors.mixpanel.send.plugin",
	"connectors.mixpanel.fetch_funnel.plugin",
	"connectors.airtable.send_record.plugin",
	"connectors.airtable.fetch_records.plugin",
	"connectors.matomo.send_event.plugin",
	"connectors.hubspot.add_company.plugin",
	"connectors.hubspot.add_contact.plugin",
	"connectors.hubspot.get_company.plugin",
	"connectors.hubspot.get_contact.plugin",
	"connectors.hubspot.update_company.plugin",
	"connectors.hubspot.update_contact.plugin",
	"connectors.full_contact.person_enrich.plugin",
	"connectors.active_campaign.fetch_by_email.plugin",
	"connectors.active_campaign.add_contact.plugin",
	"connectors.rabbitmq.publish.plugin",
	"connectors.civi_crm.add_contact.plugin",
	"connectors.amplitude.send_events.plugin",
	"connectors.aws.sqs.plugin",
	"pro.scheduler.plugin",
	"pro.scheduler.registry",
	"connectors.novu.trigger.plugin",
	"connectors.novu.trigger.registry",
	"connectors.pushover.push.plugin",
	"connectors.meaningcloud.sentiment_analysis.plugin",
	"connectors.meaningcloud.language_detection.plugin",
	"connectors.meaningcloud.text_classification.plugin",
	"connectors.meaningcloud.corporate_reputation.plugin",
	"connectors.meaningcloud.topics_extraction.plugin",
	"connectors.meaningcloud.summarization.plugin",
	"connectors.meaningcloud.deep_categorization.plugin",
	"connectors.mautic.add_contact.plugin",
	"connectors.mautic.fetch_contact_by_id.plugin",
	"connectors.mautic.fetch_contact_by_email.plugin",
	"connectors.mautic.edit_points.plugin",
	"connectors.mautic.add_remove_segment.plugin",
	"connectors.mailchimp.tag_contact.plugin",
	"connectors.mailchimp.transactional_email.plugin",
	"connectors.mailchimp.add_to_audience.plugin",
	"connectors.mailchimp.remove_from_audience.plugin",
	"operations.write_to_memory.plugin",
	"operations.read_from_memory.plugin"}

// notYetInstalled are the modules of both lists that other parts of issue 12
// deliver. Delete a line when its plugin lands: the test fails while a
// module listed here is installed, so the list only shrinks, down to empty.
var notYetInstalled = map[string]bool{}

// TestTracardiLists checks that Tracflow answers to every module name of
// Tracardi's two plugin lists, so any flow exported from Tracardi finds its
// nodes.
func TestTracardiLists(t *testing.T) {
	reg := registry.NewRegistry()
	if rep := reg.Install(actions.Installed()); len(rep.Error) > 0 {
		t.Fatalf("install errors: %v", rep.Error)
	}
	seen := map[string]bool{}
	for _, list := range [][]string{tracardiInstalled, tracardiTestPlugins} {
		for _, name := range list {
			if seen[name] {
				continue
			}
			seen[name] = true
			full := "tracardi.process_engine.action.v1." + name
			_, ok := reg.Lookup(full)
			switch {
			case !ok && !notYetInstalled[name]:
				t.Errorf("no plugin answers to %s", full)
			case ok && notYetInstalled[name]:
				t.Errorf("%s is installed now: delete it from notYetInstalled", name)
			}
		}
	}
	for name := range notYetInstalled {
		if !seen[name] {
			t.Errorf("notYetInstalled lists %s, which is in neither of Tracardi's lists", name)
		}
	}
	if len(tracardiInstalled) < 120 || len(tracardiTestPlugins) < 60 {
		t.Fatalf("the lists are cut short: %d and %d modules", len(tracardiInstalled), len(tracardiTestPlugins))
	}
}
