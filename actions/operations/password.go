package operations

import (
	"context"
	"crypto/rand"
	"math/big"

	"github.com/tracflow/tracflow/plugin"
)

const (
	upperChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerChars   = "abcdefghijklmnopqrstuvwxyz"
	digitChars   = "0123456789"
	specialChars = "!#$%&*+-.:;<=>?@^_~"
	allChars     = upperChars + lowerChars + digitChars + specialChars
	// maxPasswordLength bounds what a config may ask for.
	maxPasswordLength = 1024
)

var passwordSpec = plugin.NewConfigSpec().
	Group("Password", "").
	Field(plugin.NewIntField("max_length").Name("Longest password").
		Description("The most characters a password may have.").Default(13).Min(1).Max(maxPasswordLength).Prop("label", "Maximum length")).
	Field(plugin.NewIntField("min_length").Name("Shortest password").
		Description("The fewest characters a password may have; not more than the maximum.").Default(8).Min(1).Max(maxPasswordLength).Prop("label", "Minimum length")).
	Field(plugin.NewIntField("uppercase").Name("Upper-case letters").
		Description("At least this many upper-case letters.").Default(2).Min(0).Max(maxPasswordLength).Prop("label", "Upper-case letters")).
	Field(plugin.NewIntField("lowercase").Name("Lower-case letters").
		Description("At least this many lower-case letters.").Default(4).Min(0).Max(maxPasswordLength).Prop("label", "Lower-case letters")).
	Field(plugin.NewIntField("special_characters").Name("Special characters").
		Description("At least this many characters from "+specialChars+".").Default(2).Min(0).Max(maxPasswordLength).Prop("label", "Special characters")).
	Check(func(c *plugin.ParsedConfig) error {
		if c.Int("min_length") > c.Int("max_length") {
			return plugin.FieldErr("min_length", "%d is more than the maximum length %d", c.Int("min_length"), c.Int("max_length"))
		}
		if n := c.Int("uppercase") + c.Int("lowercase") + c.Int("special_characters"); n > c.Int("max_length") {
			return plugin.FieldErr("max_length", "%d is fewer than the %d characters asked for by kind", c.Int("max_length"), n)
		}
		return nil
	})

// PasswordGenerator makes random passwords.
type PasswordGenerator struct {
	plugin.ActionRunner
	min, max, upper, lower, special int
}

// SetUp reads the lengths.
func (a *PasswordGenerator) SetUp(_ context.Context, config plugin.Config) error {
	c, err := passwordSpec.Parse(config)
	if err != nil {
		return err
	}
	a.min, a.max = c.Int("min_length"), c.Int("max_length")
	a.upper, a.lower, a.special = c.Int("uppercase"), c.Int("lowercase"), c.Int("special_characters")
	return nil
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return int(v.Int64())
}

// Run makes a password.
func (a *PasswordGenerator) Run(context.Context, plugin.Payload, *plugin.Edge) (plugin.Results, error) {
	length := a.min + randInt(a.max-a.min+1)
	length = max(length, a.upper+a.lower+a.special)
	pw := make([]byte, 0, length)
	pick := func(set string, n int) {
		for range n {
			pw = append(pw, set[randInt(len(set))])
		}
	}
	pick(upperChars, a.upper)
	pick(lowerChars, a.lower)
	pick(specialChars, a.special)
	pick(allChars, length-len(pw))
	for i := len(pw) - 1; i > 0; i-- { // Fisher-Yates
		j := randInt(i + 1)
		pw[i], pw[j] = pw[j], pw[i]
	}
	return plugin.Port("password", plugin.Payload{"password": string(pw)}), nil
}

// RegisterPasswordGenerator describes the Generate password plugin.
func RegisterPasswordGenerator() plugin.Plugin {
	return register(def{
		new: func() plugin.Action { return &PasswordGenerator{} }, module: "password_generator", alias: "password_generator_action",
		class: "PasswordGeneratorAction", outputs: []string{"password"}, config: passwordSpec,
		name: "Generate password", desc: "Makes a random password of a length and mix of characters you choose.",
		icon: "password", tags: []string{"password", "random"},
		manual: "The length is drawn between the shortest and the longest, and the password holds at least " +
			"the asked number of upper-case, lower-case and special characters; the rest are drawn from " +
			"letters, digits and special characters. Characters come from a cryptographic random source.",
		input: "Any object; it only triggers the node.",
		ports: plugin.Ports{"password": "{\"password\": \"<new password>\"}."},
	})
}
