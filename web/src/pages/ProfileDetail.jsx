import { useCallback, useEffect, useState } from 'react';
import * as api from '../api.js';
import { deviceLabel } from './Records.jsx';
import { navigate } from '../router.js';
import { flatten, prune, showValue } from '../lib/flatten.js';
import {
  Empty, ErrorBox, Link, Spinner, Tag, confirmDelete, formatTime, notify, pretty, useAsync,
} from '../ui.jsx';
import { profileLabel } from './Profiles.jsx';
import ProfileConsents from '../components/ProfileConsents.jsx';

function KeyValues({ value, empty = 'Nothing yet.' }) {
  const rows = flatten(value || {});
  if (!rows.length) return <p className="muted">{empty}</p>;
  return (
    <table className="kv-table">
      <tbody>
        {rows.map(([k, v]) => <tr key={k}><th scope="row"><code>{k}</code></th><td>{showValue(v)}</td></tr>)}
      </tbody>
    </table>
  );
}

function EventItem({ ev }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="timeline-item">
      <span className="timeline-dot" aria-hidden="true" />
      <div className="timeline-body">
        <button type="button" className="link-btn" aria-expanded={open} onClick={() => setOpen(!open)}>
          <strong>{ev.type}</strong>
        </button>
        <span className="muted small"> {formatTime(ev.metadata?.time?.insert || ev.metadata?.time?.create)}</span>
        {ev.metadata?.status && <Tag>{ev.metadata.status}</Tag>}
        {open && <pre className="code-block small">{pretty({ id: ev.id, source: ev.source, session: ev.session, properties: ev.properties, traits: ev.traits, context: ev.context })}</pre>}
      </div>
    </li>
  );
}

const EVENTS_PAGE = 20;

// Ids made from contact fields and merge keys start with one of these.
const KEY_PREFIX = /^(emm|emb|emp|phm|phb|pho|pwa|ipk|iid|mrg)-/;
const keyIds = (p) => (p.ids || []).filter((x) => KEY_PREFIX.test(x));
const mergedIds = (p) => (p.ids || []).filter((x) => !KEY_PREFIX.test(x));

export default function ProfileDetail({ id }) {
  const profile = useAsync(() => api.getProfile(id), [id]);
  const sessions = useAsync(() => api.profileSessions(id), [id]);
  const [events, setEvents] = useState({ list: [], total: 0, loading: true, error: null });

  const fetchEvents = useCallback((offset) => api.profileEvents(id, { limit: EVENTS_PAGE, offset }).then(
    (r) => setEvents((s) => ({ list: offset ? [...s.list, ...api.rows(r)] : api.rows(r), total: r?.total ?? 0, loading: false, error: null })),
    (error) => setEvents((s) => ({ ...s, loading: false, error })),
  ), [id]);
  const loadEvents = (offset) => {
    setEvents((s) => ({ ...s, loading: true, error: null }));
    fetchEvents(offset);
  };
  useEffect(() => { fetchEvents(0); }, [fetchEvents]);

  const remove = () => confirmDelete('Delete this profile with its events and sessions? This cannot be undone.',
    () => api.deleteProfile(id), () => { notify('Profile deleted.'); navigate('/profiles'); });

  const p = profile.data;
  const sessionCount = sessions.data ? (sessions.data.total ?? api.rows(sessions.data).length) : null;
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <p className="crumbs"><Link to="/profiles">Profiles</Link> /</p>
          <h1 className="break">{p ? profileLabel(p) || 'Anonymous profile' : 'Profile'}</h1>
          <code className="id">{id}</code>
        </div>
        <div className="head-actions">
          <button type="button" className="btn" onClick={() => { profile.reload(); loadEvents(0); sessions.reload(); }}>Refresh</button>
          <button type="button" className="btn btn-danger-ghost" onClick={remove}>Delete</button>
        </div>
      </div>
      <ErrorBox error={profile.error} onRetry={profile.reload} />
      {profile.loading && !p ? <Spinner /> : p && (
        <div className="profile-grid">
          <section className="card" aria-labelledby="h-traits">
            <h2 id="h-traits">Traits</h2>
            <KeyValues value={p.traits} empty="No traits yet." />
          </section>
          <section className="card" aria-labelledby="h-seg">
            <h2 id="h-seg">Segments</h2>
            {(p.segments || []).length ? <div>{p.segments.map((s) => <Tag key={s}>{s}</Tag>)}</div> : <p className="muted">In no segment.</p>}
            <h2 id="h-stats">Statistics</h2>
            <table className="kv-table"><tbody>
              <tr><th scope="row">Visits</th><td>{p.stats?.visits ?? 0}</td></tr>
              <tr><th scope="row">Views</th><td>{p.stats?.views ?? 0}</td></tr>
              <tr><th scope="row">Sessions</th><td>{sessionCount ?? '…'}</td></tr>
              <tr><th scope="row">Created</th><td>{formatTime(p.metadata?.time?.insert || p.metadata?.time?.create)}</td></tr>
              <tr><th scope="row">Updated</th><td>{formatTime(p.metadata?.time?.update)}</td></tr>
              <tr><th scope="row">Last visit</th><td>{formatTime(p.metadata?.time?.visit?.last)}</td></tr>
            </tbody></table>
            {p.stats?.counters && Object.keys(p.stats.counters).length > 0 && (<>
              <h3>Counters</h3>
              <KeyValues value={p.stats.counters} />
            </>)}
          </section>
          <section className="card" aria-labelledby="h-data">
            <h2 id="h-data">Personal data and contact</h2>
            <KeyValues value={prune({ pii: p.data?.pii, contact: p.data?.contact }) || {}} empty="No personal data." />
            {(p.interests && Object.keys(p.interests).length > 0) && (<><h3>Interests</h3><KeyValues value={p.interests} /></>)}
            {mergedIds(p).length > 0 && (<><h3>Merged-away profiles</h3>
              <p className="muted small">Ids of profiles merged into this one; trackers that still send them find this profile.</p>
              <ul className="plain-list" aria-label="Merged-away profile ids">{mergedIds(p).map((x) => <li key={x}><code className="id">{x}</code></li>)}</ul></>)}
            {keyIds(p).length > 0 && (<><h3>Identity keys</h3>
              <p className="muted small">Hashed contact and merge-key ids: another profile that gets one of them is merged into this one.</p>
              {keyIds(p).map((x) => <code key={x} className="id block">{x}</code>)}</>)}
            <ProfileConsents profileId={p.id} />
          </section>
          <section className="card card-wide" aria-labelledby="h-sessions">
            <h2 id="h-sessions">Sessions <span className="muted small">({sessionCount ?? '…'})</span> <Link className="small" to={`/sessions?profile=${encodeURIComponent(p.id)}`}>all</Link></h2>
            <ErrorBox error={sessions.error} onRetry={sessions.reload} />
            {api.rows(sessions.data).length === 0 ? !sessions.loading && <Empty>No sessions.</Empty> : (
              <div className="table-wrap">
                <table className="table" aria-label="Sessions, newest first">
                  <thead><tr><th>Started</th><th>Device</th><th className="hide-narrow">Where</th><th className="hide-narrow">UTM source</th><th>Status</th></tr></thead>
                  <tbody>
                    {api.rows(sessions.data).map((s) => (
                      <tr key={s.id}>
                        <td className="nowrap">{formatTime(s.metadata?.time?.insert)}</td>
                        <td>{deviceLabel(s) || <span className="muted">unknown</span>}</td>
                        <td className="hide-narrow">{[s.device?.geo?.city, s.device?.geo?.country?.code || s.device?.geo?.country?.name].filter(Boolean).join(', ')}</td>
                        <td className="hide-narrow">{s.utm?.source || ''}</td>
                        <td>{s.metadata?.status}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section className="card card-wide" aria-labelledby="h-events">
            <h2 id="h-events">Events <span className="muted small">({events.total})</span></h2>
            <ErrorBox error={events.error} onRetry={() => loadEvents(0)} />
            {events.list.length === 0 && !events.loading ? <Empty>No events.</Empty> : (
              <ol className="timeline" aria-label="Event timeline, newest first">
                {events.list.map((ev, i) => <EventItem key={ev.id || i} ev={ev} />)}
              </ol>
            )}
            {events.loading && <Spinner />}
            {!events.loading && events.list.length < events.total && (
              <button type="button" className="btn btn-small" onClick={() => loadEvents(events.list.length)}>Load older events</button>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
