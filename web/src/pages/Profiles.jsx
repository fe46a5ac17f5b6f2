import { useState } from 'react';
import * as api from '../api.js';
import { navigate } from '../router.js';
import { Empty, Field, Link, Spinner, Tag, formatTime, useAsync } from '../ui.jsx';

const PAGE = 25;

export function profileLabel(p) {
  const pii = p?.data?.pii || {};
  const name = [pii.firstname, pii.lastname].filter(Boolean).join(' ');
  const email = p?.data?.contact?.email?.main || p?.data?.contact?.email?.business || p?.data?.contact?.email?.private;
  return name || email || '';
}

export default function Profiles({ query }) {
  const where = query.where || '';
  const offset = Number(query.offset) || 0;
  const [text, setText] = useState(where);
  const { data, error, loading } = useAsync(
    () => api.selectProfiles({ where, limit: PAGE, offset, sort: [{ field: 'metadata.time.update', order: 'desc' }] }), [where, offset]);
  const profiles = api.rows(data);
  const total = data?.total ?? profiles.length;
  const go = (w, o = 0) => navigate(`/profiles?${new URLSearchParams({ ...(w ? { where: w } : {}), ...(o ? { offset: String(o) } : {}) })}`.replace(/\?$/, ''));

  // A filter the server cannot parse comes back as 400/422; show it at the
  // filter, once: the field's own message when the answer names the field
  // (the general detail repeats it), else the detail.
  const fe = error && (error.status === 422 || error.status === 400) ? error.fieldErrors() : null;
  const whereError = fe ? fe.where || (!error.errors.length || fe[''] ? error.detail : null) : null;

  return (
    <div className="page">
      <div className="page-head"><h1>Profiles</h1></div>
      <form className="tql-form" onSubmit={(e) => { e.preventDefault(); go(text.trim()); }} role="search">
        <Field label="Filter (TQL)" error={whereError}
          hint={<>For example <code>traits.plan == "pro"</code>, <code>stats.visits &gt; 3 AND segments EXISTS</code>. Leave empty for all profiles.</>}>
          {(p) => <input {...p} className="input mono" value={text} onChange={(e) => setText(e.target.value)} placeholder='traits.plan == "pro"' />}
        </Field>
        <button type="submit" className="btn btn-primary">Search</button>
      </form>
      {error && !whereError && <div className="error-box" role="alert">{error.detail || error.message}</div>}
      {loading && !data ? <Spinner /> : !error && profiles.length === 0 ? <Empty>{where ? 'No profile matches this filter.' : 'No profiles yet. They appear when events are tracked.'}</Empty> : !error && (
        <>
          <p className="muted">{total} profile{total === 1 ? '' : 's'}</p>
          <div className="table-wrap">
            <table className="table table-click">
              <thead><tr><th>Profile</th><th className="hide-narrow">Name or e-mail</th><th>Visits</th><th className="hide-narrow">Updated</th><th>Segments</th></tr></thead>
              <tbody>
                {profiles.map((p) => (
                  <tr key={p.id} onClick={() => navigate(`/profile/${encodeURIComponent(p.id)}`)}>
                    <td><Link to={`/profile/${encodeURIComponent(p.id)}`}><code className="id">{p.id}</code></Link></td>
                    <td className="hide-narrow">{profileLabel(p) || <span className="muted">anonymous</span>}</td>
                    <td>{p.stats?.visits ?? 0}</td>
                    <td className="hide-narrow nowrap">{formatTime(p.metadata?.time?.update || p.metadata?.time?.insert)}</td>
                    <td>{(p.segments || []).map((s) => <Tag key={s}>{s}</Tag>)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {total > PAGE && (
            <div className="pager">
              <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => go(where, Math.max(0, offset - PAGE))}>Previous</button>
              <span>{offset + 1}–{Math.min(offset + PAGE, total)} of {total}</span>
              <button type="button" className="btn btn-small" disabled={offset + PAGE >= total} onClick={() => go(where, offset + PAGE)}>Next</button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
