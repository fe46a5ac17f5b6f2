import { useEffect, useRef, useState } from 'react';
import * as api from '../api.js';
import {
  BusyButton, CheckField, Empty, ErrorBox, FormError, JsonField, Modal, Spinner, StaleNotice, Tag, TagsField, TextField, apiFieldErrors, confirmDelete, notify, useAsync, useFocusFirstError,
} from '../ui.jsx';

function ResourceDialog({ resource, onClose, onSaved }) {
  const [form, setForm] = useState(() => ({
    name: resource?.name || '', type: resource?.type || '', description: resource?.description || '',
    production: resource?.credentials?.production || {}, test: resource?.credentials?.test || {},
    tags: resource?.tags || [], enabled: resource ? !!resource.enabled : true,
  }));
  const [loading, setLoading] = useState(!!resource?.id);
  const [version, setVersion] = useState(resource?.version);
  const [stale, setStale] = useState(false);
  const [valid, setValid] = useState({ production: true, test: true });
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v }));

  useEffect(() => {
    if (!resource?.id) return;
    // The list may leave credentials out: read the full record.
    api.getResource(resource.id).then((r) => {
      setForm((f) => ({ ...f, production: r?.credentials?.production || {}, test: r?.credentials?.test || {} }));
      setVersion(r?.version);
    }).catch((e) => setErrors({ '': `Could not read the credentials: ${e.detail || e.message}` }))
      .finally(() => setLoading(false));
  }, [resource?.id]);

  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!form.name.trim()) errs.name = 'Give the resource a name.';
    if (!form.type.trim()) errs.type = 'Enter the resource type, e.g. smtp-server or api-key.';
    if (!valid.production) errs['credentials.production'] = 'Fix the JSON of the production credentials.';
    if (!valid.test) errs['credentials.test'] = 'Fix the JSON of the test credentials.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await api.saveResource({
        ...(resource?.id ? { id: resource.id, version } : {}),
        name: form.name.trim(), type: form.type.trim(), description: form.description,
        credentials: { production: form.production || {}, test: form.test || {} },
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
  const reload = async () => {
    try {
      const r = await api.getResource(resource.id);
      setForm({
        name: r.name || '', type: r.type || '', description: r.description || '',
        production: r.credentials?.production || {}, test: r.credentials?.test || {}, tags: r.tags || [], enabled: !!r.enabled,
      });
      setVersion(r.version);
      setStale(false);
    } catch (err) {
      setErrors(apiFieldErrors(err));
    }
  };

  return (
    <Modal title={resource?.id ? 'Edit resource' : 'New resource'} onClose={onClose} wide
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form="resource-form" className="btn btn-primary" busy={busy || loading}>{resource?.id ? 'Save' : 'Create'}</BusyButton>
      </>}>
      <form id="resource-form" ref={formRef} onSubmit={submit} noValidate>
        <StaleNotice show={stale} onReload={reload} what="This resource" />
        <FormError error={errors['']} />
        <div className="grid-2">
          <TextField label="Name" value={form.name} onChange={set('name')} error={errors.name} required />
          <TextField label="Type" value={form.type} onChange={set('type')} error={errors.type} required hint="Plugins find resources by type and tag." />
        </div>
        <TextField label="Description" value={form.description} onChange={set('description')} multiline rows={2} />
        {loading ? <Spinner label="Reading credentials…" /> : (
          <div className="grid-2">
            <JsonField label="Production credentials" value={form.production} onChange={set('production')} expect="object"
              onValidity={(ok) => setValid((v) => ({ ...v, production: ok }))} error={errors['credentials.production']}
              hint="Used by deployed flows. Stored encrypted." />
            <JsonField label="Test credentials" value={form.test} onChange={set('test')} expect="object"
              onValidity={(ok) => setValid((v) => ({ ...v, test: ok }))} error={errors['credentials.test']}
              hint="Used when debugging a flow." />
          </div>
        )}
        <TagsField value={form.tags} onChange={set('tags')} error={errors.tags} />
        <CheckField label="Enabled" checked={form.enabled} onChange={set('enabled')} />
      </form>
    </Modal>
  );
}

export default function Resources() {
  const { data, error, loading, reload } = useAsync(() => api.listResources(), []);
  const [editing, setEditing] = useState(null);
  const resources = api.rows(data);
  const remove = (r) => confirmDelete(`Delete the resource "${r.name}"? Flows that use it will fail.`, () => api.deleteResource(r.id), () => reload());
  return (
    <div className="page">
      <div className="page-head">
        <h1>Resources</h1>
        <button type="button" className="btn btn-primary" onClick={() => setEditing({})}>New resource</button>
      </div>
      <p className="muted">Credentials plugins use to reach other systems: one set for production and one for tests.</p>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : error && !data ? null : resources.length === 0 ? <Empty>No resources yet.</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th>Name</th><th>Type</th><th className="hide-narrow">Tags</th><th>Enabled</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {resources.map((r) => (
                <tr key={r.id}>
                  <td className="strong">{r.name}</td>
                  <td><code>{r.type}</code></td>
                  <td className="hide-narrow">{(r.tags || []).map((t) => <Tag key={t}>{t}</Tag>)}</td>
                  <td>{r.enabled ? 'yes' : 'no'}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => setEditing(r)} aria-label={`Edit ${r.name}`}>Edit</button>
                    <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => remove(r)} aria-label={`Delete ${r.name}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && <ResourceDialog resource={editing.id ? editing : null} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); notify('Resource saved.'); reload(); }} />}
    </div>
  );
}
