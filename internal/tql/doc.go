// Package tql implements TQL, the condition language of the If node, rules
// and other places where Tracflow decides something about an event.
//
// A condition compares values read from the event's data:
//
//	event@type == "purchase" AND payload@value > 100
//	profile@traits.country == ["PL", "DE"] OR NOT profile@consents.marketing EXISTS
//	event@metadata.time.insert > now.offset("-1d")
//
// Compile a condition once with Parse and evaluate it for every event with
// Eval; a compiled Condition is safe for concurrent use.
//
// # Fields
//
// A field is a dot-notation reference, source@path, with source one of
// payload, event, profile, session, flow and memory (see package notation):
// profile@traits.age, payload@items.0.sku, profile@traits["first name"].
// profile@... is the whole profile.
//
// # Values
//
//	null, true, false            keywords, in any case
//	42, -1, 2.5, .5, 1e3         numbers
//	"text", 'text'               strings; escapes \" \' \\ \n \t \r \b \f \/ \uXXXX \xHH
//	[1, "a", null]               lists of values
//	30s, 5m, 1h, 2d, 1w, 1h30m   durations; compared with numbers they count seconds
//
// # Comparisons
//
//	a == b, a = b        equal; a != b not equal
//	a > b, a >= b, a => b, a < b, a <= b, a =< b
//	a BETWEEN x AND y    x <= a <= y
//	a IS NULL, a IS NOT NULL
//	field EXISTS, field NOT EXISTS     the key is present (a stored null exists)
//	a EMPTY, a NOT EMPTY               missing, null, "", [] or {}
//	a CONTAINS b         substring of a string, or element of a list
//	a STARTS WITH b      string prefix, or first element of a list
//	a ENDS WITH b        string suffix, or last element of a list
//
// Either side of a comparison may be a field, a value or a function, so
// fields can be compared with each other: payload@price > profile@traits.limit.
//
// Comparing a value with a list using == means "is in the list", and !=
// means "is not in the list"; two lists are equal when their elements are.
//
// There is no type conversion: "1" == 1 is false, and ordering values of
// different types (a string and a number) is false. Numbers compare by
// value. Strings order alphabetically (by bytes). A date compares with a
// date, or with a string that reads as a date, so ISO timestamps stored in
// events compare with now() directly.
//
// # Missing fields
//
// A field that does not exist never makes a condition fail with an error:
// ==, <, >, BETWEEN, CONTAINS and the other comparisons are false, != is
// true, IS NULL is false, IS NOT NULL is true, EMPTY is true, EXISTS is
// false. A function given a missing field gives a missing value; given null
// it gives null.
//
// # Combining
//
// AND binds tighter than OR, NOT binds tightest, and parentheses group:
//
//	a OR b AND c          means  a OR (b AND c)
//	NOT a AND b           means  (NOT a) AND b
//
// Evaluation stops as soon as the result is known. Keywords are case
// insensitive.
//
// # Functions
//
//	now(), utcnow()                  the current time (one instant per evaluation)
//	now("Europe/Warsaw")             the current time in a time zone; also now.timezone(tz)
//	now.offset("-1d")                the current time moved by an offset ("-1d", "+2h", 30m)
//	now.timezone.offset(tz, offset)
//	datetime(x)                      read a date: 2024-05-01, 2024-05-01T10:00:00Z, 2024-05-01 10:00:00+02:00
//	datetime.offset(x, "1h")         a date moved by an offset
//	datetime.timezone(x, tz)         a date shown in a time zone (the same instant)
//	datetime.from_timestamp(ts)      a date from Unix seconds
//	lowercase(x), uppercase(x)       change the case of a string; other values pass through
//
// Dates without a zone are taken as UTC. Time zones are IANA names, matched
// without regard to case. Evaluation fails, with an error saying which
// function and why, when a function cannot do its job: an unknown time zone
// read from a field, or a string datetime() cannot read as a date.
package tql
