package text

import (
	"context"
	"errors"
	"math"

	"github.com/tracflow/tracflow/plugin"
	"github.com/tracflow/tracflow/plugin/dotpath"
)

// The similarity algorithms. Each returns a distance: 0 for equal strings,
// growing as they differ. Strings are compared by Unicode code point.
var algorithms = map[string]func(a, b []rune) float64{
	"levenshtein":                       func(a, b []rune) float64 { return float64(levenshtein(a, b)) },
	"normalized_levenshtein":            normalizedLevenshtein,
	"weighted_levenshtein":              func(a, b []rune) float64 { return float64(levenshtein(a, b)) },
	"damerau":                           func(a, b []rune) float64 { return float64(damerau(a, b)) },
	"damerau_levenshtein":               func(a, b []rune) float64 { return float64(damerau(a, b)) },
	"optimal_string_alignment":          func(a, b []rune) float64 { return float64(osa(a, b)) },
	"jaro_winkler":                      func(a, b []rune) float64 { return 1 - jaroWinkler(a, b) },
	"longest_common_subsequence":        func(a, b []rune) float64 { return float64(len(a) + len(b) - 2*lcs(a, b)) },
	"metric_longest_common_subsequence": metricLCS,
}

var algorithmOptions = []plugin.Option{
	{Value: "levenshtein", Label: "Levenshtein"},
	{Value: "normalized_levenshtein", Label: "Normalized Levenshtein"},
	{Value: "weighted_levenshtein", Label: "Weighted Levenshtein"},
	{Value: "damerau", Label: "Damerau"},
	{Value: "damerau_levenshtein", Label: "Damerau-Levenshtein"},
	{Value: "optimal_string_alignment", Label: "Optimal string alignment"},
	{Value: "jaro_winkler", Label: "Jaro Winkler"},
	{Value: "longest_common_subsequence", Label: "Longest common subsequence"},
	{Value: "metric_longest_common_subsequence", Label: "Metric longest common subsequence"},
}

// levenshtein counts the insertions, deletions and substitutions that turn
// a into b.
func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// normalizedLevenshtein is the Levenshtein distance divided by the longer
// length: 0 (equal) to 1.
func normalizedLevenshtein(a, b []rune) float64 {
	n := max(len(a), len(b))
	if n == 0 {
		return 0
	}
	return float64(levenshtein(a, b)) / float64(n)
}

// osa is the optimal string alignment distance: Levenshtein plus swaps of
// two adjacent characters, no substring edited twice.
func osa(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+cost)
			}
		}
	}
	return d[len(a)][len(b)]
}

// damerau is the (unrestricted) Damerau-Levenshtein distance: edits and
// swaps of adjacent characters, where a swapped pair may be edited again.
func damerau(a, b []rune) int {
	inf := len(a) + len(b)
	h := make([][]int, len(a)+2)
	for i := range h {
		h[i] = make([]int, len(b)+2)
	}
	h[0][0] = inf
	for i := 0; i <= len(a); i++ {
		h[i+1][0], h[i+1][1] = inf, i
	}
	for j := 0; j <= len(b); j++ {
		h[0][j+1], h[1][j+1] = inf, j
	}
	last := map[rune]int{}
	for i := 1; i <= len(a); i++ {
		db := 0
		for j := 1; j <= len(b); j++ {
			i1, j1 := last[b[j-1]], db
			cost := 1
			if a[i-1] == b[j-1] {
				cost, db = 0, j
			}
			h[i+1][j+1] = min(h[i][j]+cost, h[i+1][j]+1, h[i][j+1]+1, h[i1][j1]+(i-i1-1)+1+(j-j1-1))
		}
		last[a[i-1]] = i
	}
	return h[len(a)+1][len(b)+1]
}

// jaroWinkler is the Jaro-Winkler similarity (1 for equal strings): the
// Jaro similarity, raised for a common prefix when it is over 0.7.
func jaroWinkler(a, b []rune) float64 {
	if string(a) == string(b) {
		return 1
	}
	long, short := a, b
	if len(a) <= len(b) {
		long, short = b, a
	}
	window := int(math.Max(float64(len(long))/2-1, 0))
	matchedAt := make([]int, len(short))
	used := make([]bool, len(long))
	matches := 0
	for i, c := range short {
		matchedAt[i] = -1
		for j := max(i-window, 0); j < min(i+window+1, len(long)); j++ {
			if !used[j] && c == long[j] {
				matchedAt[i], used[j] = j, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	var ms, ml []rune
	for i, at := range matchedAt {
		if at >= 0 {
			ms = append(ms, short[i])
		}
	}
	for j, u := range used {
		if u {
			ml = append(ml, long[j])
		}
	}
	half := 0
	for i := range ms {
		if ms[i] != ml[i] {
			half++
		}
	}
	transpositions := half / 2
	prefix := 0
	for i := 0; i < len(short) && a[i] == b[i]; i++ {
		prefix++
	}
	m := float64(matches)
	j := (m/float64(len(a)) + m/float64(len(b)) + (m-float64(transpositions))/m) / 3
	if j > 0.7 {
		j += math.Min(0.1, 1/float64(len(long))) * float64(prefix) * (1 - j)
	}
	return j
}

// lcs is the length of the longest common subsequence.
func lcs(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// metricLCS is 1 - lcs / the longer length: 0 (equal) to 1.
func metricLCS(a, b []rune) float64 {
	n := max(len(a), len(b))
	if n == 0 {
		return 0
	}
	return 1 - float64(lcs(a, b))/float64(n)
}

// maxSimilarityRunes bounds the strings compared: the algorithms take time
// and memory in the product of the lengths.
const maxSimilarityRunes = 10000

// Similarity compares two strings with a chosen algorithm.
type Similarity struct {
	plugin.ActionRunner
	first, second dotpath.Value
	algo          func(a, b []rune) float64
}

var similaritySpec = plugin.NewConfigSpec().
	Group("String similarity", "").
	Field(valueField("first_string", "First string", "The first string: a reference such as "+
		"event@properties.name, or the text itself.", "event").Required()).
	Field(valueField("second_string", "Second string", "The second string, compared with the first.", "event").Required()).
	Field(plugin.NewEnumField("algorithm", algorithmOptions...).Name("Comparison algorithm").
		Description("How to measure the distance between the strings (see the plugin's documentation).").
		Default("normalized_levenshtein").Required())

// SetUp reads the strings and the algorithm.
func (a *Similarity) SetUp(_ context.Context, config plugin.Config) error {
	c, err := similaritySpec.Parse(config)
	if err != nil {
		return err
	}
	a.first, a.second = c.Value("first_string"), c.Value("second_string")
	a.algo = algorithms[c.String("algorithm")]
	return nil
}

// Run sends {"similarity": distance} on payload.
func (a *Similarity) Run(_ context.Context, payload plugin.Payload, _ *plugin.Edge) (plugin.Results, error) {
	s := a.Scope(payload)
	x, err := resolveText(s, "first_string", a.first)
	if err != nil {
		return nil, err
	}
	y, err := resolveText(s, "second_string", a.second)
	if err != nil {
		return nil, err
	}
	rx, ry := []rune(x), []rune(y)
	if len(rx) > maxSimilarityRunes || len(ry) > maxSimilarityRunes {
		return nil, errTooLong
	}
	return plugin.Port("payload", plugin.Payload{"similarity": a.algo(rx, ry)}), nil
}

var errTooLong = errors.New("strings longer than 10000 characters are not compared")

// RegisterSimilarity describes the String similarity plugin.
func RegisterSimilarity() plugin.Plugin {
	return def{
		id: "similarity", alias: "strings.string_similarity.plugin", class: "SearchStringSimilarityAction",
		outputs: []string{"payload"}, config: similaritySpec,
		name: "String similarity", desc: "Measures how far apart two strings are, with a chosen algorithm.",
		icon: "question", tags: []string{"similarity", "distance", "levenshtein"},
		tutorial: "Config: {\"first_string\": \"event@properties.name\", \"second_string\": " +
			"\"profile@data.pii.firstname\", \"algorithm\": \"levenshtein\"}. The payload port carries " +
			"{\"similarity\": distance}; 0 means equal for every algorithm. levenshtein: the number of " +
			"insertions, deletions and substitutions (kitten → sitting: 3); normalized_levenshtein: " +
			"that divided by the longer length (0 to 1); weighted_levenshtein: levenshtein with every " +
			"edit weighing 1; damerau (or damerau_levenshtein): levenshtein where swapping two " +
			"neighbouring characters counts as one edit; optimal_string_alignment: the same, but no " +
			"part is edited twice (CA → ABC: 3, where damerau gives 2); jaro_winkler: 1 minus the " +
			"Jaro-Winkler similarity (0 to 1, common prefixes count more); " +
			"longest_common_subsequence: the characters of both strings outside their longest common " +
			"subsequence; metric_longest_common_subsequence: 1 minus that subsequence's length over the " +
			"longer length (0 to 1). Strings are compared by character; each may hold up to 10000. A " +
			"string that is missing or is not text stops the flow with an error.\n\n" +
			"Differences from Tracardi: damerau_levenshtein and metric_longest_common_subsequence, which " +
			"its config accepted but its code refused, work; optimal_string_alignment with an empty " +
			"string is the other string's length (Tracardi's library gave 0).",
		outputDocs: map[string]string{"payload": "{\"similarity\": the distance between the strings}."},
		newAction:  func() plugin.Action { return &Similarity{} },
	}.plugin()
}
