import { useRef, useState } from 'react';
import * as api from '../api.js';
import { formatOrigins, originsError, originsFieldError, parseOrigins } from '../lib/origins.js';
import {
  BusyButton, CheckField, Empty, ErrorBox, FormError, Modal, SelectField, Spinner, StaleNotice, Switch, Tag, TagsField, TextField,
  apiFieldErrors, confirmDelete, copyText, notify, notifyError, useAsync, useFocusFirstError,
} from '../ui.jsx';

const SOURCE_TYPES = [{ value: 'rest', label: 'REST API (/track)' }];

const sourceForm = (source) => ({
  id: source?.id || '', name: source?.name || '', description: source?.description || '',
  type: (source?.type || ['rest'])[0] || 'rest', tags: source?.tags || [], enabled: source ? !!source.enabled : true,
  origins: formatOrigins(source?.allowed_origins),
  unknown_profile: source?.unknown_profile || 'adopt',
});

const UNKNOWN_PROFILE = [
  { value: 'adopt', label: 'Create the profile with the id the tracker sent' },
  { value: 'replace', label: 'Create a profile with a new id' },
];

function SourceDialog({ source: opened, onClose, onSaved }) {
  const [source, setSource] = useState(opened);
  const [form, setForm] = useState(() => sourceForm(opened));
  const [stale, setStale] = useState(false);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v }));
  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!form.name.trim()) errs.name = 'Give the source a name.';
    if (form.id && !/^[A-Za-z0-9._-]+$/.test(form.id)) errs.id = 'Use letters, digits, dots, dashes and underscores only.';
    const origins = parseOrigins(form.origins);
    const oerr = originsError(origins);
    if (oerr) errs.allowed_origins = oerr;
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const fields = { ...form };
      delete fields.origins;
      const body = { ...source, ...fields, name: form.name.trim(), type: [form.type], allowed_origins: origins };
      if (!body.id) delete body.id;
      await api.saveSource(body);
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
      const fresh = await api.getSource(source.id);
      setSource(fresh);
      setForm(sourceForm(fresh));
      setStale(false);
    } catch (err) {
      setErrors(apiFieldErrors(err));
    }
  };
  return (
    <Modal title={source ? 'Edit event source' : 'New event source'} onClose={onClose}
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form="source-form" className="btn btn-primary" busy={busy}>{source ? 'Save' : 'Create'}</BusyButton>
      </>}>
      <form id="source-form" ref={formRef} onSubmit={submit} noValidate>
        <StaleNotice show={stale} onReload={reload} what="This event source" />
        <FormError error={errors['']} />
        <TextField label="Name" value={form.name} onChange={set('name')} error={errors.name} required />
        {!source && <TextField label="Id" value={form.id} onChange={set('id')} error={errors.id}
          hint="The public key sites send with their events. Leave empty to generate one." />}
        <TextField label="Description" value={form.description} onChange={set('description')} error={errors.description} multiline rows={2} />
        <SelectField label="Type" value={form.type} onChange={set('type')} options={SOURCE_TYPES} error={errors.type} />
        <TagsField value={form.tags} onChange={set('tags')} error={errors.tags} />
        <TextField label="Allowed origins" value={form.origins} onChange={set('origins')} error={originsFieldError(errors)} multiline rows={2}
          placeholder="https://shop.example.com"
          hint="Web pages that may send this source's events from a browser, one origin per line (https://*.example.com for every sub-domain). Empty: any site." />
        <SelectField label="Unknown profile ids" value={form.unknown_profile} onChange={set('unknown_profile')} options={UNKNOWN_PROFILE}
          error={errors.unknown_profile} hint="What happens when a tracker sends a profile id this server does not know." />
        <CheckField label="Enabled: accept events from this source" checked={form.enabled} onChange={set('enabled')} error={errors.enabled} />
      </form>
    </Modal>
  );
}

function SnippetDialog({ source, onClose }) {
  const snippet = api.trackingSnippet(source.id);
  const copy = async () => {
    if (await copyText(snippet)) notify('Tracking snippet copied.');
    else notify('Copy failed: select the text and copy it by hand.', 'error');
  };
  return (
    <Modal title={`Tracking snippet: ${source.name}`} onClose={onClose} wide
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Close</button>
        <button type="button" className="btn btn-primary" data-autofocus onClick={copy}>Copy</button>
      </>}>
      <p className="muted">Paste this into the <code>&lt;head&gt;</code> of every page of your site. It loads Tracflow's tracker from this
        server and sends a page view; the tracker keeps the profile id the server answers (in the browser's local storage), so
        later pages and visits count for the same profile.</p>
      <p className="muted">Send more events with <code>window.tracker.track('purchase', {'{'} total: 42 {'}'})</code>; run code once the
        server has answered with <code>window.onTracardiReady.bind(({'{'} context {'}'}) =&gt; ...)</code>. Pages written for Tracardi's
        snippet work unchanged.</p>
      <pre className="code-block" tabIndex={0} aria-label="Tracking snippet">{snippet}</pre>
    </Modal>
  );
}

export default function Sources() {
  const { data, error, loading, reload, setData } = useAsync(() => api.listSources(), []);
  const [editing, setEditing] = useState(null);
  const [snippet, setSnippet] = useState(null);
  const sources = api.rows(data);

  const toggle = async (s, enabled) => {
    try {
      const saved = await api.saveSource({ ...s, enabled });
      setData((d) => ({ ...d, result: api.rows(d).map((x) => (x.id === s.id ? saved : x)) }));
      notify(`${s.name} ${enabled ? 'enabled' : 'disabled'}.`);
    } catch (e) {
      notifyError(e);
      if (api.isStale(e)) reload();
    }
  };
  const remove = (s) => confirmDelete(`Delete the event source "${s.name}"? Sites sending with its id will be refused.`, () => api.deleteSource(s.id), () => reload());

  return (
    <div className="page">
      <div className="page-head">
        <h1>Event sources</h1>
        <button type="button" className="btn btn-primary" onClick={() => setEditing({})}>New event source</button>
      </div>
      <p className="muted">A source's id is the key that sites send with their events to <code>/track</code>.</p>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : error && !data ? null : sources.length === 0 ? <Empty>No event sources yet.</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th>Name</th><th>Id</th><th className="hide-narrow">Type</th><th className="hide-narrow">Tags</th><th>Enabled</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {sources.map((s) => (
                <tr key={s.id}>
                  <td className="strong">{s.name}</td>
                  <td><code className="id">{s.id}</code></td>
                  <td className="hide-narrow">{(s.type || []).join(', ')}</td>
                  <td className="hide-narrow">{(s.tags || []).map((t) => <Tag key={t}>{t}</Tag>)}</td>
                  <td><Switch checked={!!s.enabled} onChange={(v) => toggle(s, v)} label={`Enabled: ${s.name}`} /></td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => setSnippet(s)} aria-label={`Tracking snippet for ${s.name}`}>Snippet</button>
                    <button type="button" className="btn btn-small" onClick={() => setEditing(s)} aria-label={`Edit ${s.name}`}>Edit</button>
                    <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => remove(s)} aria-label={`Delete ${s.name}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && <SourceDialog source={editing.id ? editing : null} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); notify('Event source saved.'); reload(); }} />}
      {snippet && <SnippetDialog source={snippet} onClose={() => setSnippet(null)} />}
    </div>
  );
}
