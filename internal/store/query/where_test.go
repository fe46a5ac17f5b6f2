package query_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tracflow/tracflow/internal/store"
	"github.com/tracflow/tracflow/internal/store/query"
	"github.com/tracflow/tracflow/plugin"
)

func TestWherePushesColumnTermsAndFiltersTheRest(t *testing.T) {
	q := &store.Query{Kind: store.KindEvent}
	ee, err := query.Where(store.KindEvent, `type == "purchase" AND properties.total > 3`, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Equal) != 1 || q.Equal[0].Field != "type" || len(q.Equal[0].Values) != 1 || q.Equal[0].Values[0] != "purchase" {
		t.Fatalf("Equal = %+v, want type == purchase", q.Equal)
	}
	if q.Filter == nil {
		t.Fatal("no filter for properties.total > 3")
	}
	if !q.Filter.Match(store.Doc{"type": "purchase", "properties": map[string]any{"total": 5.0}}) {
		t.Error("total 5 does not match total > 3")
	}
	if q.Filter.Match(store.Doc{"type": "purchase", "properties": map[string]any{"total": 1.0}}) {
		t.Error("total 1 matches total > 3")
	}
	if w := ee.Warning(store.KindEvent); w != "" {
		t.Errorf("warning %q without evaluation errors", w)
	}
}

func TestWhereColumnsAnswerTheWholeCondition(t *testing.T) {
	q := &store.Query{Kind: store.KindEvent}
	if _, err := query.Where(store.KindEvent, `type == "purchase"`, q); err != nil {
		t.Fatal(err)
	}
	if q.Filter != nil || len(q.Equal) != 1 {
		t.Fatalf("Filter = %v, Equal = %+v: want the column alone", q.Filter, q.Equal)
	}
}

func TestWhereErrorsNameTheField(t *testing.T) {
	many := make([]string, query.WhereMaxTerms+1)
	for i := range many {
		many[i] = `type == "x"`
	}
	for name, src := range map[string]string{
		"syntax":       `type ==`,
		"other source": `profile@traits.plan == "pro"`,
		"too many":     strings.Join(many, " AND "),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := query.Where(store.KindEvent, src, &store.Query{Kind: store.KindEvent})
			var fe plugin.FieldError
			if !errors.As(err, &fe) || fe.Field != "where" || fe.Message == "" {
				t.Fatalf("err = %v, want a FieldError at where", err)
			}
		})
	}
}
