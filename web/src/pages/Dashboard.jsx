import { useMemo, useState } from 'react';
import * as api from '../api.js';
import { ErrorBox, Link, Spinner, useAsync } from '../ui.jsx';
import { HOUR, hourlySeries, integerTicks, stackedSeries } from '../lib/series.js';

const RANGES = [
  { value: 24, label: 'Last 24 hours' },
  { value: 72, label: 'Last 3 days' },
  { value: 168, label: 'Last 7 days' },
];

const COLORS = ['#4f6bed', '#e8833a', '#3aa876', '#c94f7c', '#8a63d2', '#d1b43a', '#3a9fc9', '#888'];

/** Stacked bars per hour, with a whole-number count axis and a legend. */
function BarChart({ series, label, unit = 'events', names }) {
  const W = 900;
  const H = 260;
  const pad = { l: 44, r: 10, t: 10, b: 34 };
  const { max, ticks } = integerTicks(Math.max(0, ...series.map((s) => s.count)));
  const bw = (W - pad.l - pad.r) / Math.max(1, series.length);
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const labelEvery = Math.ceil(series.length / 12);
  const total = series.reduce((a, s) => a + s.count, 0);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${label}: ${total} in total`} preserveAspectRatio="none">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} className="chart-grid" />
            <text x={pad.l - 6} y={y(t) + 4} textAnchor="end" className="chart-label">{t}</text>
          </g>
        ))}
        {series.map((s, i) => {
          const x = pad.l + i * bw;
          const d = new Date(s.time);
          let base = 0;
          const parts = s.parts || [{ name: unit, count: s.count }];
          return (
            <g key={s.time}>
              {parts.map((p, j) => {
                if (!p.count) return null;
                const top = base + p.count;
                const r = (
                  <rect key={p.name} x={x + 1} y={y(top)} width={Math.max(1, bw - 2)} height={y(base) - y(top)} className="chart-bar" rx="2"
                    style={s.parts ? { fill: COLORS[j % COLORS.length] } : undefined}>
                    <title>{`${d.toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' })}: ${p.count} ${p.name}`}</title>
                  </rect>
                );
                base = top;
                return r;
              })}
              {s.count === 0 && (
                <rect x={x + 1} y={y(0)} width={Math.max(1, bw - 2)} height={0} className="chart-bar">
                  <title>{`${d.toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' })}: 0 ${unit}`}</title>
                </rect>
              )}
              {i % labelEvery === 0 && (
                <text x={x + bw / 2} y={H - pad.b + 16} textAnchor="middle" className="chart-label">
                  {d.getHours() === 0 || i === 0 ? d.toLocaleDateString([], { month: 'short', day: 'numeric' }) : `${String(d.getHours()).padStart(2, '0')}:00`}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {names && names.length > 0 && (
        <ul className="chart-legend" aria-label={`${label}: legend`}>
          {names.map((n, j) => <li key={n}><span className="swatch" style={{ background: COLORS[j % COLORS.length] }} />{n}</li>)}
        </ul>
      )}
      <figcaption className="muted small">{total} {unit}; each bar is one hour.</figcaption>
    </figure>
  );
}

/** Horizontal bars of the top counts, whole numbers. */
function TopList({ rows, label, unit }) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  if (!rows.length) return <p className="muted">No {unit} in this range.</p>;
  return (
    <table className="table top-list" aria-label={label}>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <th scope="row"><Link to={r.to}><code>{r.name}</code></Link></th>
            <td className="top-bar-cell"><span className="top-bar" style={{ width: `${(100 * r.count) / max}%` }} /></td>
            <td className="num">{r.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Event types shown separately in the chart; the others are summed.
const MAX_TYPES = 6;
const SYSTEM_TYPES = ['profile-created', 'session-opened', 'visit-started', 'visit-ended', 'profile-merged', 'segment-entered', 'segment-left'];

function Stat({ label, value, to }) {
  return (
    <Link to={to} className="stat card">
      <span className="stat-value">{value ?? '—'}</span>
      <span className="stat-label">{label}</span>
    </Link>
  );
}

export default function Dashboard() {
  const [hours, setHours] = useState(24);
  const [now] = useState(() => Date.now());
  const from = now - (hours - 1) * HOUR;
  const range = { interval: 'hour', from: new Date(Math.floor(from / HOUR) * HOUR).toISOString(), to: new Date(now).toISOString() };
  const hist = useAsync(() => api.eventHistogram({ where: '', ...range }), [hours]);
  const series = useMemo(() => hourlySeries(hist.data?.buckets, from, now), [hist.data, from, now]);
  // Events by type: the types the rules name and the system events, the
  // busiest MAX_TYPES of them apart, the rest as "other".
  const byType = useAsync(async () => {
    const rules = api.rows(await api.listRules().catch(() => []));
    const types = [...new Set([...rules.map((r) => r.event_type?.id || r.event_type).filter((t) => typeof t === 'string' && t), ...SYSTEM_TYPES])];
    const hs = await Promise.all(types.map((t) => api.eventHistogram({ where: `type == ${JSON.stringify(t)}`, ...range }).then((h) => [t, h])));
    const busy = hs.filter(([, h]) => h.total > 0).sort((a, b) => b[1].total - a[1].total);
    const out = Object.fromEntries(busy.slice(0, MAX_TYPES).map(([t, h]) => [t, h.buckets]));
    const all = await api.eventHistogram({ where: '', ...range });
    const shown = busy.slice(0, MAX_TYPES).map(([t]) => t);
    const inShown = new Map();
    for (const t of shown) for (const b of out[t]) inShown.set(b.time, (inShown.get(b.time) || 0) + b.count);
    const other = all.buckets.map((b) => ({ time: b.time, count: Math.max(0, b.count - (inShown.get(b.time) || 0)) }));
    if (other.some((b) => b.count > 0)) out.other = other;
    return out;
  }, [hours]);
  const typeSeries = useMemo(() => stackedSeries(byType.data || {}, from, now), [byType.data, from, now]);
  // New profiles (profile-created) and returning visits (visit-started of
  // profiles created before: every visit-started less the new profiles').
  const visitors = useAsync(async () => {
    const [created, started] = await Promise.all([
      api.eventHistogram({ where: 'type == "profile-created"', ...range }),
      api.eventHistogram({ where: 'type == "visit-started"', ...range })]);
    const newBy = new Map(created.buckets.map((b) => [b.time, b.count]));
    return { new: created.buckets, returning: started.buckets.map((b) => ({ time: b.time, count: Math.max(0, b.count - (newBy.get(b.time) || 0)) })) };
  }, [hours]);
  const visitorSeries = useMemo(() => stackedSeries(visitors.data || {}, from, now), [visitors.data, from, now]);
  const sources = useAsync(async () => {
    const list = api.rows(await api.listSources()).slice(0, 50);
    const counted = await Promise.all(list.map((src) => api.eventHistogram({ where: `source.id == ${JSON.stringify(src.id)}`, ...range })
      .then((h) => ({ name: src.id, count: h.total, to: `/events?source=${encodeURIComponent(src.id)}` }))));
    return counted.filter((r) => r.count > 0).sort((a, b) => b.count - a.count).slice(0, 5);
  }, [hours]);
  const counts = useAsync(async () => {
    const safe = (p) => p.then((r) => r?.total ?? api.rows(r).length).catch(() => null);
    const [flows, sources, rules, profiles] = await Promise.all([
      safe(api.listFlows({ limit: 1 })), safe(api.listSources()), safe(api.listRules()), safe(api.selectProfiles({ limit: 1 })),
    ]);
    return { flows, sources, rules, profiles };
  }, []);
  const c = counts.data || {};
  return (
    <div className="page">
      <div className="page-head"><h1>Dashboard</h1></div>
      <div className="stats">
        <Stat label="Workflows" value={c.flows} to="/flows" />
        <Stat label="Event sources" value={c.sources} to="/sources" />
        <Stat label="Rules" value={c.rules} to="/rules" />
        <Stat label="Profiles" value={c.profiles} to="/profiles" />
      </div>
      <section className="card" aria-labelledby="h-events">
        <div className="card-head">
          <h2 id="h-events">Events per hour</h2>
          <label className="inline-field">
            <span className="sr-only">Time range</span>
            <select className="input" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
              {RANGES.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
            </select>
          </label>
        </div>
        <ErrorBox error={hist.error} onRetry={hist.reload} />
        {hist.loading && !hist.data ? <Spinner /> : !hist.error && <BarChart series={series} label="Events per hour" />}
      </section>
      <section className="card" aria-labelledby="h-types">
        <h2 id="h-types">Events by type</h2>
        <ErrorBox error={byType.error} onRetry={byType.reload} />
        {byType.loading && !byType.data ? <Spinner /> : !byType.error && <BarChart series={typeSeries} label="Events by type" names={Object.keys(byType.data || {})} />}
      </section>
      <div className="dash-grid">
        <section className="card" aria-labelledby="h-visitors">
          <h2 id="h-visitors">New and returning visitors</h2>
          <ErrorBox error={visitors.error} onRetry={visitors.reload} />
          {visitors.loading && !visitors.data ? <Spinner /> : !visitors.error && <BarChart series={visitorSeries} label="New and returning visitors" unit="visits" names={['new', 'returning']} />}
        </section>
        <section className="card" aria-labelledby="h-sources">
          <h2 id="h-sources">Top sources</h2>
          <ErrorBox error={sources.error} onRetry={sources.reload} />
          {sources.loading && !sources.data ? <Spinner /> : !sources.error && <TopList rows={sources.data || []} label="Top sources by events" unit="events" />}
        </section>
      </div>
    </div>
  );
}
