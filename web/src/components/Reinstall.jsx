import { useState } from 'react';
import * as api from '../api.js';
import { BusyButton, Modal, notifyError } from '../ui.jsx';

/** The Reinstall Plugins button and the report of what was registered and what failed. */
export default function ReinstallButton({ className = 'btn', role, onDone }) {
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState(null);
  const run = async () => {
    setBusy(true);
    try {
      const r = await api.reinstallPlugins();
      setReport({ registered: r?.registered || [], error: r?.error || [] });
      onDone?.(r);
    } catch (e) {
      notifyError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <BusyButton className={className} role={role} onClick={run} busy={busy} title="Install the plugins of the installed list into storage again">
        {busy ? 'Reinstalling…' : 'Reinstall Plugins'}
      </BusyButton>
      {report && (
        <Modal title="Plugins reinstalled" onClose={() => setReport(null)}
          footer={<button type="button" className="btn btn-primary" data-autofocus onClick={() => setReport(null)}>Close</button>}>
          <div className="reinstall-report">
            <p><strong>{report.registered.length}</strong> registered, <strong>{report.error.length}</strong> failed.</p>
            {report.error.length > 0 && (
              <section aria-label="Failed plugins">
                <h3 className="danger-text">Failed</h3>
                <ul className="report-list">
                  {report.error.map((e, i) => <li key={i}><code>{e.module}</code>: {e.reason}</li>)}
                </ul>
              </section>
            )}
            <section aria-label="Registered plugins">
              <h3>Registered</h3>
              <ul className="report-list report-ok">
                {report.registered.map((id) => <li key={id}><code>{id}</code></li>)}
              </ul>
            </section>
          </div>
        </Modal>
      )}
    </>
  );
}
