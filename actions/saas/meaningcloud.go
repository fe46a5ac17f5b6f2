package saas

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
	"github.com/tracflow/tracflow/plugin/outbound"
)

var (
	meaningCloudFields = urlFields(plugin.NewConfigSpec().
				Field(plugin.NewStringField("token").Name("License key").Required().Description("A MeaningCloud license key.")),
		"base_url", "MeaningCloud API", "https://api.meaningcloud.com")
	// MeaningCloudType is a MeaningCloud license key.
	MeaningCloudType = plugin.ResourceType{Type: "meaningcloud", Name: "MeaningCloud", Tags: []string{"token", "meaningcloud"},
		Description: "A MeaningCloud account's license key.", Fields: meaningCloudFields}

	meaningCloud = &service{name: "MeaningCloud", baseURL: "base_url", auth: formKey("key", "token"), secrets: []string{"token"},
		refused: func(res *outbound.Response) error {
			// Every answer has {"status": {"code", "msg"}}; code 0 is success.
			m, _ := res.Content().(map[string]any)
			st, _ := m["status"].(map[string]any)
			if code := dotpath.Stringify(st["code"]); st != nil && code != "0" {
				return &outbound.Error{Message: fmt.Sprintf("refused (code %s): %v", code, st["msg"]), Status: res.Status, Body: string(res.Body)}
			}
			return nil
		}}
)

func init() {
	meaningCloud.typ = MeaningCloudType
	MeaningCloudType.Check = meaningCloud.check(call{method: "POST", path: "/lang-4.0/identification", form: url.Values{"txt": {"Hello world"}}})
	plugin.RegisterResourceType(MeaningCloudType)
}

// meaningCloudAPI is one MeaningCloud plugin: its config, the API it
// calls with which parameters, and what it sends on.
type meaningCloudAPI struct {
	path   string
	spec   *plugin.ConfigSpec
	params func(c *plugin.ParsedConfig, sc *dotpath.Scope) (url.Values, error)
	port   string
	// timeout tells that the config has a timeout of its own.
	timeout bool
	// out shapes the answer; nil sends it as it is.
	out func(res *outbound.Response) (plugin.Payload, error)
}

// MeaningCloud is a MeaningCloud plugin: it sends the text to one of the
// APIs and passes the analysis on.
type MeaningCloud struct {
	base
	api *meaningCloudAPI
	c   *plugin.ParsedConfig
}

// SetUp reads the config.
func (a *MeaningCloud) SetUp(_ context.Context, config plugin.Config) error {
	c, err := a.api.spec.Parse(config)
	if err != nil {
		return err
	}
	a.c, a.resource = c, plugin.ResourceID(c.Object("source"))
	return nil
}

// Run calls the API.
func (a *MeaningCloud) Run(ctx context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	params, err := a.api.params(a.c, a.Scope(payload))
	if err != nil {
		return a.fail(err)
	}
	cl := call{method: "POST", path: a.api.path, form: params}
	if a.api.timeout {
		cl.timeout = a.c.Duration("timeout")
	}
	res, fail := a.send(ctx, meaningCloud, cl)
	if fail != nil {
		return fail, nil
	}
	if a.api.out == nil {
		return plugin.Port(a.api.port, content(res)), nil
	}
	out, err := a.api.out(res)
	if err != nil {
		return a.fail(fmt.Errorf("MeaningCloud: %w", err))
	}
	return plugin.Port(a.api.port, out), nil
}

// The config fields the plugins share.

func mcSpec() *plugin.ConfigSpec {
	return plugin.NewConfigSpec().Field(plugin.NewResourceField("source", "meaningcloud").Name("MeaningCloud resource").
		Description("The meaningcloud resource: the license key."))
}

func mcText(id string) *plugin.FieldSpec {
	return plugin.NewValueField(id).Name("Text").Required().Component("dotPath", map[string]any{"label": "Text"}).
		Description("The text to analyse, or a reference to it, e.g. event@properties.comment.")
}

func mcTextTemplate(id string) *plugin.FieldSpec {
	return plugin.NewTemplateField(id).Name("Text").Required().Component("textarea", nil).
		Description("The text to analyse; {{ references }} are filled in.")
}

func mcLang() *plugin.FieldSpec {
	return plugin.NewValueField("lang").Name("Language").Default("auto").
		Description("The text's language code (en, es, fr, ...), auto to detect it, or a reference to it.")
}

func mcLanguage() *plugin.FieldSpec {
	var opts []plugin.Option
	for _, l := range []string{"en", "sp", "fr", "it", "pt", "ct"} {
		opts = append(opts, plugin.Option{Value: l, Label: l})
	}
	return plugin.NewEnumField("language", opts...).Name("Language").Default("en").Description("The text's language: en, sp, fr, it, pt or ct.")
}

// text resolves a text field: a value or a template.
func text(c *plugin.ParsedConfig, sc *dotpath.Scope, id string, template bool) (string, error) {
	if template {
		s := c.Template(id).Render(sc)
		if strings.TrimSpace(s) == "" {
			return "", fmt.Errorf("%s: the text is empty", id)
		}
		return s, nil
	}
	return resolveText(c.Value(id), sc, id)
}

// textLang gives the txt and lang parameters of a value text and lang.
func textLang(c *plugin.ParsedConfig, sc *dotpath.Scope) (url.Values, error) {
	t, err := text(c, sc, "text", false)
	if err != nil {
		return nil, err
	}
	lang, err := resolveText(c.Value("lang"), sc, "lang")
	if err != nil {
		return nil, err
	}
	return url.Values{"txt": {t}, "lang": {lang}}, nil
}

var (
	mcReputation = &meaningCloudAPI{path: "/reputation-2.0", port: "response",
		spec: mcSpec().Field(mcText("text")).Field(mcLang()).
			Field(plugin.NewStringField("focus").Name("Focus").Default("").Description("Only this company's reputation, e.g. Apple Inc.; empty for all.")).
			Field(plugin.NewStringField("company_type").Name("Company type").Default("").Description("Only companies of this type (MeaningCloud's ontology, e.g. Top>Organization>Company); empty for all.")).
			Field(plugin.NewBoolField("relaxed_typography").Name("Relaxed typography").Default(false).Description("Take capital letters loosely, for informal text.")),
		params: func(c *plugin.ParsedConfig, sc *dotpath.Scope) (url.Values, error) {
			p, err := textLang(c, sc)
			if err != nil {
				return nil, err
			}
			p.Set("rt", map[bool]string{true: "y", false: "n"}[c.Bool("relaxed_typography")])
			if f := c.String("focus"); f != "" {
				p.Set("focus", f)
			}
			if f := c.String("company_type"); f != "" {
				p.Set("filter", f)
			}
			return p, nil
		}}
	mcDeepCategorization = &meaningCloudAPI{path: "/deepcategorization-1.0", port: "response",
		spec: mcSpec().Field(mcText("text")).
			Field(plugin.NewStringField("model").Name("Model").Required().Description("The categorization model, e.g. IAB_2.0-tier3 or IAB_2.0_en.")),
		params: func(c *plugin.ParsedConfig, sc *dotpath.Scope) (url.Values, error) {
			t, err := text(c, sc, "text", false)
			return url.Values{"txt": {t}, "model": {c.String("model")}}, err
		}}
	mcLanguageDetection = &meaningCloudAPI{path: "/lang-4.0/identification", port: "response", timeout: true,
		spec: mcSpec().
			Field(plugin.NewTemplateField("message").Name("Text").Required().Component("textarea", nil).
				Check(func(v any) error {
					if len(strings.TrimSpace(v.(*dotpath.Template).String())) < 2 {
						return fmt.Errorf("give a text of at least two characters")
					}
					return nil
				}).Description("The text whose language is detected; {{ references }} are filled in.")).
			Field(plugin.NewDurationField("timeout").Name("Timeout").Default(15).Min(0.001).Max(300).Description("Seconds to wait for MeaningCloud.")),
		params: func(c *plugin.ParsedConfig, sc *dotpath.Scope) (url.Values, error) {
			t, err := text(c, sc, "message", true)
			return url.Values{"txt": {t}}, err
		},
		out: func(res *outbound.Response) (plugin.Payload, error) {
			return plugin.Payload{"status": res.Status, "body": res.Content()}, nil
		}}
	mcSentiment = &meaningCloudAPI{path: "/sentiment-2.1", port: "result",
		spec: mcSpec().Field(mcLanguage()).Field(mcTextTemplate("text")),
		params: func(c *plugin.ParsedConfig, sc *dotpath.Scope) (url.Values, error) {
			t, err := text(c, sc, "text", true)
			return url.Values{"txt": {t}, "lang": {c.String("language")}}, err
		},
		out: func(res *outbound.Response) (plugin.Payload, error) {
			m := content(res)
			conf, err := strconv.ParseFloat(dotpath.Stringify(m["confidence"]), 64)
			if err != nil {
				return nil, fmt.Errorf("the answer has no confidence: %s", outbound.StatusError(res).Body)
			}
			return plugin.Payload{"sentiment": m["score_tag"], "agreement": m["agreement"], "subjectivity": m["subjectivity"], "confidence": conf}, nil
		}}
	mcSummarization = &meaningCloudAPI{path: "/summarization-1.0", port: "response",
		spec: mcSpec().Field(mcText("text")).Field(mcLang()).
			Field(plugin.NewStringField("sentences").Name("Sentences").Required().Pattern(`^\d+$`, "must be a whole number of sentences, e.g. 3").
				Description("How many sentences the summary has.")),
		params: func(c *plugin.ParsedConfig, sc *dotpath.Scope) (url.Values, error) {
			p, err := textLang(c, sc)
			if err != nil {
				return nil, err
			}
			p.Set("sentences", c.String("sentences"))
			return p, nil
		}}
	mcClassification = &meaningCloudAPI{path: "/class-2.0", port: "payload",
		spec: mcSpec().Field(mcLanguage()).
			Field(plugin.NewEnumField("model", plugin.Option{Value: "social", Label: "Social media"}, plugin.Option{Value: "press", Label: "Press (IPTC)"}).
				Name("Model").Default("social").Description("The classification model: social (social media) or press (IPTC).")).
			Field(plugin.NewValueField("title").Name("Title").Default(nil).Description("The text's title, or a reference to it; empty for none.")).
			Field(mcTextTemplate("text")),
		params: func(c *plugin.ParsedConfig, sc *dotpath.Scope) (url.Values, error) {
			t, err := text(c, sc, "text", true)
			if err != nil {
				return nil, err
			}
			model := map[string]string{"social": "SocialMedia", "press": "IPTC"}[c.String("model")]
			p := url.Values{"txt": {t}, "model": {model + "_" + c.String("language")}}
			if title, err := c.Value("title").Resolve(sc); err == nil && !dotpath.IsEmpty(title) {
				p.Set("title", dotpath.Stringify(title))
			}
			return p, nil
		},
		out: func(res *outbound.Response) (plugin.Payload, error) {
			return plugin.Payload{"categories": content(res)["category_list"]}, nil
		}}
	mcTopics = &meaningCloudAPI{path: "/topics-2.0", port: "response",
		spec: mcSpec().Field(mcText("text")).Field(mcLang()),
		params: func(c *plugin.ParsedConfig, sc *dotpath.Scope) (url.Values, error) {
			p, err := textLang(c, sc)
			if err != nil {
				return nil, err
			}
			p.Set("tt", "a")
			return p, nil
		}}
)

func meaningCloudPlugin(api *meaningCloudAPI, module, class, name, desc, out, tutorial string) plugin.Plugin {
	return register(meta{module: "meaningcloud." + module, class: class, name: name, desc: desc,
		brand: "Meaning cloud", group: "Machine learning", icon: "ai", resource: "meaningcloud", tags: []string{"ai", "ml"},
		spec: api.spec, outputs: []string{api.port, "error"},
		new:      func() plugin.Action { return &MeaningCloud{api: api} },
		tutorial: "An answer whose status code is not 0 counts as a failure. " + tutorial,
		ports:    map[string]string{api.port: out}})
}

// RegisterMeaningCloudReputation describes MeaningCloud's Corporate reputation.
func RegisterMeaningCloudReputation() plugin.Plugin {
	return meaningCloudPlugin(mcReputation, "corporate_reputation", "CorporateReputationPlugin", "Corporate reputation",
		"Finds what a text says about companies' reputation (MeaningCloud's Reputation API).", "MeaningCloud's analysis, {\"status\", \"category_list\", ...}.", "")
}

// RegisterMeaningCloudDeepCategorization describes MeaningCloud's Categorize text.
func RegisterMeaningCloudDeepCategorization() plugin.Plugin {
	return meaningCloudPlugin(mcDeepCategorization, "deep_categorization", "DeepCategorizationPlugin", "Categorize text",
		"Sorts a text into the categories of a model (MeaningCloud's Deep Categorization API).", "MeaningCloud's answer, {\"status\", \"category_list\"}.", "")
}

// RegisterMeaningCloudLanguage describes MeaningCloud's Language detection.
func RegisterMeaningCloudLanguage() plugin.Plugin {
	return meaningCloudPlugin(mcLanguageDetection, "language_detection", "LanguageDetectAction", "Language detection",
		"Detects the language of a text (MeaningCloud's Language Identification API).", "{\"status\": the HTTP status, \"body\": MeaningCloud's answer with its language_list}.",
		"The node's timeout bounds the call.")
}

// RegisterMeaningCloudSentiment describes MeaningCloud's Sentiment analysis.
func RegisterMeaningCloudSentiment() plugin.Plugin {
	return meaningCloudPlugin(mcSentiment, "sentiment_analysis", "SentimentAnalysisAction", "Sentiment analysis",
		"Tells the sentiment of a text (MeaningCloud's Sentiment Analysis API).",
		"{\"sentiment\": score tag (P+, P, NEU, N, N+, NONE), \"agreement\", \"subjectivity\", \"confidence\": 0-100}.", "")
}

// RegisterMeaningCloudSummarization describes MeaningCloud's Summarize text.
func RegisterMeaningCloudSummarization() plugin.Plugin {
	return meaningCloudPlugin(mcSummarization, "summarization", "SummarizationPlugin", "Summarize text",
		"Summarizes a text in a number of sentences (MeaningCloud's Summarization API).", "MeaningCloud's answer, {\"status\", \"summary\"}.", "")
}

// RegisterMeaningCloudClassification describes MeaningCloud's Text classification.
func RegisterMeaningCloudClassification() plugin.Plugin {
	return meaningCloudPlugin(mcClassification, "text_classification", "TextClassificationAction", "Text classification",
		"Classifies a text with a social-media or press model (MeaningCloud's Text Classification API).", "{\"categories\": MeaningCloud's category_list}.", "")
}

// RegisterMeaningCloudTopics describes MeaningCloud's Extract topics.
func RegisterMeaningCloudTopics() plugin.Plugin {
	return meaningCloudPlugin(mcTopics, "topics_extraction", "TopicsExtractionPlugin", "Extract topics",
		"Extracts the entities, concepts, dates, money and other topics of a text (MeaningCloud's Topics Extraction API).",
		"MeaningCloud's answer, {\"status\", \"entity_list\", \"concept_list\", ...}.", "")
}
