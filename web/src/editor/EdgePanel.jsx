import { memo } from 'react';

/** The side panel of the selected edge: its name (Join keys payloads by it) and Delete. */
function EdgePanelBase({ edge, nodeNames, readOnly, onRename, onDelete, onClose }) {
  return (
    <aside className="node-panel" aria-label="Edge">
      <header className="node-panel-head">
        <div className="grow">
          <h2 className="panel-title">Edge</h2>
          <div className="muted small">
            {nodeNames[edge.source]} · <code>{edge.sourceHandle}</code> → {nodeNames[edge.target]} · <code>{edge.targetHandle}</code>
          </div>
        </div>
        <button type="button" className="btn btn-small btn-icon" aria-label="Close panel" onClick={onClose}>×</button>
      </header>
      <div className="node-panel-body">
        <label className="field-label" htmlFor="edge-name">Name</label>
        <input id="edge-name" className="input" value={edge.data?.name || ''} readOnly={readOnly} placeholder="e.g. profile"
          onChange={(e) => onRename(edge.id, e.target.value)} />
        <p className="field-hint">A <strong>Join</strong> node keys each incoming payload by the name of the edge it came along.</p>
      </div>
      <footer className="node-panel-foot">
        <button type="button" className="btn btn-small btn-danger-ghost" disabled={readOnly} onClick={() => onDelete(edge.id)}>Delete edge</button>
      </footer>
    </aside>
  );
}

export default memo(EdgePanelBase);
