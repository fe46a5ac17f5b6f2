import { useEffect, useMemo, useRef, useState } from 'react';
import * as api from '../api.js';
import { navigate } from '../router.js';
import { FlowMetaDialog } from '../components/FlowMetaDialog.jsx';
import { readFlowFile } from '../editor/graph.js';
import {
  BusyButton, Empty, ErrorBox, Field, FormError, Link, Modal, Spinner, Tag, TextField, apiFieldErrors, confirmDelete, formatTime, notify, useAsync, useFocusFirstError,
} from '../ui.jsx';

const PAGE = 25;

/** What the list says of a flow's status (see the flow metadata's status). */
const STATUS = {
  draft: ['Draft only', ''],
  deployed: ['Deployed', 'badge-ok'],
  changed: ['Draft differs from production', 'badge-info'],
};
function FlowStatus({ flow }) {
  const s = flow.status || (flow.production_updated ? '' : 'draft');
  if (!STATUS[s]) return <span className="muted">—</span>;
  const [text, cls] = STATUS[s];
  return <span className={`badge flow-status ${cls}`}>{text}</span>;
}

/**
 * Imports a flow file: a flow exported from Tracflow or Tracardi, or a flow
 * record of Tracardi's storage (draft/production, possibly encoded). The
 * server keeps the flow's id (rules refer to it) and reports plugins this
 * installation does not have as warnings.
 */
function ImportDialog({ onClose, onImported }) {
  const [upload, setUpload] = useState(null); // {flow} or {record}
  const [name, setName] = useState('');
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(null); // the import's answer, when it has warnings
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);
  const onFile = async (file) => {
    setUpload(null);
    if (!file) return;
    const text = await file.text();
    const [f, err] = readFlowFile(text);
    if (err) {
      let raw = null;
      try { raw = JSON.parse(text); } catch { /* reported below */ }
      if (raw && typeof raw === 'object' && !Array.isArray(raw) && (raw.draft || raw.production)) {
        setErrors({});
        setUpload({ record: raw });
        setName(raw.name || file.name.replace(/\.json$/i, ''));
        return;
      }
      setErrors({ file: err });
      return;
    }
    setErrors({});
    setUpload({ flow: f });
    setName(f.name || file.name.replace(/\.json$/i, ''));
  };
  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!upload) errs.file = errors.file || 'Choose a flow file (.json).';
    if (!name.trim()) errs.name = 'Give the workflow a name.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const body = { ...(upload.flow || upload.record), name: name.trim() };
      const res = await api.importFlow(body);
      if (res.warnings && res.warnings.length) setDone(res);
      else onImported(res);
    } catch (err) {
      setErrors(apiFieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  if (done) {
    return (
      <Modal title="Imported with warnings" onClose={() => onImported(done)}
        footer={<button type="button" className="btn btn-primary" onClick={() => onImported(done)}>Open the workflow</button>}>
        <p>The workflow was saved as a draft. Fix these before you deploy it:</p>
        <ul className="import-warnings">
          {done.warnings.map((w, i) => (
            <li key={i}>{w.nodeId ? <><code>{w.nodeId}</code>: </> : null}{w.message}</li>
          ))}
        </ul>
      </Modal>
    );
  }
  return (
    <Modal title="Import a workflow" onClose={onClose}
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form="flow-import" className="btn btn-primary" busy={busy}>Import</BusyButton>
      </>}>
      <form id="flow-import" ref={formRef} onSubmit={submit} noValidate>
        <FormError error={errors['']} />
        <Field label="Flow file" error={errors.file} required hint="A workflow exported from Tracflow or Tracardi. It is saved as a draft under its own id (rules refer to it); importing it again replaces that draft. Deploy it from the editor.">
          {(p) => <input {...p} type="file" accept=".json,application/json" className="input" onChange={(e) => onFile(e.target.files[0])} />}
        </Field>
        {upload?.flow && <p className="muted small">{upload.flow.flowGraph.nodes.length} nodes, {(upload.flow.flowGraph.edges || []).length} edges.</p>}
        {upload?.record && <p className="muted small">A flow record of Tracardi&apos;s storage.</p>}
        <TextField label="Name" value={name} onChange={setName} error={errors.name} required />
      </form>
    </Modal>
  );
}

export default function Flows() {
  const [query, setQuery] = useState('');
  const [debounced, setDebounced] = useState('');
  const [tag, setTag] = useState('');
  const [offset, setOffset] = useState(0);
  const [editing, setEditing] = useState(null); // null | {} (new) | flow
  const [importing, setImporting] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => { setDebounced(query.trim()); setOffset(0); }, 250);
    return () => clearTimeout(t);
  }, [query]);

  const { data, error, loading, reload } = useAsync(
    () => api.listFlows({ query: debounced, tag, limit: PAGE, offset }), [debounced, tag, offset]);
  const flows = api.rows(data);
  const total = data?.total ?? flows.length;
  const allTags = useMemo(() => [...new Set(flows.flatMap((f) => f.tags || []).concat(tag ? [tag] : []))].sort(), [flows, tag]);

  const remove = (f) => confirmDelete(`Delete the workflow "${f.name}"? Its rules are deleted too. This cannot be undone.`, () => api.deleteFlow(f.id), () => { notify(`Deleted "${f.name}".`); reload(); });

  return (
    <div className="page">
      <div className="page-head">
        <h1>Workflows</h1>
        <div className="head-actions">
          <button type="button" className="btn" onClick={() => setImporting(true)}>Import</button>
          <button type="button" className="btn btn-primary" onClick={() => setEditing({})}>New workflow</button>
        </div>
      </div>
      <div className="toolbar">
        <input className="input search" type="search" placeholder="Search workflows" aria-label="Search workflows"
          value={query} onChange={(e) => setQuery(e.target.value)} />
        <div className="chips" role="group" aria-label="Filter by tag">
          <button type="button" className={`chip ${tag === '' ? 'chip-on' : ''}`} aria-pressed={tag === ''} onClick={() => { setTag(''); setOffset(0); }}>All</button>
          {allTags.map((t) => (
            <button type="button" key={t} className={`chip ${tag === t ? 'chip-on' : ''}`} aria-pressed={tag === t}
              onClick={() => { setTag(tag === t ? '' : t); setOffset(0); }}>{t}</button>
          ))}
        </div>
      </div>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : error && !data ? null : flows.length === 0 ? (
        <Empty>{debounced || tag ? 'No workflow matches.' : 'No workflows yet. Create one to start.'}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th>Name</th><th className="hide-narrow">Description</th><th>Status</th><th>Tags</th><th className="hide-narrow">Draft saved</th><th className="hide-narrow">Deployed</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {flows.map((f) => (
                <tr key={f.id}>
                  <td><Link to={`/flow/${encodeURIComponent(f.id)}`} className="strong">{f.name || f.id}</Link>{f.lock && <span className="badge" title="Locked">locked</span>}</td>
                  <td className="hide-narrow muted">{f.description}</td>
                  <td className="nowrap"><FlowStatus flow={f} /></td>
                  <td>{(f.tags || []).map((t) => <Tag key={t}>{t}</Tag>)}</td>
                  <td className="hide-narrow nowrap">{formatTime(f.draft_updated)}</td>
                  <td className="hide-narrow nowrap">{f.production_updated ? formatTime(f.production_updated) : <span className="muted">not deployed</span>}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => setEditing(f)} aria-label={`Rename ${f.name}`}>Rename</button>
                    <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => remove(f)} aria-label={`Delete ${f.name}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {total > PAGE && (
        <div className="pager">
          <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
          <span>{offset + 1}–{Math.min(offset + PAGE, total)} of {total}</span>
          <button type="button" className="btn btn-small" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>Next</button>
        </div>
      )}
      {importing && (
        <ImportDialog onClose={() => setImporting(false)} onImported={(meta) => { setImporting(false); navigate(`/flow/${encodeURIComponent(meta.id)}`); }} />
      )}
      {editing && (
        <FlowMetaDialog flow={editing.id ? editing : null} onClose={() => setEditing(null)} onSaved={(saved) => {
          const isNew = !editing.id;
          setEditing(null);
          if (isNew && saved?.id) navigate(`/flow/${encodeURIComponent(saved.id)}`);
          else { notify('Saved.'); reload(); }
        }} />
      )}
    </div>
  );
}
