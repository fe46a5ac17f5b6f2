import { useState } from 'react';
import * as api from '../api.js';
import { BusyButton, Empty, ErrorBox, SelectField, Spinner, formatTime, notify, notifyError, useAsync } from '../ui.jsx';

const STATES = [
  { value: '', label: 'All' },
  { value: 'available,scheduled,pending', label: 'Queued' },
  { value: 'running', label: 'Running' },
  { value: 'retryable', label: 'Failed (will retry)' },
  { value: 'discarded', label: 'Dead' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'completed', label: 'Completed' },
];
const FINISHED = ['completed', 'cancelled', 'discarded'];

export default function Jobs() {
  const [state, setState] = useState('');
  const [kind, setKind] = useState('');
  const [cursors, setCursors] = useState(['']); // the cursor of each page seen
  const after = cursors[cursors.length - 1];
  const { data, error, loading, reload } = useAsync(() => api.listJobs({ state, kind, after }), [state, kind, after]);
  const [busy, setBusy] = useState(0);
  const jobs = data?.result || [];
  const counts = {};
  for (const c of data?.counts || []) {
    counts[c.kind] = counts[c.kind] || {};
    counts[c.kind][c.state] = c.count;
  }
  const filter = (f) => (v) => { f(v); setCursors(['']); };
  const act = async (j, what) => {
    setBusy(j.id);
    try {
      if (what === 'retry') await api.retryJob(j.id);
      else await api.cancelJob(j.id);
      notify(what === 'retry' ? `Job ${j.id} queued again.` : `Job ${j.id} cancelled.`);
      reload();
    } catch (err) {
      notifyError(err);
    } finally {
      setBusy(0);
    }
  };
  return (
    <div className="page">
      <div className="page-head">
        <h1>Jobs</h1>
        <button type="button" className="btn" onClick={reload}>Refresh</button>
      </div>
      <p className="muted">Background work: destination deliveries and retention. Failed jobs are tried again with growing pauses; dead ones ran out of tries.</p>
      <ErrorBox error={error} onRetry={reload} />
      {Object.keys(counts).length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Jobs by kind">
            <thead><tr><th>Kind</th><th>Queued</th><th>Running</th><th>Failed</th><th>Dead</th><th>Completed</th></tr></thead>
            <tbody>
              {Object.entries(counts).map(([k, c]) => (
                <tr key={k}>
                  <td><code>{k}</code></td>
                  <td>{(c.available || 0) + (c.scheduled || 0) + (c.pending || 0)}</td>
                  <td>{c.running || 0}</td><td>{c.retryable || 0}</td><td>{c.discarded || 0}</td><td>{c.completed || 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="grid-2">
        <SelectField label="State" value={state} onChange={filter(setState)} options={STATES} />
        <SelectField label="Kind" value={kind} onChange={filter(setKind)} placeholder="All kinds" options={(data?.kinds || []).map((k) => ({ value: k, label: k }))} />
      </div>
      {loading && !data ? <Spinner /> : jobs.length === 0 ? <Empty>No jobs here.</Empty> : (
        <div className="table-wrap">
          <table className="table" aria-label="Jobs">
            <thead><tr><th>Id</th><th>Kind</th><th>State</th><th>Attempt</th><th className="hide-narrow">Scheduled</th><th>Last error</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.id}>
                  <td>{j.id}</td>
                  <td><code>{j.kind}</code></td>
                  <td>{j.state === 'discarded' ? 'dead' : j.state}</td>
                  <td>{j.attempt} / {j.max_attempts}</td>
                  <td className="hide-narrow">{formatTime(j.scheduled_at)}</td>
                  <td className="muted">{j.state !== 'completed' && j.errors?.length ? j.errors[j.errors.length - 1].error : ''}</td>
                  <td className="row-actions">
                    {j.state !== 'running' && <BusyButton className="btn btn-small" busy={busy === j.id} onClick={() => act(j, 'retry')} aria-label={`Retry job ${j.id}`}>Retry</BusyButton>}
                    {!FINISHED.includes(j.state) && <BusyButton className="btn btn-small btn-danger-ghost" busy={busy === j.id} onClick={() => act(j, 'cancel')} aria-label={`Cancel job ${j.id}`}>Cancel</BusyButton>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="pager">
        <button type="button" className="btn btn-small" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button>
        <button type="button" className="btn btn-small" disabled={!data?.next} onClick={() => setCursors([...cursors, data.next])}>Older</button>
      </div>
    </div>
  );
}
