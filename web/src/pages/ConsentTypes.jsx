import { useRef, useState } from 'react';
import * as api from '../api.js';
import {
  BusyButton, CheckField, Empty, ErrorBox, FormError, Modal, SelectField, Spinner, StaleNotice, TagsField, TextField, apiFieldErrors, confirmDelete,
  notify, useAsync, useFocusFirstError,
} from '../ui.jsx';

function ConsentTypeDialog({ type, onClose, onSaved }) {
  const [form, setForm] = useState(() => ({
    name: type?.name || '', description: type?.description || '', revokable: !!type?.revokable, autoRevoke: type?.auto_revoke || '',
    def: type?.default_value || 'deny', required: !!type?.required, tags: type?.tags || [], enabled: type ? type.enabled !== false : true,
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
    if (!form.name.trim()) errs.name = 'Give the consent type a name.';
    if (form.revokable && !form.autoRevoke.trim()) errs.auto_revoke = 'Say how long a grant lasts, e.g. 365d.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await api.saveConsentType({
        ...(type?.id ? { id: type.id, version: type.version } : {}),
        name: form.name.trim(), description: form.description, revokable: form.revokable, auto_revoke: form.autoRevoke.trim(),
        default_value: form.def, required: form.required, tags: form.tags, enabled: form.enabled,
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
    <Modal title={type?.id ? 'Edit consent type' : 'New consent type'} onClose={onClose}
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form="consent-form" className="btn btn-primary" busy={busy}>{type?.id ? 'Save' : 'Create'}</BusyButton>
      </>}>
      <form id="consent-form" ref={formRef} onSubmit={submit} noValidate>
        <StaleNotice show={stale} onReload={onClose} what="This consent type" />
        <FormError error={errors['']} />
        <TextField label="Name" value={form.name} onChange={set('name')} error={errors.name || errors.id} required />
        <TextField label="Description" value={form.description} onChange={set('description')} multiline rows={2} error={errors.description} />
        <SelectField label="Default" value={form.def} onChange={set('def')} error={errors.default_value}
          options={[{ value: 'deny', label: 'Denied until granted' }, { value: 'grant', label: 'Granted unless refused' }]} />
        <CheckField label="Revokable: a grant expires" checked={form.revokable} onChange={set('revokable')} />
        {form.revokable && <TextField label="Expires after" value={form.autoRevoke} onChange={set('autoRevoke')} error={errors.auto_revoke} required
          hint="e.g. 365d, 2w, 12h or a number of seconds." />}
        <CheckField label="Required" checked={form.required} onChange={set('required')} />
        <TagsField value={form.tags} onChange={set('tags')} error={errors.tags} />
        <CheckField label="Enabled" checked={form.enabled} onChange={set('enabled')} />
      </form>
    </Modal>
  );
}

export default function ConsentTypes() {
  const { data, error, loading, reload } = useAsync(() => api.listConsentTypes(), []);
  const [editing, setEditing] = useState(null);
  const types = api.rows(data);
  const remove = (c) => confirmDelete(`Delete the consent type "${c.name}"? Profiles keep the consents they hold.`, () => api.deleteConsentType(c.id), () => reload());
  return (
    <div className="page">
      <div className="page-head">
        <h1>Consent types</h1>
        <button type="button" className="btn btn-primary" onClick={() => setEditing({})}>New consent type</button>
      </div>
      <p className="muted">The consents a profile may grant. The Add consent node records them; Has consents tests them; a profile&apos;s page shows and edits them.</p>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : error && !data ? null : types.length === 0 ? <Empty>No consent types yet.</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th>Name</th><th>Revokable</th><th>Default</th><th>Enabled</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {types.map((c) => (
                <tr key={c.id}>
                  <td className="strong">{c.name}<div><code className="muted small">{c.id}</code></div></td>
                  <td>{c.revokable ? `after ${c.auto_revoke}` : 'no'}</td>
                  <td>{c.default_value}</td>
                  <td>{c.enabled !== false ? 'yes' : 'no'}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => setEditing(c)} aria-label={`Edit ${c.name}`}>Edit</button>
                    <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => remove(c)} aria-label={`Delete ${c.name}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && <ConsentTypeDialog type={editing.id ? editing : null} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); notify('Consent type saved.'); reload(); }} />}
    </div>
  );
}
