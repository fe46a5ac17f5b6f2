import { useState } from 'react';
import * as api from '../api.js';
import { FormDialog, ListTable, PageHead, RowActions, useEditForm } from '../components/Crud.jsx';
import { CheckField, FormError, SelectField, Tag, TextField, confirmDelete, notify, useAsync } from '../ui.jsx';

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
  const noEventPath = (op) => op === 'increment' || op === 'delete';
  const edit = useEditForm(() => formOf(kind, opened), {
    validate: (form) => {
      const errs = {};
      if (!form.name.trim()) errs.name = 'Give it a name.';
      if (!form.eventType.trim()) errs['event_type.id'] = 'Name the event type.';
      form.rows.forEach((r, i) => {
        if (!r.to.trim()) errs[`${k.rowsKey}[${i}].${k.to}`] = 'Name the profile field.';
        if (!r.from.trim() && !(k.op && noEventPath(r.op))) errs[`${k.rowsKey}[${i}].${k.from}`] = 'Name the event property.';
      });
      return errs;
    },
    save: (form) => {
      const rows = form.rows.map((r) => (k.op ? { [k.from]: r.from.trim(), [k.to]: r.to.trim(), op: r.op } : { [k.from]: r.from.trim(), [k.to]: r.to.trim() }));
      const body = { ...doc, name: form.name.trim(), description: form.description, enabled: form.enabled,
        event_type: { id: form.eventType.trim() }, [k.rowsKey]: rows };
      if (kind === 'point') body.source = { id: form.source };
      return k.save(body);
    },
    onSaved,
  });
  const { form, setForm, set, errors } = edit;
  const setRow = (i, f) => (v) => setForm((s) => ({ ...s, rows: s.rows.map((r, j) => (j === i ? { ...r, [f]: v } : r)) }));
  const reload = () => edit.reload(async () => {
    const fresh = await k.get(doc.id);
    setDoc(fresh);
    setForm(formOf(kind, fresh));
  });
  return (
    <FormDialog edit={edit} id="identity-form" title={`${doc ? 'Edit' : 'New'} ${k.one}`} what={`This ${k.one}`}
      isNew={!doc} onClose={onClose} onReload={reload} wide>
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
    </FormDialog>
  );
}

function IdentityPage({ kind }) {
  const k = KINDS[kind];
  const list = useAsync(() => k.list(), [kind]);
  const sources = useAsync(() => (kind === 'point' ? api.listSources() : Promise.resolve(null)), [kind]);
  const [editing, setEditing] = useState(null);
  const remove = (d) => confirmDelete(`Delete the ${k.one} "${d.name}"?`, () => k.remove(d.id), () => list.reload());
  return (
    <div className="page">
      <PageHead title={k.title} newLabel={`New ${k.one}`} onNew={() => setEditing({})}>{k.intro}</PageHead>
      <ListTable list={list} items={api.rows(list.data)} empty={`No ${k.title.toLowerCase()} yet.`}
        columns={<><th>Name</th><th>Event type</th>{kind === 'point' && <th className="hide-narrow">Source</th>}
          <th className="hide-narrow">{kind === 'point' ? 'Fields' : 'Copies'}</th><th>Enabled</th></>}
        row={(d) => (
          <tr key={d.id}>
            <td className="strong">{d.name}</td>
            <td><code>{d.event_type?.id}</code></td>
            {kind === 'point' && <td className="hide-narrow">{d.source?.id ? d.source.name || d.source.id : 'Every source'}</td>}
            <td className="hide-narrow">{(d[k.rowsKey] || []).map((r, i) => <Tag key={i}>{r[k.from] || r.op} → {r[k.to]}</Tag>)}</td>
            <td>{d.enabled === false ? 'No' : 'Yes'}</td>
            <RowActions name={d.name} onEdit={() => setEditing(d)} onDelete={() => remove(d)} />
          </tr>
        )} />
      {editing && <EditDialog kind={kind} doc={editing.id ? editing : null} sources={api.rows(sources.data)}
        onClose={() => setEditing(null)} onSaved={() => { setEditing(null); notify(`The ${k.one} is saved.`); list.reload(); }} />}
    </div>
  );
}

export function IdentificationPoints() {
  return <IdentityPage kind="point" />;
}

export function EventMappings() {
  return <IdentityPage kind="mapping" />;
}
