import { useState } from 'react';
import * as api from '../api.js';
import { navigate } from '../router.js';
import { Empty, ErrorBox, Field, Link, Spinner, Tag, formatTime, pretty, useAsync } from '../ui.jsx';

const PAGE = 25;

/** TQL string literal. */
const lit = (s) => JSON.stringify(s);

/** The TQL condition of the filter fields, joined with the free TQL. */
export function recordWhere(kind, f) {
  const terms = [];
  if (kind === 'event' && f.type) terms.push(`type == ${lit(f.type)}`);
  if (kind === 'event' && f.source) terms.push(`source.id == ${lit(f.source)}`);
  if (f.profile) terms.push(`profile.id == ${lit(f.profile)}`);
  if (f.where) terms.push(terms.length ? `(${f.where})` : f.where);
  return terms.join(' AND ');
}

/** A datetime-local value as an RFC 3339 time ('' stays ''). */
const toISO = (v) => (v ? new Date(v).toISOString() : '');

function geoLabel(g) {
  if (!g) return '';
  return [g.city, g.country?.code || g.country?.name].filter(Boolean).join(', ');
}

/** Device, OS and browser of a session or an event, in one line. */
export function deviceLabel(r) {
  const app = r?.app || {};
  const parts = [r?.device?.type, r?.os?.name, [app.name, app.version?.split('.')[0]].filter(Boolean).join(' ')].filter(Boolean);
  return parts.join(' · ') + (app.bot ? ' (bot)' : '');
}

const KINDS = {
  event: { title: 'Events', path: '/events', filters: ['type', 'source', 'profile'], hint: <>e.g. <code>properties.price &gt; 100</code> or <code>metadata.system == true</code></> },
  session: { title: 'Sessions', path: '/sessions', filters: ['profile'], hint: <>e.g. <code>utm.source == "newsletter"</code> or <code>device.type == "mobile"</code></> },
};

const LABELS = { type: 'Event type', source: 'Source id', profile: 'Profile id' };

/** The events or sessions list with its filters and a detail view. */
export default function Records({ kind, query }) {
  const k = KINDS[kind];
  const f = { type: query.type || '', source: query.source || '', profile: query.profile || '', where: query.where || '', from: query.from || '', to: query.to || '' };
  const offset = Number(query.offset) || 0;
  const [form, setForm] = useState(f);
  const [open, setOpen] = useState(query.open || '');
  const where = recordWhere(kind, f);
  const { data, error, loading } = useAsync(
    () => api.selectRecords(kind, { where, from: toISO(f.from), to: toISO(f.to), limit: PAGE, offset }), [where, f.from, f.to, offset]);
  const list = api.rows(data);
  const total = data?.total ?? list.length;
  const go = (g, o = 0) => {
    const q = Object.fromEntries(Object.entries({ ...g, ...(o ? { offset: String(o) } : {}) }).filter(([, v]) => v));
    navigate(`${k.path}?${new URLSearchParams(q)}`.replace(/\?$/, ''));
  };
  const fe = error && (error.status === 422 || error.status === 400) ? error.fieldErrors() : null;
  const whereError = fe ? fe.where || fe.from || fe.to || error.detail : null;
  const set = (key) => (e) => setForm({ ...form, [key]: e.target.value });

  return (
    <div className="page">
      <div className="page-head"><h1>{k.title}</h1></div>
      <form className="filter-form" role="search" aria-label={`Filter ${k.title.toLowerCase()}`} onSubmit={(e) => { e.preventDefault(); go(form); }}>
        <div className="filter-row">
          {k.filters.map((key) => (
            <Field key={key} label={LABELS[key]}>
              {(p) => <input {...p} className="input mono" value={form[key]} onChange={set(key)} />}
            </Field>
          ))}
          <Field label="From">{(p) => <input {...p} type="datetime-local" className="input" value={form.from} onChange={set('from')} />}</Field>
          <Field label="To">{(p) => <input {...p} type="datetime-local" className="input" value={form.to} onChange={set('to')} />}</Field>
        </div>
        <Field label="Filter (TQL)" error={whereError} hint={k.hint}>
          {(p) => <input {...p} className="input mono" value={form.where} onChange={set('where')} />}
        </Field>
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">Search</button>
          <button type="button" className="btn" onClick={() => { setForm({ type: '', source: '', profile: '', where: '', from: '', to: '' }); go({}); }}>Clear</button>
        </div>
      </form>
      {error && !whereError && <ErrorBox error={error} />}
      {loading && !data ? <Spinner /> : !error && list.length === 0 ? <Empty>{where || f.from || f.to ? `No ${kind} matches these filters.` : `No ${kind}s yet. They appear when events are tracked.`}</Empty> : !error && (
        <>
          <p className="muted" data-testid="record-total">{total} {kind}{total === 1 ? '' : 's'}</p>
          <div className="table-wrap">
            <table className="table table-click">
              <thead>
                {kind === 'event'
                  ? <tr><th>Type</th><th>Time</th><th className="hide-narrow">Source</th><th className="hide-narrow">Profile</th><th>Status</th></tr>
                  : <tr><th>Session</th><th>Started</th><th className="hide-narrow">Device</th><th className="hide-narrow">Where</th><th>UTM source</th></tr>}
              </thead>
              <tbody>
                {list.map((r) => (
                  <RecordRow key={r.id} kind={kind} r={r} open={open === r.id} onToggle={() => setOpen(open === r.id ? '' : r.id)} />
                ))}
              </tbody>
            </table>
          </div>
          {total > PAGE && (
            <div className="pager">
              <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => go(f, Math.max(0, offset - PAGE))}>Previous</button>
              <span>{offset + 1}–{Math.min(offset + PAGE, total)} of {total}</span>
              <button type="button" className="btn btn-small" disabled={offset + PAGE >= total} onClick={() => go(f, offset + PAGE)}>Next</button>
            </div>
          )}
        </>
      )}
    </div>
  );
}

function RecordRow({ kind, r, open, onToggle }) {
  const pid = r.profile?.id;
  const profile = pid ? <Link to={`/profile/${encodeURIComponent(pid)}`} onClick={(e) => e.stopPropagation()}><code className="id">{pid}</code></Link> : <span className="muted">none</span>;
  const cells = kind === 'event' ? (
    <>
      <td><code>{r.type}</code>{r.metadata?.system && <> <Tag>system</Tag></>}</td>
      <td className="nowrap">{formatTime(r.metadata?.time?.insert)}</td>
      <td className="hide-narrow"><code>{r.source?.id}</code></td>
      <td className="hide-narrow">{profile}</td>
      <td>{r.metadata?.status}</td>
    </>
  ) : (
    <>
      <td><code className="id">{r.id}</code></td>
      <td className="nowrap">{formatTime(r.metadata?.time?.insert)}</td>
      <td className="hide-narrow">{deviceLabel(r)}</td>
      <td className="hide-narrow">{geoLabel(r.device?.geo)}</td>
      <td>{r.utm?.source || ''}</td>
    </>
  );
  return (
    <>
      <tr onClick={onToggle} aria-expanded={open} data-testid={`${kind}-row`}>{cells}</tr>
      {open && (
        <tr className="detail-row">
          <td colSpan={5}>
            <div className="record-detail" role="region" aria-label={`${kind} ${r.id}`}>
              <p>Id <code className="id">{r.id}</code> · profile {profile}{r.session?.id && kind === 'event' && <> · session <code className="id">{r.session.id}</code></>}</p>
              <pre className="code-block small">{pretty(r)}</pre>
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
