// Package query holds what both backends share to answer store.Query: the
// query checked and mapped onto the tables (a Plan), the SQL it needs in
// either dialect, the partial documents a filter reads, the top-k sort and
// the histogram buckets.
//
// A query runs one of two ways:
//
//   - Without a filter, and sorted by columns only, the database does all of
//     it: count(*), ORDER BY ... LIMIT ... OFFSET, GROUP BY bucket.
//   - Otherwise the database scans the rows left by the time range and the
//     Equal terms (both answered from indexes) and returns, per row, the id,
//     the sort columns and the JSON values at the paths the filter and the
//     sort read (PostgreSQL extracts them; from SQLite the document comes
//     back and Extractor picks them out in one pass, since SQLite's JSON
//     functions are slower here; either way the whole document is never
//     decoded); Go builds a small partial document per row, runs the
//     filter, counts, keeps the best offset+limit rows in a heap, and finally
//     loads the page's documents by id.
package query

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tracflow/tracflow/internal/jsonx"
	"github.com/tracflow/tracflow/internal/store"
)

// Table is the logical schema of one record kind.
type Table struct {
	Name    string
	Columns map[string]Column // by document field
}

// Column is a document field kept in a column.
type Column struct {
	Name string
	Int  bool // Unix microseconds; otherwise text
	// Null: the column may be NULL (a text field the document lacks).
	Null bool
}

var tables = map[string]*Table{
	store.KindProfile: {Name: "profiles", Columns: map[string]Column{
		"id":                   {Name: "id"},
		"metadata.time.insert": {Name: "inserted_us", Int: true},
		"metadata.time.update": {Name: "updated_us", Int: true},
	}},
	store.KindSession: {Name: "sessions", Columns: map[string]Column{
		"id":                   {Name: "id"},
		"profile.id":           {Name: "profile_id", Null: true},
		"metadata.time.insert": {Name: "inserted_us", Int: true},
	}},
	store.KindEvent: {Name: "events", Columns: map[string]Column{
		"id":                   {Name: "id"},
		"type":                 {Name: "type", Null: true},
		"profile.id":           {Name: "profile_id", Null: true},
		"session.id":           {Name: "session_id", Null: true},
		"source.id":            {Name: "source_id", Null: true},
		"metadata.status":      {Name: "status", Null: true},
		"metadata.time.insert": {Name: "inserted_us", Int: true},
	}},
}

// Key is one sort key: a column, or a JSON path read from the document.
type Key struct {
	Col  *Column  // nil for a document path
	Path []string // the document path when Col is nil
	Desc bool
}

// Plan is a checked query.
type Plan struct {
	Table     *Table
	FromUS    *int64 // nil: open
	ToUS      *int64
	Equal     []equal
	Keys      []Key
	Extract   [][]string // JSON paths the database returns per scanned row
	Match     func(store.Doc) bool
	Limit     int
	Offset    int
	After     *string // keyset: only ids after it
	tieDesc   bool
	nColKeys  int
	extractor *Extractor
}

type equal struct {
	col    string
	values []string
}

// Fast reports whether the database answers the query alone (no filter, no
// sort by a document path).
func (p *Plan) Fast() bool { return p.Match == nil && p.nColKeys == len(p.Keys) }

// Compile checks q and maps it onto its table.
func Compile(q *store.Query) (*Plan, error) {
	t, ok := tables[q.Kind]
	if !ok {
		return nil, fmt.Errorf("store: query: unknown kind %q (want profile, session or event)", q.Kind)
	}
	p := &Plan{Table: t, Limit: q.Limit, Offset: max(q.Offset, 0)}
	if !q.From.IsZero() {
		us := q.From.UnixMicro()
		p.FromUS = &us
	}
	if !q.To.IsZero() {
		us := q.To.UnixMicro()
		p.ToUS = &us
	}
	if q.After != "" {
		after := q.After
		p.After = &after
	}
	for _, e := range q.Equal {
		c, ok := t.Columns[e.Field]
		if !ok || c.Int {
			return nil, fmt.Errorf("store: query: %s records cannot be narrowed by %q; fields with a text column: %s", q.Kind, e.Field, strings.Join(textColumns(t), ", "))
		}
		vals := make([]string, 0, len(e.Values))
		for _, v := range e.Values {
			if v != "" { // "" is stored as NULL: it matches nothing
				vals = append(vals, v)
			}
		}
		p.Equal = append(p.Equal, equal{col: c.Name, values: vals})
	}
	sorts := q.Sort
	if len(sorts) == 0 {
		sorts = []store.Sort{{Field: []string{"metadata", "time", "insert"}, Desc: true}}
	}
	var paths [][]string
	for i, s := range sorts {
		k := Key{Desc: s.Desc}
		if c, ok := t.Columns[strings.Join(s.Field, ".")]; ok && !hasDot(s.Field) {
			c := c
			k.Col = &c
			p.nColKeys++
		} else {
			if len(s.Field) == 0 {
				return nil, fmt.Errorf("store: query: sort key %d has no field", i)
			}
			k.Path = s.Field
			paths = append(paths, s.Field)
		}
		p.Keys = append(p.Keys, k)
	}
	p.tieDesc = p.Keys[0].Desc
	if q.Filter != nil {
		if q.Filter.Match == nil {
			return nil, fmt.Errorf("store: query: filter without a Match function")
		}
		p.Match = q.Filter.Match
		paths = append(paths, q.Filter.Fields...)
	}
	p.Extract = extractPaths(paths)
	return p, nil
}

func hasDot(path []string) bool {
	for _, s := range path {
		if strings.Contains(s, ".") {
			return true
		}
	}
	return false
}

func textColumns(t *Table) []string {
	var out []string
	for f, c := range t.Columns {
		if !c.Int {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// Extractable is the part of path that both databases can read by key: it
// stops before the first segment that could be a list index (all digits, or
// a sign), is empty or holds a quote or a backslash. Go walks the rest.
func Extractable(path []string) []string {
	for i, s := range path {
		if s == "" || strings.ContainsAny(s, "\"\\") || s[0] == '-' || s[0] == '+' || allDigits(s) {
			return path[:i]
		}
	}
	return path
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// extractPaths truncates every path to what the database can read and drops
// paths inside another one (the whole document, the empty path, covers all).
func extractPaths(paths [][]string) [][]string {
	var cut [][]string
	for _, p := range paths {
		cut = append(cut, Extractable(p))
	}
	slices.SortFunc(cut, func(a, b []string) int { return len(a) - len(b) })
	var out [][]string
next:
	for _, p := range cut {
		for _, q := range out {
			if len(q) <= len(p) && slices.Equal(q, p[:len(q)]) {
				continue next
			}
		}
		out = append(out, p)
	}
	return out
}

// Dialect is what differs between the databases' SQL.
type Dialect struct {
	// Arg returns the placeholder of the n-th argument (from 1).
	Arg func(n int) string
	// Extract returns the SQL reading, as JSON text (NULL when absent), the
	// value at the path bound to the placeholder ph; PathArg gives that
	// argument's value. Whole is the document itself as JSON text. With
	// Extract nil the scan reads the whole document once and the values are
	// extracted in Go (Row.Doc).
	Extract func(ph string) string
	PathArg func(path []string) any
	Whole   string
	// NoLimit is what LIMIT takes to mean no limit.
	NoLimit string
}

// SQL builds statements for a plan.
type SQL struct {
	d    *Dialect
	p    *Plan
	Args []any
}

// Builder returns an SQL builder for p in dialect d.
func (p *Plan) Builder(d *Dialect) *SQL { return &SQL{d: d, p: p} }

func (b *SQL) arg(v any) string {
	b.Args = append(b.Args, v)
	return b.d.Arg(len(b.Args))
}

// where is the WHERE clause of the time range and Equal terms.
func (b *SQL) where() string {
	var conds []string
	if b.p.FromUS != nil {
		conds = append(conds, "inserted_us >= "+b.arg(*b.p.FromUS))
	}
	if b.p.ToUS != nil {
		conds = append(conds, "inserted_us < "+b.arg(*b.p.ToUS))
	}
	if b.p.After != nil {
		conds = append(conds, "id > "+b.arg(*b.p.After))
	}
	for _, e := range b.p.Equal {
		if len(e.values) == 0 {
			conds = append(conds, "1 = 0")
			continue
		}
		phs := make([]string, len(e.values))
		for i, v := range e.values {
			phs[i] = b.arg(v)
		}
		conds = append(conds, e.col+" IN ("+strings.Join(phs, ", ")+")")
	}
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// Count is SELECT count(*) of the rows in range.
func (b *SQL) Count() string {
	return "SELECT count(*) FROM " + b.p.Table.Name + b.where()
}

// Page is the fast path's SELECT of the documents of the page.
func (b *SQL) Page() string {
	var order []string
	for _, k := range b.p.Keys {
		o := k.Col.Name + dir(k.Desc)
		if k.Col.Null {
			o += " NULLS LAST"
		}
		order = append(order, o)
	}
	order = append(order, "id"+dir(b.p.tieDesc))
	limit := b.d.NoLimit
	if b.p.Limit > 0 {
		limit = strconv.Itoa(b.p.Limit)
	}
	return "SELECT " + b.d.Whole + " FROM " + b.p.Table.Name + b.where() +
		" ORDER BY " + strings.Join(order, ", ") + " LIMIT " + limit + " OFFSET " + strconv.Itoa(b.p.Offset)
}

func dir(desc bool) string {
	if desc {
		return " DESC"
	}
	return " ASC"
}

// Scan selects, per row in range: id, inserted_us, the sort columns, then the
// extracted JSON values (see Row).
func (b *SQL) Scan() string {
	cols := []string{"id", "inserted_us"}
	for _, k := range b.p.Keys {
		if k.Col != nil {
			cols = append(cols, k.Col.Name)
		}
	}
	if b.d.Extract == nil {
		if len(b.p.Extract) > 0 {
			cols = append(cols, b.d.Whole)
		}
	} else {
		for _, path := range b.p.Extract {
			if len(path) == 0 {
				cols = append(cols, b.d.Whole)
				continue
			}
			cols = append(cols, b.d.Extract(b.arg(b.d.PathArg(path))))
		}
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + b.p.Table.Name + b.where()
}

// Docs selects id and document of n rows by id (the arguments are the ids).
func (b *SQL) Docs(ids []string) string {
	phs := make([]string, len(ids))
	for i, id := range ids {
		phs[i] = b.arg(id)
	}
	return "SELECT id, " + b.d.Whole + " FROM " + b.p.Table.Name + " WHERE id IN (" + strings.Join(phs, ", ") + ")"
}

// Histogram counts rows in range per bucket of width microseconds, in the
// database (the fast path).
func (b *SQL) Histogram(widthUS int64) string {
	w := strconv.FormatInt(widthUS, 10)
	return "SELECT inserted_us - ((inserted_us % " + w + ") + " + w + ") % " + w + " AS bucket, count(*) FROM " +
		b.p.Table.Name + b.where() + " GROUP BY bucket ORDER BY bucket"
}

// Row is one scanned row: what Scan selects, filled in by the backend.
type Row struct {
	ID         string
	InsertedUS int64
	// Cols holds the sort columns in key order: int64 for time columns; a
	// string, or nil for NULL, for text columns.
	Cols []any
	// JSON holds the extracted values in Plan.Extract order as JSON text;
	// nil when the record has no value there.
	JSON [][]byte
	// Doc is the whole document, when the dialect extracts in Go (then the
	// scan selects it in place of the extracted values, and JSON is filled
	// from it).
	Doc []byte
}

// NewRow returns a row sized for the plan; the backend reuses it for every
// scanned row.
func (p *Plan) NewRow() *Row {
	return &Row{Cols: make([]any, p.nColKeys), JSON: make([][]byte, len(p.Extract))}
}

// Targets returns the scan destinations of row's id, insert time and sort
// columns, in the order the scan statement selects them, and fill, which
// copies the scanned column values into row.Cols after each Scan. Both
// database/sql and pgx scan NULL into the **string used for text columns.
func (p *Plan) Targets(row *Row) (dest []any, fill func()) {
	dest = []any{&row.ID, &row.InsertedUS}
	var fills []func()
	for _, k := range p.Keys {
		if k.Col == nil {
			continue
		}
		i := len(fills)
		if k.Col.Int {
			v := new(int64)
			dest = append(dest, v)
			fills = append(fills, func() { row.Cols[i] = *v })
		} else {
			v := new(*string)
			dest = append(dest, v)
			fills = append(fills, func() {
				if *v != nil {
					row.Cols[i] = **v
				} else {
					row.Cols[i] = nil
				}
			})
		}
	}
	return dest, func() {
		for _, f := range fills {
			f()
		}
	}
}

// missing marks a sort value the record does not have.
type missingT struct{}

var missing any = missingT{}

// Collector takes the scanned rows: it filters, counts and keeps the best
// rows of the page.
type Collector struct {
	p       *Plan
	Total   int
	keep    int // rows kept at most: offset+limit, or all (-1)
	heap    []item
	scratch []any
}

type item struct {
	id   string
	vals []any
}

// Collect starts collecting rows for p.
func (p *Plan) Collect() *Collector {
	c := &Collector{p: p, keep: -1}
	if p.Limit > 0 {
		c.keep = p.Offset + p.Limit
	}
	return c
}

// partial builds the document the filter and the sort read.
func (p *Plan) partial(r *Row) (store.Doc, error) {
	if r.Doc != nil {
		if len(p.Extract) == 1 && len(p.Extract[0]) == 0 {
			r.JSON[0] = r.Doc
		} else {
			if p.extractor == nil {
				p.extractor = NewExtractor(p.Extract)
			}
			if err := p.extractor.Extract(r.Doc, r.JSON); err != nil {
				return nil, fmt.Errorf("store: record %q: %w", r.ID, err)
			}
		}
	}
	doc := store.Doc{}
	for i, path := range p.Extract {
		raw := r.JSON[i]
		if raw == nil {
			continue
		}
		v, err := decode(raw)
		if err != nil {
			return nil, fmt.Errorf("store: record %q: decoding %s: %w", r.ID, strings.Join(path, "."), err)
		}
		if len(path) == 0 {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("store: record %q is not a JSON object", r.ID)
			}
			doc = m
			continue
		}
		cur := doc
		for _, seg := range path[:len(path)-1] {
			next, ok := cur[seg].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[seg] = next
			}
			cur = next
		}
		cur[path[len(path)-1]] = v
	}
	return doc, nil
}

// decode reads a JSON value as encoding/json does into an any.
func decode(raw []byte) (any, error) {
	if len(raw) == 0 {
		return nil, errBadJSON
	}
	return jsonx.Unmarshal(raw)
}

// Add takes one scanned row; the row may be reused afterwards.
func (c *Collector) Add(r *Row) error {
	var doc store.Doc
	if len(c.p.Extract) > 0 {
		var err error
		if doc, err = c.p.partial(r); err != nil {
			return err
		}
	}
	if c.p.Match != nil && !c.p.Match(doc) {
		return nil
	}
	c.Total++
	if c.scratch == nil {
		c.scratch = make([]any, len(c.p.Keys))
	}
	vals := c.scratch
	ci := 0
	for i, k := range c.p.Keys {
		if k.Col != nil {
			v := r.Cols[ci]
			ci++
			if v == nil {
				v = missing
			}
			vals[i] = v
			continue
		}
		v, ok := walk(doc, k.Path)
		if !ok {
			v = missing
		}
		vals[i] = v
	}
	it := item{id: r.ID, vals: vals}
	if c.keep < 0 || len(c.heap) < c.keep {
		it.vals = slices.Clone(vals)
		c.heap = append(c.heap, it)
		if c.keep > 0 {
			c.up(len(c.heap) - 1)
		}
		return nil
	}
	// The heap's root is the worst row kept: replace it when this one is better.
	if c.less(it, c.heap[0]) {
		it.vals = slices.Clone(vals)
		c.heap[0] = it
		c.down(0)
	}
	return nil
}

// less reports whether a comes before b in the result.
func (c *Collector) less(a, b item) bool {
	for i, k := range c.p.Keys {
		r := compare(a.vals[i], b.vals[i], k.Desc)
		if r != 0 {
			return r < 0
		}
	}
	if c.p.tieDesc {
		return a.id > b.id
	}
	return a.id < b.id
}

// The heap is ordered worst first (a max-heap by result order).
func (c *Collector) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !c.less(c.heap[parent], c.heap[i]) {
			return
		}
		c.heap[parent], c.heap[i] = c.heap[i], c.heap[parent]
		i = parent
	}
}

func (c *Collector) down(i int) {
	n := len(c.heap)
	for {
		l, worst := 2*i+1, i
		if l < n && c.less(c.heap[worst], c.heap[l]) {
			worst = l
		}
		if r := l + 1; r < n && c.less(c.heap[worst], c.heap[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		c.heap[i], c.heap[worst] = c.heap[worst], c.heap[i]
		i = worst
	}
}

// PageIDs returns the ids of the page, in result order.
func (c *Collector) PageIDs() []string {
	items := slices.Clone(c.heap)
	slices.SortFunc(items, func(a, b item) int {
		if c.less(a, b) {
			return -1
		}
		if c.less(b, a) {
			return 1
		}
		return 0
	})
	if c.p.Offset >= len(items) {
		return []string{}
	}
	items = items[c.p.Offset:]
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.id
	}
	return ids
}

// Order arranges the documents loaded by id in the order of ids; a document
// deleted since the scan is left out.
func Order(ids []string, byID map[string]store.Doc) []store.Doc {
	out := make([]store.Doc, 0, len(ids))
	for _, id := range ids {
		if d, ok := byID[id]; ok {
			out = append(out, d)
		}
	}
	return out
}

// compare orders two sort values: missing last in either direction, then
// by type rank, then by value; desc reverses all but the missing rule.
func compare(a, b any, desc bool) int {
	_, am := a.(missingT)
	_, bm := b.(missingT)
	switch {
	case am && bm:
		return 0
	case am:
		return 1
	case bm:
		return -1
	}
	r := compareValues(a, b)
	if desc {
		return -r
	}
	return r
}

func rank(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case bool:
		return 1
	case float64, int64:
		return 2
	case string:
		return 3
	case []any:
		return 4
	}
	return 5
}

func compareValues(a, b any) int {
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return ra - rb
	}
	switch x := a.(type) {
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case int64:
		if y, ok := b.(int64); ok {
			return cmpOrdered(x, y)
		}
		return cmpFloat(float64(x), toFloat(b))
	case float64:
		return cmpFloat(x, toFloat(b))
	case string:
		return strings.Compare(x, b.(string))
	}
	return 0
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return math.NaN()
}

func cmpFloat(a, b float64) int { return cmpOrdered(a, b) }

func cmpOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// walk reads path in a decoded document as dot notation does: keys of
// objects, and whole-number segments as indexes of lists.
func walk(doc store.Doc, path []string) (any, bool) {
	var cur any = map[string]any(doc)
	for _, seg := range path {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[seg]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// Buckets counts, per bucket of width, what the histogram scan collects.
type Buckets struct {
	p      *Plan
	width  int64
	counts map[int64]int
}

// Floor is the start of the bucket of width holding us.
func Floor(us, width int64) int64 { return us - ((us%width)+width)%width }

// WidthUS checks a histogram width and returns it in microseconds.
func WidthUS(width time.Duration) (int64, error) {
	w := width.Microseconds()
	if w <= 0 {
		return 0, fmt.Errorf("store: histogram: bucket width %v is not positive", width)
	}
	return w, nil
}

// CountBuckets starts counting the rows of p in buckets of width.
func (p *Plan) CountBuckets(widthUS int64) *Buckets {
	return &Buckets{p: p, width: widthUS, counts: map[int64]int{}}
}

// Add takes one scanned row.
func (b *Buckets) Add(r *Row) error {
	if b.p.Match != nil {
		doc, err := b.p.partial(r)
		if err != nil {
			return err
		}
		if !b.p.Match(doc) {
			return nil
		}
	}
	b.counts[Floor(r.InsertedUS, b.width)]++
	return nil
}

// Result lists the buckets, oldest first.
func (b *Buckets) Result() []store.Bucket {
	starts := make([]int64, 0, len(b.counts))
	for s := range b.counts {
		starts = append(starts, s)
	}
	slices.Sort(starts)
	out := make([]store.Bucket, len(starts))
	for i, s := range starts {
		out[i] = store.Bucket{Start: time.UnixMicro(s).UTC(), Count: b.counts[s]}
	}
	return out
}

// BucketRow turns one row of SQL.Histogram into a bucket.
func BucketRow(startUS int64, n int64) store.Bucket {
	return store.Bucket{Start: time.UnixMicro(startUS).UTC(), Count: int(n)}
}
