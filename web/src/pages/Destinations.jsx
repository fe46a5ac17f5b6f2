import { useState } from 'react';
import * as api from '../api.js';
import { FormDialog, ListTable, PageHead, RowActions, useEditForm } from '../components/Crud.jsx';
import {
  BusyButton, CheckField, Empty, ErrorBox, JsonField, Link, SelectField, Spinner, Tag, TagsField, TextField,
  confirmDelete, formatTime, notify, notifyError, useAsync,
} from '../ui.jsx';

const METHODS = ['POST', 'PUT', 'PATCH'].map((m) => ({ value: m, label: m }));

function fromDoc(d) {
  const init = d?.destination?.init || {};
  const et = d?.event_type;
  return {
    name: d?.name || '', description: d?.description || '',
    url: init.url || '', method: init.method || 'POST', headers: init.headers || {}, timeout: init.timeout ? String(init.timeout) : '',
    resource: d?.resource?.id || '', source: d?.source?.id || (typeof d?.source === 'string' ? d.source : ''),
    eventType: Array.isArray(et) ? et.map((x) => x?.id || x).join(', ') : (et?.id || (typeof et === 'string' ? et : '')),
    condition: d?.condition || '', mapping: d?.mapping || { profile: 'profile@', event: 'event@' },
    profileChangeOnly: !!d?.on_profile_change_only, maxAttempts: String(d?.max_attempts ?? 10),
    tags: d?.tags || [], enabled: d ? d.enabled !== false : true,
  };
}

function DestinationDialog({ destination, onClose, onSaved }) {
  const [version, setVersion] = useState(destination?.version);
  const [valid, setValid] = useState({ headers: true, mapping: true });
  const { data: resources } = useAsync(() => api.listResources(), []);
  const { data: sources } = useAsync(() => api.listSources(), []);
  const edit = useEditForm(() => fromDoc(destination), {
    validate: (form) => {
      const errs = {};
      if (!form.name.trim()) errs.name = 'Give the destination a name.';
      if (!/^https?:\/\/./.test(form.url.trim())) errs['destination.init.url'] = 'Enter the address to send to, starting with http:// or https://.';
      if (!valid.headers) errs['destination.init.headers'] = 'Fix the JSON of the headers.';
      if (!valid.mapping) errs.mapping = 'Fix the JSON of the mapping.';
      const attempts = Number(form.maxAttempts);
      if (!Number.isInteger(attempts) || attempts < 1 || attempts > 100) errs.max_attempts = 'A whole number from 1 to 100.';
      return errs;
    },
    save: (form) => {
      const init = { url: form.url.trim(), method: form.method, headers: form.headers || {} };
      if (form.timeout.trim()) init.timeout = Number(form.timeout);
      const types = form.eventType.split(',').map((t) => t.trim()).filter(Boolean);
      return api.saveDestination({
        ...(destination?.id ? { id: destination.id, version } : {}),
        name: form.name.trim(), description: form.description,
        destination: { package: 'webhook', init },
        resource: form.resource ? { id: form.resource } : null,
        source: form.source ? { id: form.source } : null,
        event_type: types.length === 0 ? null : types.length === 1 ? { id: types[0] } : types.map((id) => ({ id })),
        condition: form.condition, mapping: form.mapping, on_profile_change_only: form.profileChangeOnly,
        max_attempts: Number(form.maxAttempts), tags: form.tags, enabled: form.enabled,
      });
    },
    onSaved,
  });
  const { form, setForm, set, errors } = edit;
  const reload = () => edit.reload(async () => {
    const d = await api.getDestination(destination.id);
    setForm(fromDoc(d));
    setVersion(d.version);
  });
  const webhookResources = api.rows(resources);
  return (
    <FormDialog edit={edit} id="destination-form" title={destination?.id ? 'Edit destination' : 'New destination'} what="This destination"
      isNew={!destination?.id} onClose={onClose} onReload={reload} wide>
      <TextField label="Name" value={form.name} onChange={set('name')} error={errors.name} required />
      <TextField label="Description" value={form.description} onChange={set('description')} multiline rows={2} />
      <div className="grid-2">
        <TextField label="Webhook URL" value={form.url} onChange={set('url')} error={errors['destination.init.url']} required placeholder="https://example.com/hook" />
        <SelectField label="Method" value={form.method} onChange={set('method')} options={METHODS} error={errors['destination.init.method']} />
      </div>
      <div className="grid-2">
        <SelectField label="Credentials (resource)" value={form.resource} onChange={set('resource')} placeholder="None"
          options={webhookResources.map((r) => ({ value: r.id, label: `${r.name} (${r.type})` }))} error={errors['resource.id'] || errors.resource}
          hint="Its production credentials give headers, a token (Bearer) or username and password." />
        <TextField label="Timeout (seconds)" value={form.timeout} onChange={set('timeout')} error={errors['destination.init.timeout']} placeholder="10" />
      </div>
      <JsonField label="Headers" value={form.headers} onChange={set('headers')} expect="object" rows={3}
        onValidity={(ok) => setValid((v) => ({ ...v, headers: ok }))} error={errors['destination.init.headers']} />
      <div className="grid-2">
        <SelectField label="Event source" value={form.source} onChange={set('source')} placeholder="Any source"
          options={api.rows(sources).map((s) => ({ value: s.id, label: s.name }))} error={errors['source.id'] || errors.source} />
        <TextField label="Event types" value={form.eventType} onChange={set('eventType')} error={errors.event_type} hint="Comma-separated; empty: every type." />
      </div>
      <TextField label="Condition (TQL)" value={form.condition} onChange={set('condition')} error={errors.condition} placeholder='event@properties.total > 100' hint="Empty: always." />
      <JsonField label="Mapping" value={form.mapping} onChange={set('mapping')} rows={5}
        onValidity={(ok) => setValid((v) => ({ ...v, mapping: ok }))} error={errors.mapping}
        hint="The JSON body: values may be references such as profile@traits.email or event@properties." />
      <div className="grid-2">
        <TextField label="Tries before the delivery is dead" value={form.maxAttempts} onChange={set('maxAttempts')} error={errors.max_attempts} />
        <TagsField value={form.tags} onChange={set('tags')} error={errors.tags} />
      </div>
      <CheckField label="Only when the profile changed" checked={form.profileChangeOnly} onChange={set('profileChangeOnly')} />
      <CheckField label="Enabled" checked={form.enabled} onChange={set('enabled')} />
    </FormDialog>
  );
}

const STATUS_CLASS = { delivered: 'badge-ok', dead: 'badge-danger', retrying: 'badge-warn', queued: 'badge-warn', cancelled: '' };

function Deliveries({ id }) {
  const { data: dest, error: destError } = useAsync(() => api.getDestination(id), [id]);
  const [offset, setOffset] = useState(0);
  const limit = 50;
  const { data, error, loading, reload } = useAsync(() => api.listDeliveries(id, { limit, offset }), [id, offset]);
  const [busy, setBusy] = useState('');
  const list = api.rows(data);
  const total = data?.total || 0;
  const retry = async (d) => {
    setBusy(d.id);
    try {
      await api.retryDelivery(id, d.id);
      notify('Delivery queued again.');
      reload();
    } catch (err) {
      notifyError(err);
    } finally {
      setBusy('');
    }
  };
  return (
    <div className="page">
      <p><Link to="/destinations">← Destinations</Link></p>
      <div className="page-head">
        <h1>Deliveries{dest ? `: ${dest.name}` : ''}</h1>
        <button type="button" className="btn" onClick={reload}>Refresh</button>
      </div>
      {dest && <p className="muted"><code>{dest.destination?.init?.method || 'POST'} {dest.destination?.init?.url}</code></p>}
      <ErrorBox error={destError || error} onRetry={reload} />
      {loading && !data ? <Spinner /> : list.length === 0 ? <Empty>No deliveries yet: they appear when matching events arrive.</Empty> : (
        <div className="table-wrap">
          <table className="table" aria-label="Deliveries">
            <thead><tr><th>Time</th><th>Status</th><th>Attempts</th><th>HTTP</th><th className="hide-narrow">Event</th><th className="hide-narrow">Latency</th><th>Last error</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.id} data-delivery={d.id}>
                  <td>{formatTime(d.updated)}</td>
                  <td><span className={`badge ${STATUS_CLASS[d.status] || ''}`}>{d.status}</span></td>
                  <td>{d.attempts} / {d.max_attempts}</td>
                  <td>{d.http_status || '–'}</td>
                  <td className="hide-narrow"><code>{d.event_type}</code>{d.profile_id && <> · <Link to={`/profile/${encodeURIComponent(d.profile_id)}`}>profile</Link></>}</td>
                  <td className="hide-narrow">{d.latency_ms} ms</td>
                  <td className="muted">{d.last_error}</td>
                  <td className="row-actions">
                    <BusyButton className="btn btn-small" busy={busy === d.id} onClick={() => retry(d)} aria-label={`Retry now ${d.id}`}>Retry now</BusyButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {total > limit && (
        <div className="pager">
          <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>Newer</button>
          <span className="muted">{offset + 1}–{Math.min(offset + limit, total)} of {total}</span>
          <button type="button" className="btn btn-small" disabled={offset + limit >= total} onClick={() => setOffset(offset + limit)}>Older</button>
        </div>
      )}
    </div>
  );
}

export default function Destinations({ deliveriesOf }) {
  const list = useAsync(() => (deliveriesOf ? Promise.resolve(null) : api.listDestinations()), [deliveriesOf]);
  const [editing, setEditing] = useState(null);
  if (deliveriesOf) return <Deliveries id={deliveriesOf} />;
  const remove = (d) => confirmDelete(`Delete the destination "${d.name}" and its delivery log?`, () => api.deleteDestination(d.id), () => list.reload());
  return (
    <div className="page">
      <PageHead title="Destinations" newLabel="New destination" onNew={() => setEditing({})}>
        Send profile and event data to other systems when events arrive: a webhook per destination, retried until it is accepted.
      </PageHead>
      <ListTable list={list} items={api.rows(list.data)} empty="No destinations yet."
        columns={<><th>Name</th><th className="hide-narrow">Sends to</th><th className="hide-narrow">Tags</th><th>Enabled</th></>}
        row={(d) => (
          <tr key={d.id}>
            <td className="strong"><Link to={`/destination/${encodeURIComponent(d.id)}`}>{d.name}</Link></td>
            <td className="hide-narrow"><code>{d.destination?.init?.url}</code></td>
            <td className="hide-narrow">{(d.tags || []).map((t) => <Tag key={t}>{t}</Tag>)}</td>
            <td>{d.enabled ? 'yes' : 'no'}</td>
            <RowActions name={d.name} onEdit={() => setEditing(d)} onDelete={() => remove(d)}>
              <Link className="btn btn-small" to={`/destination/${encodeURIComponent(d.id)}`} aria-label={`Deliveries of ${d.name}`}>Deliveries</Link>
            </RowActions>
          </tr>
        )} />
      {editing && <DestinationDialog destination={editing.id ? editing : null} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); notify('Destination saved.'); list.reload(); }} />}
    </div>
  );
}
