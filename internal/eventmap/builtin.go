package eventmap

import "sort"

// Type is an event type the server knows: its name, what it means, and
// what it copies from its properties into the profile.
type Type struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Copies      []Copy `json:"copy"`
	// Identifies says the event names the person (its copies fill merge
	// keys such as the main e-mail).
	Identifies bool `json:"identifies"`
}

func contact(op string) []Copy {
	var out []Copy
	for _, f := range []string{"main", "private", "business"} {
		out = append(out, Copy{Event: "properties.email." + f, Profile: "data.contact.email." + f, Op: op})
	}
	for _, f := range []string{"main", "mobile", "business", "whatsapp"} {
		out = append(out, Copy{Event: "properties.phone." + f, Profile: "data.contact.phone." + f, Op: op})
	}
	// A plain "email" or "phone" property is the main e-mail, the mobile phone.
	out = append(out,
		Copy{Event: "properties.email", Profile: "data.contact.email.main", Op: op, Plain: true},
		Copy{Event: "properties.phone", Profile: "data.contact.phone.mobile", Op: op, Plain: true})
	return out
}

func pii(op string) []Copy {
	var out []Copy
	for _, f := range []string{"firstname", "lastname", "display_name", "birthday", "gender", "language.native", "language.spoken"} {
		out = append(out, Copy{Event: "properties." + f, Profile: "data.pii." + f, Op: op},
			Copy{Event: "properties.pii." + f, Profile: "data.pii." + f, Op: op})
	}
	return out
}

func join(lists ...[]Copy) []Copy {
	var out []Copy
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// BuiltIn are the predefined event types, by id.
var BuiltIn = map[string]Type{}

func init() {
	for _, t := range []Type{
		{ID: "sign-in", Name: "Sign-in", Identifies: true,
			Description: "A person signs in. Its e-mails, phones, pk and login identify the profile.",
			Copies: join(contact(OpEqual), []Copy{
				{Event: "properties.pk", Profile: "data.identifier.pk", Op: OpEqual},
				{Event: "properties.login", Profile: "data.identifier.token", Op: OpEqual}})},
		{ID: "sign-up", Name: "Sign-up", Identifies: true,
			Description: "A person creates an account: e-mails, login and name go to the profile.",
			Copies: join(contact(OpEqual), pii(OpEqual), []Copy{
				{Event: "properties.login", Profile: "data.identifier.token", Op: OpEqual}})},
		{ID: "identification", Name: "Identification", Identifies: true,
			Description: "Something names the person (a form, a newsletter, a call centre): contacts and identifiers go to the profile.",
			Copies: join(contact(OpEqual), []Copy{
				{Event: "properties.pk", Profile: "data.identifier.pk", Op: OpEqual},
				{Event: "properties.id", Profile: "data.identifier.id", Op: OpEqual},
				{Event: "properties.login", Profile: "data.identifier.token", Op: OpEqual},
				{Event: "properties.passport", Profile: "data.identifier.passport", Op: OpEqual},
				{Event: "properties.badge", Profile: "data.identifier.badge", Op: OpEqual},
				{Event: "properties.credit_card", Profile: "data.identifier.credit_card", Op: OpEqual},
				{Event: "properties.coupons", Profile: "data.identifier.coupons", Op: OpAppend}})},
		{ID: "profile-update", Name: "Profile update",
			Description: "The person changes their personal data: name, birthday, gender, languages, contacts.",
			Copies:      join(pii(OpEqual), contact(OpEqual))},
		{ID: "purchase-order", Name: "Purchase order",
			Description: "An order is placed: its value adds up in data.metrics.ltv, the order count in data.metrics.orders.",
			Copies: []Copy{
				{Event: "properties.value", Profile: "data.metrics.ltv", Op: OpAdd},
				{Profile: "data.metrics.orders", Op: OpIncrement}}},
		{ID: "page-view", Name: "Page view",
			Description: "A page is viewed. Nothing is copied to the profile (the visit counts it)."},
		{ID: "screen-view", Name: "Screen view", Description: "A screen of an app is viewed. Nothing is copied."},
		{ID: "search", Name: "Search", Description: "A search. Nothing is copied."},
		{ID: "product-added-to-basket", Name: "Product added to basket", Description: "A product is put in the basket. Nothing is copied."},
		{ID: "checkout-completed", Name: "Checkout completed",
			Description: "A checkout ends: its value adds up in data.metrics.ltcocv, the count in data.metrics.ltcocc.",
			Copies: []Copy{
				{Event: "properties.value", Profile: "data.metrics.ltcocv", Op: OpAdd},
				{Profile: "data.metrics.ltcocc", Op: OpIncrement}}},
		{ID: "consent-update", Name: "Consent update",
			Description: "The person grants or revokes consents: properties.consents (an object by consent id) goes to the profile's consents.",
			Copies:      []Copy{{Event: "properties.consents", Profile: "consents", Op: OpEqual}}},
		{ID: "delivery-info-entered", Name: "Delivery info entered",
			Description: "A delivery address is given: it goes to data.contact.address.",
			Copies: func() []Copy {
				var out []Copy
				for _, f := range []string{"town", "county", "country", "postcode", "street"} {
					out = append(out, Copy{Event: "properties.delivery." + f, Profile: "data.contact.address." + f, Op: OpEqual})
				}
				return out
			}()},
		{ID: "add-color-preference", Name: "Add colour preference", Description: "properties.color is added to data.preferences.colors.",
			Copies: []Copy{{Event: "properties.color", Profile: "data.preferences.colors", Op: OpAppend}}},
		{ID: "add-size-preference", Name: "Add size preference", Description: "properties.size is added to data.preferences.sizes.",
			Copies: []Copy{{Event: "properties.size", Profile: "data.preferences.sizes", Op: OpAppend}}},
		{ID: "add-brand-preference", Name: "Add brand preference", Description: "properties.brand is added to data.preferences.brands.",
			Copies: []Copy{{Event: "properties.brand", Profile: "data.preferences.brands", Op: OpAppend}}},
		{ID: "loyalty-card-added", Name: "Loyalty card added", Description: "A loyalty card (properties.id, name, issuer, expires) goes to data.loyalty.card.",
			Copies: func() []Copy {
				var out []Copy
				for _, f := range []string{"id", "name", "issuer", "expires"} {
					out = append(out, Copy{Event: "properties." + f, Profile: "data.loyalty.card." + f, Op: OpEqual})
				}
				return out
			}()},
		{ID: "message-sent", Name: "Message sent", Description: "A message is sent by the person: its e-mail and phone fill the profile's when empty.",
			Copies: contact(OpIfNotExists)},
	} {
		BuiltIn[t.ID] = t
	}
}

// List answers the built-in types sorted by id.
func List() []Type {
	out := make([]Type, 0, len(BuiltIn))
	for _, t := range BuiltIn {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
