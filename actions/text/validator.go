package text

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// The Data validator's checks, as Tracardi defines them. Each regular
// expression must match at the start of the text; \w is written as the
// Unicode class Python's \w is. date and ean are checked in code.
var validators = map[string]func(string) bool{
	"email":        matchStart(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Z|a-z]{2,}\b`),
	"url":          matchStart(`^https?://` + word + `+(\.` + word + `+)*(:[0-9]+)?(/.*)?$`),
	"ipv4":         matchStart(`^((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$`),
	"date":         isDayFirstDate,
	"time":         matchStart(`^([0-1]?[0-9]|2[0-3]):[0-5][0-9](:?)([0-5]?[0-9]?)$`),
	"int":          matchStart(`^[0-9]+$`),
	"float":        matchStart(`^[+-]?([0-9]{1,})[.,]([0-9]{1,})$`),
	"number_phone": matchStart(`\(?\+[0-9]{1,3}\)? ?-?[0-9]{1,3} ?-?[0-9]{3,5} ?-?[0-9]{4}( ?-?[0-9]{3})? ?(` + word + `{1,10}\s?\d{1,6})?`),
	"ean":          isEAN13,
}

// word is Python's \w: letters, digits and _ of any script.
const word = `[\p{L}\p{N}_\p{Mn}\p{Pc}]`

var validatorOptions = []plugin.Option{
	{Value: "email", Label: "E-mail"}, {Value: "url", Label: "URL"}, {Value: "ipv4", Label: "IP Address"},
	{Value: "date", Label: "Date"}, {Value: "time", Label: "Time"}, {Value: "int", Label: "Integer Number"},
	{Value: "float", Label: "Float number"}, {Value: "number_phone", Label: "Phone number"},
	{Value: "ean", Label: "EAN-13 code"},
}

func validatorNames() string {
	s := ""
	for i, o := range validatorOptions {
		if i > 0 {
			s += ", "
		}
		s += o.Value
	}
	return s
}

func matchStart(expr string) func(string) bool {
	re := regexp.MustCompile(expr)
	return func(s string) bool {
		loc := re.FindStringIndex(s)
		return loc != nil && loc[0] == 0
	}
}

var dayFirst = regexp.MustCompile(`^(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{2}|\d{4})$`)

// isDayFirstDate accepts a day-first date (31/12/2024, 1.2.24, 29-02-2024)
// with one separator (/, - or .) used twice, a day that exists in its month
// (29 February only in leap years) and a two-digit year or a four-digit one
// from 1600 on.
func isDayFirstDate(s string) bool {
	m := dayFirst.FindStringSubmatch(s)
	if m == nil || m[2] != m[4] || m[1] == "00" || m[3] == "00" {
		return false
	}
	day, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[3])
	year, _ := strconv.Atoi(m[5])
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	var leap bool
	if len(m[5]) == 4 {
		if year < 1600 {
			return false
		}
		leap = year%4 == 0 && (year%100 != 0 || year%400 == 0)
	} else {
		leap = year%4 == 0 && year != 0
	}
	days := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
	if month == 2 && leap {
		days = 29
	}
	return day <= days
}

// isEAN13 checks an EAN-13 code: 13 digits whose last is the check digit.
func isEAN13(s string) bool {
	if len(s) != 13 {
		return false
	}
	sum := 0
	for i := 0; i < 13; i++ {
		d := int(s[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if i == 12 {
			return (10-sum%10)%10 == d
		}
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return false
}

// Validator checks data against one of the known formats.
type Validator struct {
	plugin.ActionRunner
	kind  string
	check func(string) bool
	data  dotpath.Value
}

var validatorSpec = plugin.NewConfigSpec().
	Field(plugin.NewStringField("validator").Name("Validation type").
		Description("The kind of data to expect: "+validatorNames()+".").
		Required().Component("select", map[string]any{"label": "Validate as", "items": optionItems(validatorOptions)})).
	Group("", "").
	Field(plugin.NewValueField("data").Name("Path to data").
		Description("The data to validate: a reference such as event@properties.email, or the text itself.").
		Required().Component("forceDotPath", map[string]any{"defaultSourceValue": "event"}))

func optionItems(opts []plugin.Option) map[string]any {
	m := make(map[string]any, len(opts))
	for _, o := range opts {
		m[o.Value] = o.Label
	}
	return m
}

// SetUp reads the validation type and the data reference. An unknown type
// is reported when the node runs, as Tracardi does (its own test config
// names one).
func (a *Validator) SetUp(_ context.Context, config plugin.Config) error {
	c, err := validatorSpec.Parse(config)
	if err != nil {
		return err
	}
	a.kind, a.data = c.String("validator"), c.Value("data")
	a.check = validators[a.kind]
	return nil
}

// Run sends the payload on valid or invalid.
func (a *Validator) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	if a.check == nil {
		return nil, fmt.Errorf("validator: %q is not a validation type; use one of %s", a.kind, validatorNames())
	}
	v, err := resolve(a.Scope(payload), "data", a.data)
	if err != nil {
		return nil, err
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case float64:
		s = dotpath.Stringify(x)
	default:
		return nil, fmt.Errorf("data: %s is %s, not text", a.data, dotpath.TypeName(v))
	}
	if a.check(s) {
		return plugin.Port("valid", payload), nil
	}
	return plugin.Port("invalid", payload), nil
}

// RegisterValidator describes the Data validator plugin.
func RegisterValidator() plugin.Plugin {
	return def{
		id: "validator", alias: "strings.string_validator.plugin", class: "StringValidatorAction",
		outputs: []string{"valid", "invalid"}, config: validatorSpec,
		name: "Data validator", desc: "Checks that data is an e-mail, URL, IPv4 address, date, time, integer, decimal number, phone number or EAN-13 code.",
		icon: "ok", tags: []string{"validation", "condition"},
		tutorial: "Config: {\"validator\": \"email\", \"data\": \"event@properties.email\"}. The checks: " +
			"email (name@domain.tld at the start), url (http:// or https:// and a host), ipv4 " +
			"(four numbers 0-255), date (day first: 31/12/2024, 1-2-24, 29.02.2024 in a leap " +
			"year; the same separator twice; four-digit years from 1600), time (23:59 or 23:59:59), " +
			"int (digits only), float (digits, a dot or comma, digits, an optional sign), number_phone " +
			"(an international number such as +48 123 456 789), ean (13 digits with a valid check " +
			"digit). A number is checked as its text. Data that is missing or is not text, or an " +
			"unknown validation type, stops the flow with an error.\n\n" +
			"Differences from Tracardi: ean checks the data (Tracardi checked the text of the " +
			"reference itself).",
		outputDocs: map[string]string{
			"valid":   "The input payload, when the data passes.",
			"invalid": "The input payload, when it does not.",
		},
		newAction: func() plugin.Action { return &Validator{} },
	}.plugin()
}
