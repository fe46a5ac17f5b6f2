import { memo, useRef, useState } from 'react';
import { BusyButton, Field, JsonField, pretty, useFocusFirstError } from '../ui.jsx';
import { debugNodesInOrder } from './graph.js';

const fmtTime = (s) => (typeof s !== 'number' ? '—' : s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 3 : 1)} ms` : `${s.toFixed(2)} s`);

function Calls({ rec }) {
  return (rec.calls || []).map((c, i) => (
    <div key={i} className={`call ${c.error ? 'call-error' : ''}`}>
      <div className="call-head">
        <strong>Call {i + 1}</strong>
        <span className="muted small">run time {fmtTime(c.profiler?.runTime)} · started at {fmtTime(c.profiler?.startTime)}</span>
      </div>
      {c.error && <p className="field-error">Error: {c.error}</p>}
      <div className="call-io">
        <div>
          <h5>Input{c.input?.params?.port ? <> on <code>{c.input.params.port}</code></> : null}</h5>
          <pre className="code-block small">{pretty(c.input?.params?.value ?? null)}</pre>
        </div>
        <div>
          <h5>Output</h5>
          {(c.output?.results || []).length === 0 ? <p className="muted small">No results: the branch stops here.</p> :
            c.output.results.map((r, j) => (
              <div key={j}>
                <div className="small">port <code>{r.port}</code></div>
                <pre className="code-block small">{pretty(r.value)}</pre>
              </div>
            ))}
        </div>
      </div>
    </div>
  ));
}

/**
 * The debugger: the test event form, then the run's per-node calls, the
 * console log, the response and the errors.
 */
const MIN_HEIGHT = 160;
const maxHeight = () => Math.max(MIN_HEIGHT, Math.round(window.innerHeight * 0.7));
const clampHeight = (h) => Math.min(maxHeight(), Math.max(MIN_HEIGHT, Math.round(h)));

/** The bar above the debugger: drag it (or focus it and press the arrow keys) to resize the pane. */
function ResizeHandle({ height, onResize }) {
  const onPointerDown = (e) => {
    e.preventDefault();
    const y0 = e.clientY;
    const h0 = height;
    const move = (ev) => onResize(clampHeight(h0 + y0 - ev.clientY));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  const onKeyDown = (e) => {
    const step = e.shiftKey ? 80 : 20;
    if (e.key === 'ArrowUp') { e.preventDefault(); onResize(clampHeight(height + step)); }
    else if (e.key === 'ArrowDown') { e.preventDefault(); onResize(clampHeight(height - step)); }
  };
  return (
    <div className="debug-resize" role="separator" aria-orientation="horizontal" aria-label="Resize the debugger" tabIndex={0}
      aria-valuenow={height} aria-valuemin={MIN_HEIGHT} aria-valuemax={maxHeight()} onPointerDown={onPointerDown} onKeyDown={onKeyDown} />
  );
}

function DebugPanelBase({ result, running, onRun, onSelectNode, selectedId, nodeNames, onClose, height, onResize }) {
  const [mode, setMode] = useState('event');
  const [type, setType] = useState('page-view');
  const [props, setProps] = useState({});
  const [profile, setProfile] = useState(null);
  const [eventId, setEventId] = useState('');
  const [valid, setValid] = useState({ props: true, profile: true });
  const [errors, setErrors] = useState({});
  const [tab, setTab] = useState('calls');
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);

  const run = (e) => {
    e.preventDefault();
    const errs = {};
    if (mode === 'event') {
      if (!type.trim()) errs.type = 'Enter an event type, e.g. page-view.';
      if (!valid.props) errs.props = 'Fix the JSON of the properties.';
      if (!valid.profile) errs.profile = 'Fix the JSON of the profile.';
    } else if (!eventId.trim()) errs.eventId = 'Enter the id of a stored event.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    if (mode === 'event') {
      const event = { type: type.trim(), properties: props || {} };
      if (profile && Object.keys(profile).length) event.profile = profile;
      onRun({ event });
    } else onRun({ eventId: eventId.trim() });
  };

  const ordered = result ? debugNodesInOrder(result) : [];
  const sel = ordered.find((n) => n.id === selectedId) || null;
  const logs = result?.logs || [];
  const errs = result?.errors || [];
  return (
    <section className="debug-pane" aria-label="Debugger" style={{ height }}>
      <ResizeHandle height={height} onResize={onResize} />
      <form ref={formRef} className="debug-form" onSubmit={run} noValidate>
        <div className="debug-form-head">
          <h2>Debug</h2>
          <BusyButton type="submit" className="btn btn-primary btn-small" busy={running}>{running ? 'Running…' : 'Run debug'}</BusyButton>
          <button type="button" className="btn btn-small btn-icon" aria-label="Close debugger" onClick={onClose}>×</button>
        </div>
        <div className="seg" role="radiogroup" aria-label="Run with">
          <label className={mode === 'event' ? 'on' : ''}><input type="radio" name="dbg-mode" checked={mode === 'event'} onChange={() => setMode('event')} />Test event</label>
          <label className={mode === 'stored' ? 'on' : ''}><input type="radio" name="dbg-mode" checked={mode === 'stored'} onChange={() => setMode('stored')} />Stored event</label>
        </div>
        {mode === 'event' ? (
          <>
            <Field label="Event type" error={errors.type} required>
              {(p) => <input {...p} className="input" value={type} onChange={(e) => setType(e.target.value)} />}
            </Field>
            <JsonField label="Properties" value={props} onChange={setProps} expect="object" rows={4} error={errors.props}
              onValidity={(ok) => setValid((v) => ({ ...v, props: ok }))} />
            <JsonField label="Profile (optional)" value={profile} onChange={setProfile} expect="object" rows={3} error={errors.profile}
              hint='e.g. {"traits": {"plan": "pro"}}; empty for a new profile.' onValidity={(ok) => setValid((v) => ({ ...v, profile: ok }))} />
          </>
        ) : (
          <Field label="Event id" error={errors.eventId} required hint="Runs the flow with an event already collected.">
            {(p) => <input {...p} className="input mono" value={eventId} onChange={(e) => setEventId(e.target.value)} />}
          </Field>
        )}
      </form>
      <div className="debug-result">
        <div className="tabs" role="tablist" aria-label="Debug result">
          {[['calls', `Nodes (${ordered.length})`], ['console', `Console (${logs.length})`], ['response', 'Response'], ['errors', `Errors (${errs.length})`]].map(([k, l]) => (
            <button type="button" key={k} role="tab" aria-selected={tab === k} className={`tab ${tab === k ? 'active' : ''} ${k === 'errors' && errs.length ? 'tab-alert' : ''}`} onClick={() => setTab(k)}>{l}</button>
          ))}
        </div>
        <div className="debug-body">
          {!result ? <p className="muted pad">Run the flow to see what each node received and returned. The graph is painted: green edges fired, grey edges were void, red nodes failed.</p> : (
            <>
              {tab === 'calls' && (
                <div className="debug-calls">
                  <ol className="debug-nodes" aria-label="Nodes in the order they ran">
                    {ordered.map((n) => {
                      const failed = (n.calls || []).some((c) => c.error);
                      return (
                        <li key={n.id}>
                          <button type="button" className={`debug-node ${n.id === selectedId ? 'active' : ''} ${failed ? 'failed' : ''}`} onClick={() => onSelectNode(n.id)}>
                            <span className="seqno">{n.sequenceNumber}</span>
                            <span className="grow">{nodeNames[n.id] || n.name || n.id}</span>
                            <span className="muted small">{fmtTime(n.profiler?.runTime)}</span>
                          </button>
                        </li>
                      );
                    })}
                    {ordered.length === 0 && <li className="muted pad">No node ran.</li>}
                  </ol>
                  <div className="debug-detail">
                    {sel ? (<>
                      <h3>{nodeNames[sel.id] || sel.name}</h3>
                      <p className="muted small">ran {(sel.calls || []).length} time(s) · total {fmtTime(sel.profiler?.runTime)} · {sel.errors || 0} error(s), {sel.warnings || 0} warning(s)</p>
                      <Calls rec={sel} />
                    </>) : selectedId ? <p className="muted">This node did not run.</p> : <p className="muted">Select a node to see its calls.</p>}
                  </div>
                </div>
              )}
              {tab === 'console' && (
                logs.length === 0 ? <p className="muted pad">Nothing logged.</p> : (
                  <ul className="console" aria-label="Console log">
                    {logs.map((l, i) => (
                      <li key={i} className={`log log-${l.level}`}>
                        <span className="log-level">{l.level}</span>
                        {l.nodeId && <button type="button" className="link-btn small" onClick={() => onSelectNode(l.nodeId)}>{nodeNames[l.nodeId] || l.nodeId}</button>}
                        <span className="log-msg">{l.message}</span>
                      </li>
                    ))}
                  </ul>
                )
              )}
              {tab === 'response' && (
                <div className="grid-2 pad">
                  <div><h5>Response</h5><pre className="code-block small">{pretty(result.response ?? {})}</pre></div>
                  <div><h5>UX</h5><pre className="code-block small">{pretty(result.ux ?? [])}</pre></div>
                  <div className="span-2"><h5>Profile after the run</h5><pre className="code-block small">{pretty(result.profile ?? null)}</pre></div>
                </div>
              )}
              {tab === 'errors' && (
                errs.length === 0 ? <p className="muted pad">No errors.</p> : (
                  <ul className="console">
                    {errs.map((e, i) => (
                      <li key={i} className="log log-error">
                        {e.nodeId && <button type="button" className="link-btn small" onClick={() => onSelectNode(e.nodeId)}>{nodeNames[e.nodeId] || e.nodeId}</button>}
                        <span className="log-msg">{e.message}</span>
                      </li>
                    ))}
                  </ul>
                )
              )}
            </>
          )}
        </div>
      </div>
    </section>
  );
}

export default memo(DebugPanelBase);
