import { useCallback, useEffect, useRef, useState } from 'react';
import * as api from '../api.js';
import {
  BusyButton, CheckField, Empty, ErrorBox, FormError, Link, Modal, Spinner, StaleNotice, Tag, TagsField, TextField, apiFieldErrors, confirmDelete,
  errorMessage, formatTime, notify, notifyError, useAsync, useFocusFirstError,
} from '../ui.jsx';

function SegmentDialog({ segment, onClose, onSaved }) {
  const [form, setForm] = useState(() => ({
    name: segment?.name || '', description: segment?.description || '', condition: segment?.condition || '',
    eventTypes: segment?.event_type || [], workflow: segment?.workflow?.id || '', tags: segment?.tags || [],
    enabled: segment ? segment.enabled !== false : true,
  }));
  const [errors, setErrors] = useState({});
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!form.name.trim()) errs.name = 'Give the segment a name.';
    if (!form.condition.trim() && !form.workflow.trim()) errs.condition = 'Write a condition, e.g. stats.visits > 3, or name a segmentation workflow.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await api.saveSegment({
        ...(segment?.id ? { id: segment.id, version: segment.version } : {}),
        name: form.name.trim(), description: form.description, condition: form.condition.trim(),
        event_type: form.eventTypes, workflow: form.workflow.trim() ? { id: form.workflow.trim() } : null,
        tags: form.tags, enabled: form.enabled,
      });
      onSaved();
    } catch (err) {
      setStale(api.isStale(err));
      setErrors(api.isStale(err) ? {} : apiFieldErrors(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={segment?.id ? 'Edit segment' : 'New segment'} onClose={onClose} wide
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form="segment-form" className="btn btn-primary" busy={busy}>{segment?.id ? 'Save' : 'Create'}</BusyButton>
      </>}>
      <form id="segment-form" ref={formRef} onSubmit={submit} noValidate>
        <StaleNotice show={stale} onReload={onClose} what="This segment" />
        <FormError error={errors['']} />
        <TextField label="Name" value={form.name} onChange={set('name')} error={errors.name || errors.id} required
          hint={segment?.id ? `Kept in profiles as ${segment.id}.` : 'Profiles in the segment carry its name in lower case with dashes, e.g. big-spenders.'} />
        <TextField label="Description" value={form.description} onChange={set('description')} multiline rows={2} />
        <TextField label="Condition" value={form.condition} onChange={set('condition')} error={errors.condition} multiline rows={3}
          hint="TQL over the profile; bare paths read the profile, e.g. stats.visits > 3 AND traits.country == &quot;PL&quot;." />
        <TagsField label="Only after events of these types" value={form.eventTypes} onChange={set('eventTypes')} error={errors.event_type}
          hint="Comma-separated; empty: re-evaluated after every event." />
        <TextField label="Segmentation workflow (flow id)" value={form.workflow} onChange={set('workflow')} error={errors['workflow.id'] || errors.workflow}
          hint="Optional: a deployed flow started by Start segmentation, run with the profile; its nodes decide its segments." />
        <TagsField value={form.tags} onChange={set('tags')} error={errors.tags} />
        <CheckField label="Enabled" checked={form.enabled} onChange={set('enabled')} />
      </form>
    </Modal>
  );
}

const PAGE = 20;

/** A segment's size, and its profiles a page at a time. */
function Members({ segment, onClose }) {
  const count = useAsync(() => api.segmentCount(segment.id), [segment.id]);
  const [list, setList] = useState({ rows: [], next: '', loading: true, error: null });
  const fetchPage = useCallback((after) => api.segmentProfiles(segment.id, { limit: PAGE, after }).then(
    (r) => setList((s) => ({ rows: after ? [...s.rows, ...api.rows(r)] : api.rows(r), next: r?.next || '', loading: false, error: null })),
    (error) => setList((s) => ({ ...s, loading: false, error })),
  ), [segment.id]);
  const load = (after) => {
    setList((s) => ({ ...s, loading: true, error: null }));
    fetchPage(after);
  };
  useEffect(() => { fetchPage(''); }, [fetchPage]);
  const download = async (format) => {
    try {
      await api.downloadSegment(segment.id, format);
    } catch (err) {
      notifyError(err);
    }
  };
  return (
    <Modal title={`Profiles in ${segment.name}`} onClose={onClose} wide
      footer={<>
        <button type="button" className="btn" onClick={() => download('csv')}>Export CSV</button>
        <button type="button" className="btn" onClick={() => download('ndjson')}>Export NDJSON</button>
        <button type="button" className="btn btn-primary" onClick={onClose}>Close</button>
      </>}>
      <p role="status" aria-label="Segment size">{count.data ? `${count.data.total} profile${count.data.total === 1 ? '' : 's'}` : count.error ? errorMessage(count.error) : '…'}</p>
      <ErrorBox error={list.error} onRetry={() => load('')} />
      {list.rows.length === 0 && !list.loading ? <Empty>No profile is in this segment.</Empty> : (
        <ul className="plain-list">
          {list.rows.map((p) => <li key={p.id}><Link to={`/profile/${encodeURIComponent(p.id)}`}><code>{p.id}</code></Link> {p.data?.contact?.email?.main || ''}</li>)}
        </ul>
      )}
      {list.loading && <Spinner />}
      {!list.loading && list.next && <button type="button" className="btn btn-small" onClick={() => load(list.next)}>More profiles</button>}
    </Modal>
  );
}

/** Re-evaluates every segment over every profile, with its progress. */
function Refresh() {
  const { data, reload } = useAsync(() => api.segmentsProgress(), []);
  const [busy, setBusy] = useState(false);
  const running = data?.state === 'running';
  useEffect(() => {
    if (!running) return undefined;
    const t = setInterval(reload, 1000);
    return () => clearInterval(t);
  }, [running, reload]);
  const start = async () => {
    setBusy(true);
    try {
      await api.refreshSegments();
      notify('Re-evaluation started.');
      reload();
    } catch (err) {
      notifyError(err);
    } finally {
      setBusy(false);
    }
  };
  let text = 'The segments were never re-evaluated over stored profiles.';
  if (data && data.state !== 'never') {
    text = `${data.state === 'running' ? 'Running' : data.state === 'done' ? 'Done' : 'Failed'}: ${data.done} of ${data.total} profiles, ${data.changed} changed`
      + (data.finished ? `, finished ${formatTime(data.finished)}` : '') + (data.error ? ` (${data.error})` : '') + '.';
  }
  return (
    <div className="card refresh-box">
      <BusyButton className="btn" busy={busy || running} onClick={start}>Re-evaluate all profiles</BusyButton>
      <span className="muted small" role="status" aria-label="Re-evaluation progress">{text}</span>
    </div>
  );
}

export default function Segments() {
  const { data, error, loading, reload } = useAsync(() => api.listSegments(), []);
  const [editing, setEditing] = useState(null);
  const [members, setMembers] = useState(null);
  const segments = api.rows(data);
  const remove = (s) => confirmDelete(`Delete the segment "${s.name}"? Profiles keep its name until they are re-evaluated.`, () => api.deleteSegment(s.id), () => reload());
  return (
    <div className="page">
      <div className="page-head">
        <h1>Segments</h1>
        <button type="button" className="btn btn-primary" onClick={() => setEditing({})}>New segment</button>
      </div>
      <p className="muted">Groups of profiles by a condition. After every event the profile&apos;s segments are re-evaluated; entering or leaving one fires segment-entered or segment-left, which rules can match.</p>
      <Refresh />
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : error && !data ? null : segments.length === 0 ? <Empty>No segments yet.</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th>Name</th><th>Condition</th><th className="hide-narrow">Events</th><th>Enabled</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {segments.map((s) => (
                <tr key={s.id}>
                  <td className="strong">{s.name}<div><code className="muted small">{s.id}</code></div></td>
                  <td><code>{s.condition || (s.workflow ? `workflow ${s.workflow.id}` : '')}</code></td>
                  <td className="hide-narrow">{(s.event_type || []).length ? s.event_type.map((t) => <Tag key={t}>{t}</Tag>) : <span className="muted">every event</span>}</td>
                  <td>{s.enabled !== false ? 'yes' : 'no'}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => setMembers(s)} aria-label={`Profiles in ${s.name}`}>Profiles</button>
                    <button type="button" className="btn btn-small" onClick={() => setEditing(s)} aria-label={`Edit ${s.name}`}>Edit</button>
                    <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => remove(s)} aria-label={`Delete ${s.name}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && <SegmentDialog segment={editing.id ? editing : null} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); notify('Segment saved.'); reload(); }} />}
      {members && <Members segment={members} onClose={() => setMembers(null)} />}
    </div>
  );
}
