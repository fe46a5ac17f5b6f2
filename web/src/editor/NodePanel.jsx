import { memo, useRef, useState } from 'react';
import * as api from '../api.js';
import PluginIcon from '../components/PluginIcon.jsx';
import Markdown from '../components/Markdown.jsx';
import { BusyButton, jsonError, pretty, useFocusFirstError } from '../ui.jsx';
import { ConfigForm } from './FormFields.jsx';
import { connectionProblem } from './graph.js';

export const FLAGS = [
  { key: 'skip', label: 'Skip', desc: 'Do not run the node; pass its input payload straight to its outputs.' },
  { key: 'block_flow', label: 'Block flow', desc: 'Stop here: neither this node nor the nodes after it run.' },
  { key: 'on_error_continue', label: 'Continue on error', desc: 'When the node fails, go on with the flow instead of stopping it.' },
  { key: 'append_input_payload', label: 'Append input payload', desc: 'Add the input payload to the node\u2019s results.' },
  { key: 'join_input_payload', label: 'Join input payloads', desc: 'Wait for all incoming edges and run once with their payloads merged.' },
];

const pluginIdOf = (data) => data?.spec?.id || data?.spec?.module;

/** Renders simple documentation text: paragraphs and `code`. */
/**
 * The plugin's form. Its errors come from the editor, which checks each
 * node's configuration as it changes (the form's own rules at once, the
 * server's once typing settles), and from the last deploy.
 */
function ConfigTab({ data, defaults, onConfig, problems, checking }) {
  const form = data.spec?.form;
  const config = data.spec?.init ?? {};
  if (!form || !(form.groups || []).length) {
    return Object.keys(config).length
      ? <p className="muted">This plugin has no form. Edit its configuration in the JSON tab.</p>
      : <p className="muted">This node has no configuration.</p>;
  }
  const errors = Object.fromEntries((problems || []).filter((p) => p.field).map((p) => [p.field, p.message]));
  return (
    <>
      <ConfigForm form={form} config={config} defaults={defaults} onChange={onConfig} errors={errors} />
      <p className="muted small" aria-live="polite">
        {checking ? 'Checking…' : Object.keys(errors).length ? '' : 'Configuration is valid.'}
      </p>
    </>
  );
}

function JsonTab({ data, onConfig }) {
  const config = data.spec?.init ?? {};
  const [text, setText] = useState(() => pretty(config));
  const [err, setErr] = useState(null);
  const [fieldErrs, setFieldErrs] = useState([]);
  const [pending, setPending] = useState(null);
  // A change of the config elsewhere (the form, undo) shows here.
  const configKey = JSON.stringify(config);
  const [seen, setSeen] = useState(configKey);
  if (seen !== configKey) {
    setSeen(configKey);
    setText(pretty(config));
    setErr(null);
    setFieldErrs([]);
    setPending(null);
  }
  const [busy, setBusy] = useState(false);
  // Each failed apply takes the focus to the JSON with the error.
  const [failures, setFailures] = useState(0);
  const ref = useRef(null);
  useFocusFirstError(ref, failures);
  const fail = () => setFailures((n) => n + 1);

  const apply = async () => {
    const pe = jsonError(text);
    if (pe) { setErr(pe); fail(); return; }
    const v = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) { setErr('The configuration must be a JSON object, e.g. {"key": "value"}.'); fail(); return; }
    setErr(null);
    setBusy(true);
    try {
      const res = await api.validatePluginConfig(pluginIdOf(data), v);
      setFieldErrs([]);
      setPending(null);
      onConfig(res && typeof res.config === 'object' && res.config !== null ? res.config : v);
    } catch (e) {
      if (e.status === 422) {
        setFieldErrs(e.errors.length ? e.errors : [{ field: '', message: e.detail }]);
        setPending(v);
      } else setErr(`Could not check the configuration: ${e.detail || e.message}`);
      fail();
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="json-tab" ref={ref}>
      <label htmlFor="node-json" className="field-label">Configuration (JSON)</label>
      <textarea id="node-json" className={`input mono ${err || fieldErrs.length ? 'is-invalid' : ''}`} rows={14} spellCheck={false} value={text}
        aria-invalid={err || fieldErrs.length ? true : undefined} aria-describedby="node-json-err"
        onChange={(e) => { setText(e.target.value); setErr(null); }} />
      <div id="node-json-err">
        {err && <p className="field-error" role="alert">{err}</p>}
        {fieldErrs.length > 0 && (
          <div className="field-error" role="alert">
            The server refused this configuration:
            <ul>{fieldErrs.map((f, i) => <li key={i}>{f.field ? <><code>{f.field}</code>: </> : null}{f.message}</li>)}</ul>
          </div>
        )}
      </div>
      <div className="row-gap">
        <BusyButton className="btn btn-primary btn-small" onClick={apply} busy={busy}>{busy ? 'Checking…' : 'Validate and apply'}</BusyButton>
        {pending && <button type="button" className="btn btn-small" onClick={() => { onConfig(pending); }}>Apply anyway (keep as draft)</button>}
        <button type="button" className="btn btn-small btn-ghost" onClick={() => { setText(pretty(config)); setErr(null); setFieldErrs([]); setPending(null); }}>Revert</button>
      </div>
    </div>
  );
}

function FlagsTab({ data, onSpec }) {
  return (
    <div>
      {FLAGS.map((f) => (
        <div className="field field-check" key={f.key}>
          <label className="check">
            <input type="checkbox" checked={!!data.spec?.[f.key]} onChange={(e) => onSpec({ [f.key]: e.target.checked })} />
            <span>{f.label}</span>
          </label>
          <p className="field-hint">{f.desc}</p>
        </div>
      ))}
    </div>
  );
}

function DocsTab({ data }) {
  const m = data.metadata || {};
  const s = data.spec || {};
  const doc = m.documentation || {};
  const ports = (list, docs) => (list || []).map((p) => (
    <li key={p}><code>{p}</code>{docs?.[p]?.desc ? <>: <Markdown text={docs[p].desc} className="markdown-inline" /></> : ''}</li>
  ));
  return (
    <div className="docs">
      <p>{m.desc}</p>
      <Markdown text={doc.tutorial} />
      {(s.inputs || []).length > 0 && (<><h4>Input ports</h4><ul>{ports(s.inputs, doc.inputs)}</ul></>)}
      {(s.outputs || []).length > 0 && (<><h4>Output ports</h4><ul>{ports(s.outputs, doc.outputs)}</ul></>)}
      <Markdown text={s.manual} />
      <dl className="kv small">
        <dt>Module</dt><dd><code>{s.module}</code></dd>
        {s.version && <><dt>Version</dt><dd>{s.version}</dd></>}
        {s.author && <><dt>Author</dt><dd>{s.author}</dd></>}
        {s.license && <><dt>License</dt><dd>{s.license}</dd></>}
      </dl>
    </div>
  );
}

/** Connections of the node's ports, editable without a mouse. */
function PortsTab({ node, edges, getNodes, onConnectPorts, onRemoveEdge }) {
  const nodes = getNodes();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const name = (id) => byId.get(id)?.data?.metadata?.name || id.slice(0, 8);
  const outs = node.data.spec?.outputs || [];
  const ins = node.data.spec?.inputs || [];
  const [choice, setChoice] = useState({});
  const targets = (port) => nodes.flatMap((n) => (n.data?.spec?.inputs || []).map((inp) => ({ n, inp })))
    .filter(({ n, inp }) => !connectionProblem({ source: node.id, sourceHandle: port, target: n.id, targetHandle: inp }, byId, edges));
  return (
    <div className="ports">
      {ins.length > 0 && (
        <section>
          <h4>Input {ins.map((p) => <code key={p}>{p}</code>)}</h4>
          <ul className="edge-list">
            {edges.filter((e) => e.target === node.id).map((e) => (
              <li key={e.id}>from {name(e.source)} · <code>{e.sourceHandle}</code>
                <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => onRemoveEdge(e.id)} aria-label={`Remove the connection from ${name(e.source)}`}>Remove</button></li>
            ))}
            {!edges.some((e) => e.target === node.id) && <li className="muted">Not connected.</li>}
          </ul>
        </section>
      )}
      {outs.map((port) => {
        const opts = targets(port);
        const key = choice[port] || '';
        return (
          <section key={port}>
            <h4>Output <code>{port}</code></h4>
            <ul className="edge-list">
              {edges.filter((e) => e.source === node.id && e.sourceHandle === port).map((e) => (
                <li key={e.id}>to {name(e.target)} · <code>{e.targetHandle}</code>
                  <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => onRemoveEdge(e.id)} aria-label={`Remove the connection to ${name(e.target)}`}>Remove</button></li>
              ))}
            </ul>
            <div className="row-gap">
              <select className="input" aria-label={`Connect ${port} to`} value={key} onChange={(e) => setChoice((c) => ({ ...c, [port]: e.target.value }))}>
                <option value="">{opts.length ? 'Connect to…' : 'No node can be connected here'}</option>
                {opts.map(({ n, inp }) => <option key={`${n.id}|${inp}`} value={`${n.id}|${inp}`}>{name(n.id)} · {inp}</option>)}
              </select>
              <button type="button" className="btn btn-small" disabled={!key} onClick={() => {
                const [target, targetHandle] = key.split('|');
                onConnectPorts({ source: node.id, sourceHandle: port, target, targetHandle });
                setChoice((c) => ({ ...c, [port]: '' }));
              }}>Connect</button>
            </div>
          </section>
        );
      })}
    </div>
  );
}

/** Which plugin the node runs: the plugin's own name (the node may be renamed) and its module. */
function PluginTitle({ plugin, spec }) {
  const name = plugin?.metadata?.name;
  return (
    <div className="muted small node-plugin">
      {name && <span>{name} · </span>}<code>{spec?.module}</code>
    </div>
  );
}

const TABS = [['config', 'Config'], ['json', 'JSON'], ['ports', 'Ports'], ['flags', 'Flags'], ['docs', 'Docs']];

/** The side panel of the selected node. */
function NodePanelBase({ node, plugin, defaults, notInstalled = false, problems, checking, onChange, onDelete, onClose, readOnly = false, edges, getNodes, onConnectPorts, onRemoveEdge }) {
  const [tab, setTab] = useState('config');
  const data = node.data;
  const meta = data.metadata || {};
  const onConfig = (init) => onChange(node.id, { ...data, spec: { ...data.spec, init } }, `config:${node.id}`);
  const onSpec = (patch) => onChange(node.id, { ...data, spec: { ...data.spec, ...patch } });
  const onTabKey = (e) => {
    const i = TABS.findIndex(([k]) => k === tab);
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const n = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length][0];
      setTab(n);
      document.getElementById(`tab-${n}`)?.focus();
    }
  };
  const general = (problems || []).filter((p) => !p.field);
  return (
    <aside className="node-panel" aria-label={`Node ${meta.name}`}>
      <header className="node-panel-head">
        <PluginIcon icon={meta.icon} name={meta.name} group={(meta.group || [])[0]} size={30} />
        <div className="grow">
          <label className="sr-only" htmlFor="node-name">Node name</label>
          <input id="node-name" className="input input-title" readOnly={readOnly} value={meta.name || ''} placeholder="Node name"
            onChange={(e) => onChange(node.id, { ...data, metadata: { ...meta, name: e.target.value } }, `name:${node.id}`)} />
          <PluginTitle plugin={plugin} spec={data.spec} />
        </div>
        <button type="button" className="btn btn-small btn-icon" aria-label="Close panel" onClick={onClose}>×</button>
      </header>
      {notInstalled && (
        <div className="error-box" role="alert" data-testid="not-installed">
          <p>
            The plugin <code>{data.spec?.module}</code> is not installed. Press <strong>Reinstall Plugins</strong> (the
            title bar's More menu) if this build has it, or add the plugin to the build. Until then the flow cannot be deployed.
          </p>
        </div>
      )}
      {general.length > 0 && (
        <div className="error-box" role="alert"><ul>{general.map((p, i) => <li key={i}>{p.message}</li>)}</ul></div>
      )}
      <div className="tabs" role="tablist" aria-label="Node settings">
        {TABS.map(([k, label]) => (
          <button type="button" key={k} id={`tab-${k}`} role="tab" aria-selected={tab === k} aria-controls={`panel-${k}`} tabIndex={tab === k ? 0 : -1}
            className={`tab ${tab === k ? 'active' : ''}`} onClick={() => setTab(k)} onKeyDown={onTabKey}>{label}</button>
        ))}
      </div>
      {readOnly && <p className="note small pad-x">This workflow is locked: unlock it to edit.</p>}
      <fieldset disabled={readOnly} className="node-panel-body" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'config' && <ConfigTab key={node.id} data={data} defaults={defaults} onConfig={onConfig} problems={problems} checking={checking} />}
        {tab === 'json' && <JsonTab key={node.id} data={data} onConfig={onConfig} />}
        {tab === 'ports' && <PortsTab node={node} edges={edges} getNodes={getNodes} onConnectPorts={onConnectPorts} onRemoveEdge={onRemoveEdge} />}
        {tab === 'flags' && <FlagsTab data={data} onSpec={onSpec} />}
        {tab === 'docs' && <DocsTab data={data} />}
      </fieldset>
      <footer className="node-panel-foot">
        <button type="button" className="btn btn-small btn-danger-ghost" disabled={readOnly} onClick={() => onDelete(node.id)}>Delete node</button>
        <span className="muted small">id <code>{node.id.slice(0, 8)}</code></span>
      </footer>
    </aside>
  );
}

export default memo(NodePanelBase);
