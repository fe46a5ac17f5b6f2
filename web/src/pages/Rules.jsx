import { useState } from 'react';
import * as api from '../api.js';
import { RuleDialog } from '../components/RuleDialog.jsx';
import { Empty, ErrorBox, Link, Spinner, Switch, Tag, confirmDelete, notify, notifyError, useAsync } from '../ui.jsx';

export default function Rules() {
  const { data, error, loading, reload } = useAsync(() => api.listRules(), []);
  const [editing, setEditing] = useState(null);
  const rules = api.rows(data);

  const toggle = async (r, enabled) => {
    try {
      await api.saveRule({ ...r, enabled });
      reload();
    } catch (e) {
      notifyError(e);
      if (api.isStale(e)) reload();
    }
  };
  const remove = (r) => confirmDelete(`Delete the rule "${r.name}"?`, () => api.deleteRule(r.id), () => reload());

  return (
    <div className="page">
      <div className="page-head">
        <h1>Rules</h1>
        <button type="button" className="btn btn-primary" onClick={() => setEditing({})}>New rule</button>
      </div>
      <p className="muted">A rule runs a workflow when an event of a type arrives from a source.</p>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : error && !data ? null : rules.length === 0 ? <Empty>No rules yet.</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th>Name</th><th>Event type</th><th className="hide-narrow">Source</th><th>Workflow</th><th>Enabled</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {rules.map((r) => (
                <tr key={r.id}>
                  <td className="strong">{r.name}{(r.tags || []).map((t) => <Tag key={t}>{t}</Tag>)}</td>
                  <td><code>{r.event_type?.name || r.event_type?.id}</code></td>
                  <td className="hide-narrow">{r.source?.name || r.source?.id}</td>
                  <td>{r.flow?.id ? <Link to={`/flow/${encodeURIComponent(r.flow.id)}`}>{r.flow.name || r.flow.id}</Link> : '—'}</td>
                  <td><Switch checked={!!r.enabled} onChange={(v) => toggle(r, v)} label={`Enabled: ${r.name}`} /></td>
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
      {editing && <RuleDialog rule={editing.id ? editing : null} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); notify('Rule saved.'); reload(); }} />}
    </div>
  );
}
