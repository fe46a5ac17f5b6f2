package actions_test

import (
	"strings"
	"testing"

	"github.com/tracflow/tracflow/actions"
	"github.com/tracflow/tracflow/internal/registry"
	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/plugintest"
)

func TestInstalled(t *testing.T) {
	plugintest.Conformance(t, actions.Installed())
}

// TestTracardiNames checks that every built-in answers to its own id and to
// Tracardi's module name, so flows exported from Tracardi load.
func TestTracardiNames(t *testing.T) {
	want := []string{
		"flow.start.start_action", "end_action", "if_action", "operations.join_payloads.plugin",
		"raise_error_action", "flow.property_exists.plugin", "inject_action",
		"traits.reshape_payload_action", "traits.copy_trait_action", "traits.append_trait_action",
		"traits.delete_trait_action", "traits.cut_out_trait_action", "template_action",
		"increment_action", "decrement_action", "internal.add_response.plugin",
		"operations.update_profile_action", "operations.discard_profile_update_action", "log_action",
		// String, Regex, Converters, Parsers, XPath
		"strings.string_replace.plugin", "strings.string_to_date.plugin", "strings.string_stripper.plugin",
		"operations.contains_pattern.plugin", "starts_with_action", "ends_with_action",
		"strings.string_operations.plugin", "strings.string_validator.plugin", "strings.string_splitter.plugin",
		"strings.string_join.plugin", "strings.string_similarity.plugin", "contains_string_action",
		"strings.regex_match.plugin", "strings.regex_validator.plugin", "strings.regex_replace.plugin",
		"converters.data_to_json.plugin", "converters.json_to_data.plugin", "converters.base64.encode.plugin",
		"converters.base64.decode.plugin",
		"strings.url_parser.plugin",
		"scrapper.xpath.plugin",
		"connectors.api_call.plugin", "connectors.smtp_call.plugin", "connectors.slack.send_message.plugin",
		"connectors.html.fetch.plugin", "connectors.discord.push.plugin", "connectors.telegram.post.plugin",
		"connectors.clicksend.sendsms.plugin", "connectors.github.issues.list.plugin", "connectors.github.issues.get.plugin",
		"connectors.oauth2_token.plugin", "connectors.whois.plugin", "connectors.weather.msn_weather.plugin",
		"connectors.google.analytics.plugin", "connectors.google.analytics_v4.plugin",
		"connectors.twitter.tweet.plugin", "connectors.ghost.plugin",
		"connectors.pushover.push.plugin", "connectors.zapier.webhook.plugin",
		"connectors.sendgrid.send_email.plugin", "connectors.sendgrid.add_contact_to_list.plugin",
		"connectors.sendgrid.add_email_to_global_suppression.plugin", "connectors.sms77.sendsms.plugin",
		"connectors.full_contact.person_enrich.plugin", "connectors.airtable.send_record.plugin",
		"connectors.airtable.fetch_records.plugin", "connectors.postgresql.query.plugin",
	}
	// Operations, flow control, events, sessions, stats and UIX widgets.
	want = append(want,
		"get_integration_id_action", "add_integration_id_action", "memory.collect.plugin",
		"password_generator_action", "sort_dictionary", "misc.uuid4.plugin", "traits.hash_traits_action",
		"traits.mask_traits_action", "operations.update_session_action", "operations.reduce_array.plugin",
		"traits.field_type_action", "internal.add_empty_profile.plugin", "internal.add_empty_session.plugin",
		"internal.inject_profile_by_field.plugin",
		"operations.merge_profiles_action",
		"sort_array_action",
		"new_visit_action", "new_profile_action", "traits.condition_set.plugin",
		"traits.assign_condition_result.plugin", "operations.threshold.plugin",
		"internal.inject_event.plugin", "internal.get_prev_event.plugin", "internal.get_prev_session.plugin",
		"internal.query_string.plugin", "internal.event_source_fetcher.plugin",
		"ux.consent.plugin", "ux.custom_js.plugin",
		"flow.start_segmentation.plugin", "segmentation.add.plugin", "segmentation.delete.plugin",
		"segmentation.move.plugin", "segmentation.conditional.plugin", "segmentation.has.plugin",
		"segmentation.force.plugin", "interest.add.plugin", "interest.increase.plugin", "interest.decrease.plugin",
		"group_and_rank_interests_action", "consents.add_consent_action.plugin", "consents.require_consents_action.plugin",
	)
	// SaaS connectors Tracardi installs on demand.
	want = append(want,
		"connectors.mautic.add_contact.plugin", "connectors.mautic.fetch_contact_by_id.plugin",
		"connectors.mautic.fetch_contact_by_email.plugin", "connectors.mautic.edit_points.plugin",
		"connectors.mautic.add_remove_segment.plugin",
		"connectors.hubspot.add_company.plugin", "connectors.hubspot.add_contact.plugin", "connectors.hubspot.get_company.plugin", "connectors.hubspot.get_contact.plugin", "connectors.hubspot.update_company.plugin", "connectors.hubspot.update_contact.plugin",
		"connectors.mailchimp.add_to_audience.plugin", "connectors.mailchimp.remove_from_audience.plugin", "connectors.mailchimp.tag_contact.plugin", "connectors.mailchimp.transactional_email.plugin",
		"connectors.elastic_email.add_contact.plugin", "connectors.elastic_email.contact_status_change.plugin", "connectors.elastic_email.transactional_email.plugin", "connectors.elastic_email.bulk_email.plugin",
		"connectors.meaningcloud.sentiment_analysis.plugin", "connectors.meaningcloud.language_detection.plugin", "connectors.meaningcloud.text_classification.plugin", "connectors.meaningcloud.corporate_reputation.plugin", "connectors.meaningcloud.topics_extraction.plugin", "connectors.meaningcloud.summarization.plugin", "connectors.meaningcloud.deep_categorization.plugin",
		"connectors.active_campaign.fetch_by_email.plugin", "connectors.active_campaign.add_contact.plugin", "connectors.civi_crm.add_contact.plugin",
		"connectors.amplitude.send_events.plugin",
		"connectors.mixpanel.send.plugin", "connectors.mixpanel.fetch_funnel.plugin",
		"connectors.matomo.send_event.plugin",
		"connectors.novu.trigger.plugin",
		"connectors.salesforce.marketing_cloud.send.plugin",
	)
	// Databases, queues and memory.
	want = append(want,
		"connectors.mysql.query.plugin", "connectors.rabbitmq.publish.plugin", "connectors.mqtt.publish.plugin",
		"connectors.influxdb.send.plugin", "connectors.influxdb.fetch.plugin",
		"connectors.aws.sqs.plugin", "connectors.mongo.query.plugin",
		"operations.write_to_memory.plugin", "operations.read_from_memory.plugin",
		"ux.contact_popup.plugin", "ux.cta_message.plugin", "ux.generic.plugin", "ux.question_popup.plugin",
		"ux.rating_popup.plugin", "ux.snackbar.plugin",
	)
	reg := registry.NewRegistry()
	if rep := reg.Install(actions.Installed()); len(rep.Error) > 0 {
		t.Fatalf("install errors: %v", rep.Error)
	}
	for _, name := range want {
		full := "tracardi.process_engine.action.v1." + name
		r, ok := reg.Lookup(full)
		if !ok {
			t.Errorf("no plugin answers to %s", full)
			continue
		}
		if !strings.HasPrefix(r.Plugin.Spec.Module, "tracflow.") {
			t.Errorf("%s: own id %q should start with tracflow.", full, r.Plugin.Spec.Module)
		}
		if got, _ := reg.Lookup(r.Plugin.Spec.Module); got != r {
			t.Errorf("%s does not answer to its own id %s", full, r.Plugin.Spec.Module)
		}
	}
	builtins := 0
	for _, r := range reg.List() {
		if strings.HasPrefix(r.Plugin.Spec.Module, "tracflow.") {
			builtins++
		}
	}
	if builtins != len(want) {
		t.Errorf("%d built-in plugins installed, want %d", builtins, len(want))
	}
}

// TestRegisterRecords checks what the editor and the plugin docs rely on.
func TestRegisterRecords(t *testing.T) {
	for _, in := range actions.Installed() {
		p := plugin.Complete(in.Register())
		s, md := p.Spec, p.MetaData
		if !strings.HasPrefix(s.Module, "tracflow.") {
			continue // examples and third-party plugins have their own authors
		}
		t.Run(s.Module, func(t *testing.T) {
			if s.License != "MIT" || s.Author != "Tracflow" || s.Version == "" || s.ClassName == "" {
				t.Errorf("license %q, author %q, version %q, className %q", s.License, s.Author, s.Version, s.ClassName)
			}
			switch md.Type {
			case "flowNode", "startNode", "condNode":
			default:
				t.Errorf("metadata.type %q", md.Type)
			}
			if md.Icon == "" || len(md.Purpose) == 0 || len(md.Tags) == 0 {
				t.Errorf("icon %q, purpose %v, tags %v", md.Icon, md.Purpose, md.Tags)
			}
			if p.Start != (len(s.Inputs) == 0) {
				t.Errorf("start %v with inputs %v", p.Start, s.Inputs)
			}
			if s.Init != nil && s.Form == nil {
				t.Error("a plugin with a config needs a form")
			}
			if s.Form != nil {
				for _, g := range s.Form.Groups {
					for _, f := range g.Fields {
						if f.ID == "" || f.Name == "" || f.Description == "" || f.Component.Type == "" {
							t.Errorf("form field %+v is incomplete", f)
						}
						if _, ok := s.Init[strings.SplitN(f.ID, ".", 2)[0]]; !ok {
							t.Errorf("form field %q is not in the default config", f.ID)
						}
					}
				}
			}
		})
	}
}
