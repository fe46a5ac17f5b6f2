import { useMemo, useState } from 'react';
import * as api from '../api.js';
import { ErrorBox, Link, Spinner, useAsync } from '../ui.jsx';
import { HOUR, hourlySeries } from '../lib/series.js';

const RANGES = [
  { value: 24, label: 'Last 24 hours' },
  { value: 72, label: 'Last 3 days' },
  { value: 168, label: 'Last 7 days' },
];

function niceMax(n) {
  if (n <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

function BarChart({ series }) {
  const W = 900;
  const H = 260;
  const pad = { l: 44, r: 10, t: 10, b: 34 };
  const max = niceMax(Math.max(0, ...series.map((s) => s.count)));
  const bw = (W - pad.l - pad.r) / Math.max(1, series.length);
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const ticks = [0, max / 4, max / 2, (3 * max) / 4, max];
  const labelEvery = Math.ceil(series.length / 12);
  const total = series.reduce((a, s) => a + s.count, 0);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Events per hour: ${total} in total`} preserveAspectRatio="none">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} className="chart-grid" />
            <text x={pad.l - 6} y={y(t) + 4} textAnchor="end" className="chart-label">{Number.isInteger(t) ? t : t.toFixed(1)}</text>
          </g>
        ))}
        {series.map((s, i) => {
          const x = pad.l + i * bw;
          const d = new Date(s.time);
          return (
            <g key={s.time}>
              <rect x={x + 1} y={y(s.count)} width={Math.max(1, bw - 2)} height={H - pad.b - y(s.count)} className="chart-bar" rx="2">
                <title>{`${d.toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' })}: ${s.count} events`}</title>
              </rect>
              {i % labelEvery === 0 && (
                <text x={x + bw / 2} y={H - pad.b + 16} textAnchor="middle" className="chart-label">
                  {d.getHours() === 0 || i === 0 ? d.toLocaleDateString([], { month: 'short', day: 'numeric' }) : `${String(d.getHours()).padStart(2, '0')}:00`}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="muted small">{total} events; each bar is one hour.</figcaption>
    </figure>
  );
}

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
  const hist = useAsync(() => api.eventHistogram({ where: '', interval: 'hour', from: new Date(Math.floor(from / HOUR) * HOUR).toISOString(), to: new Date(now).toISOString() }), [hours]);
  const series = useMemo(() => hourlySeries(hist.data?.buckets, from, now), [hist.data, from, now]);
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
        {hist.loading && !hist.data ? <Spinner /> : !hist.error && <BarChart series={series} />}
      </section>
    </div>
  );
}
