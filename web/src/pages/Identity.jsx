import { useRef, useState } from 'react';
import * as api from '../api.js';
import {
  BusyButton, CheckField, Empty, ErrorBox, FormError, Modal, SelectField, Spinner, StaleNotice, Tag, TextField,
  apiFieldErrors, confirmDelete, notify, useAsync, useFocusFirstError,
} from '../ui.jsx';

// The two identity pages: identification points (an event type whose
// properties name the person; profiles sharing them are merged) and event
// mappings (event properties copied to profile fields before the rules).

const OPS = [
  { value: 'equal', label: 'set' },
  { value: 'equals_if_not_exists', label: 'set if empty' },
  { value: 'append', label: 'append to list' },
  { value: 'add', label: 'add number' },
  { value: 'increment', label: 'increment by 1' },
  { value: 'delete', label: 'delete field' },
];

const KINDS = {
  point: {
    title: 'Identification points', one: 'identification point',
    list: api.listIdentificationPoints, get: api.getIdentificationPoint, save: api.saveIdentificationPoint, remove: api.deleteIdentificationPoint,
    rowsKey: 'fields', from: 'event_property', to: 'profile_trait',
    intro: 'An identification point names an event type whose properties identify a person, and the profile fields they fill. '
      + 'When an event matches (every property present), those fields become a merge key: profiles holding the same values are '
      + 'merged into one, and the old ids keep finding it.',
  },
  mapping: {
    title: 'Event mappings', one: 'event mapping',
    list: api.listEventMappings, get: api.getEventMapping, save: api.saveEventMapping, remove: api.deleteEventMapping,
    rowsKey: 'event_to_profile', from: 'event', to: 'profile', op: true,
    intro: 'An event mapping copies properties of events of one type to profile fields, before the rules run. '
      + 'Built-in event types (sign-in, identification, purchase-order, …) copy theirs without one.',
  },
};

const emptyRow = () => ({ from: '', to: '', op: 'equal', key: Math.random().toString(36).slice(2) });

function formOf(kind, doc) {
  const k = KINDS[kind];
  const rows = (doc?.[k.rowsKey] || []).map((r) => ({ ...emptyRow(), from: r[k.from] || '', to: r[k.to] || '', op: r.op || 'equal' }));
  return {
    name: doc?.name || '', description: doc?.description || '', eventType: doc?.event_type?.id || '',
    source: doc?.source?.id || '', enabled: doc ? doc.enabled !== false : true, rows: rows.length ? rows : [emptyRow()],
  };
}

function rowError(errors, k, i, field) {
  return errors[`${k.rowsKey}[${i}].${field}`] || errors[`${k.rowsKey}[${i}]`];
}

function EditDialog({ kind, doc: opened, sources, onClose, onSaved }) {
  const k = KINDS[kind];
  const [doc, setDoc] = useState(opened);
  const [form, setForm] = useState(() => formOf(kind, opened));
  const [errors, setErrors] = useState({});
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);
  const set = (f) => (v) => setForm((s) => ({ ...s, [f]: v }));
  const setRow = (i, f) => (v) => setForm((s) => ({ ...s, rows: s.rows.map((r, j) => (j === i ? { ...r, [f]: v } : r)) }));
  const noEventPath = (op) => op === 'increment' || op === 'delete';

  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!form.name.trim()) errs.name = 'Give it a name.';
    if (!form.eventType.trim()) errs['event_type.id'] = 'Name the event type.';
    form.rows.forEach((r, i) => {
      if (!r.to.trim()) errs[`${k.rowsKey}[${i}].${k.to}`] = 'Name the profile field.';
      if (!r.from.trim() && !(k.op && noEventPath(r.op))) errs[`${k.rowsKey}[${i}].${k.from}`] = 'Name the event property.';
    });
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const rows = form.rows.map((r) => (k.op ? { [k.from]: r.from.trim(), [k.to]: r.to.trim(), op: r.op } : { [k.from]: r.from.trim(), [k.to]: r.to.trim() }));
      const body = { ...doc, name: form.name.trim(), description: form.description, enabled: form.enabled,
        event_type: { id: form.eventType.trim() }, [k.rowsKey]: rows };
      if (kind === 'point') body.source = { id: form.source };
      await k.save(body);
      onSaved();
    } catch (err) {
      setStale(api.isStale(err));
      setErrors(api.isStale(err) ? {} : apiFieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  const reload = async () => {
    const fresh = await k.get(doc.id);
    setDoc(fresh);
    setForm(formOf(kind, fresh));
    setStale(false);
  };
  return (
    <Modal title={`${doc ? 'Edit' : 'New'} ${k.one}`} onClose={onClose} wide
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form="identity-form" className="btn btn-primary" busy={busy}>{doc ? 'Save' : 'Create'}</BusyButton>
      </>}>
      <form id="identity-form" ref={formRef} onSubmit={submit} noValidate>
        <StaleNotice show={stale} onReload={reload} what={`This ${k.one}`} />
        <FormError error={errors['']} />
        <TextField label="Name" value={form.name} onChange={set('name')} error={errors.name} required />
        <TextField label="Description" value={form.description} onChange={set('description')} error={errors.description} multiline rows={2} />
        <TextField label="Event type" value={form.eventType} onChange={set('eventType')} error={errors['event_type.id']} required
          placeholder="identify" hint="The type of the events this applies to." />
        {kind === 'point' && (
          <SelectField label="Event source" value={form.source} onChange={set('source')} error={errors['source.id']}
            options={[{ value: '', label: 'Every source' }, ...sources.map((s) => ({ value: s.id, label: s.name }))]} />
        )}
        <fieldset className="fieldset">
          <legend>{kind === 'point' ? 'Identifying fields' : 'Copies'}</legend>
          <FormError error={errors[k.rowsKey]} />
          {form.rows.map((r, i) => (
            <div key={r.key} className="row-fields" role="group" aria-label={`Row ${i + 1}`}>
              <TextField label={`Event property ${i + 1}`} value={r.from} onChange={setRow(i, 'from')} placeholder="properties.email"
                error={rowError(errors, k, i, k.from)} />
              <TextField label={`Profile field ${i + 1}`} value={r.to} onChange={setRow(i, 'to')} placeholder="data.contact.email.main"
                error={rowError(errors, k, i, k.to)} />
              {k.op && <SelectField label={`Operation ${i + 1}`} value={r.op} onChange={setRow(i, 'op')} options={OPS} error={errors[`${k.rowsKey}[${i}].op`]} />}
              <button type="button" className="btn btn-small btn-danger-ghost" aria-label={`Remove row ${i + 1}`}
                disabled={form.rows.length === 1} onClick={() => setForm((s) => ({ ...s, rows: s.rows.filter((_, j) => j !== i) }))}>Remove</button>
            </div>
          ))}
          <button type="button" className="btn btn-small" onClick={() => setForm((s) => ({ ...s, rows: [...s.rows, emptyRow()] }))}>Add a field</button>
        </fieldset>
        <CheckField label="Enabled" checked={form.enabled} onChange={set('enabled')} error={errors.enabled} />
      </form>
    </Modal>
  );
}

function IdentityPage({ kind }) {
  const k = KINDS[kind];
  const { data, error, loading, reload } = useAsync(() => k.list(), [kind]);
  const sources = useAsync(() => (kind === 'point' ? api.listSources() : Promise.resolve(null)), [kind]);
  const [editing, setEditing] = useState(null);
  const docs = api.rows(data);
  const remove = (d) => confirmDelete(`Delete the ${k.one} "${d.name}"?`, () => k.remove(d.id), () => reload());
  return (
    <div className="page">
      <div className="page-head">
        <h1>{k.title}</h1>
        <button type="button" className="btn btn-primary" onClick={() => setEditing({})}>New {k.one}</button>
      </div>
      <p className="muted">{k.intro}</p>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : error && !data ? null : docs.length === 0 ? <Empty>No {k.title.toLowerCase()} yet.</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th>Name</th><th>Event type</th>{kind === 'point' && <th className="hide-narrow">Source</th>}
              <th className="hide-narrow">{kind === 'point' ? 'Fields' : 'Copies'}</th><th>Enabled</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {docs.map((d) => (
                <tr key={d.id}>
                  <td className="strong">{d.name}</td>
                  <td><code>{d.event_type?.id}</code></td>
                  {kind === 'point' && <td className="hide-narrow">{d.source?.id ? d.source.name || d.source.id : 'Every source'}</td>}
                  <td className="hide-narrow">{(d[k.rowsKey] || []).map((r, i) => <Tag key={i}>{r[k.from] || r.op} → {r[k.to]}</Tag>)}</td>
                  <td>{d.enabled === false ? 'No' : 'Yes'}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => setEditing(d)} aria-label={`Edit ${d.name}`}>Edit</button>
                    <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => remove(d)} aria-label={`Delete ${d.name}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && <EditDialog kind={kind} doc={editing.id ? editing : null} sources={api.rows(sources.data)}
        onClose={() => setEditing(null)} onSaved={() => { setEditing(null); notify(`The ${k.one} is saved.`); reload(); }} />}
    </div>
  );
}

export function IdentificationPoints() {
  return <IdentityPage kind="point" />;
}

export function EventMappings() {
  return <IdentityPage kind="mapping" />;
}
