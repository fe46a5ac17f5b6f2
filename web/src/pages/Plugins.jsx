import { useEffect, useState } from 'react';
import * as api from '../api.js';
import PluginIcon from '../components/PluginIcon.jsx';
import ReinstallButton from '../components/Reinstall.jsx';
import Markdown from '../components/Markdown.jsx';
import { Empty, ErrorBox, Spinner, Switch, Tag, notifyError, useAsync } from '../ui.jsx';

function PluginRow({ rec, onChange }) {
  const [open, setOpen] = useState(false);
  const { spec = {}, metadata = {} } = rec.plugin || {};
  const settings = rec.settings || { enabled: true, hidden: false };
  const toggle = async (what, value) => {
    try {
      if (what === 'enabled') await api.enablePlugin(rec.id, value);
      else await api.hidePlugin(rec.id, value);
      onChange(rec.id, { ...settings, [what]: value });
    } catch (e) {
      notifyError(e);
    }
  };
  const docs = metadata.documentation || {};
  return (
    <li className={`plugin-row ${settings.enabled ? '' : 'is-disabled'}`}>
      <div className="plugin-main">
        <PluginIcon icon={metadata.icon} name={metadata.name} group={(metadata.group || [])[0]} />
        <div className="plugin-text">
          <button type="button" className="link-btn strong" aria-expanded={open} onClick={() => setOpen(!open)}>{metadata.name || rec.id}</button>
          <div className="muted small">{metadata.desc}</div>
        </div>
        <label className="switch-label">
          <Switch checked={settings.enabled} onChange={(v) => toggle('enabled', v)} label={`Enabled: ${metadata.name}`} />
          <span>Enabled</span>
        </label>
        <label className="switch-label">
          <Switch checked={settings.hidden} onChange={(v) => toggle('hidden', v)} label={`Hidden: ${metadata.name}`} />
          <span>Hidden</span>
        </label>
      </div>
      {open && (
        <div className="plugin-details">
          <dl className="kv">
            <dt>Id</dt><dd><code>{rec.id}</code></dd>
            <dt>Module</dt><dd><code>{spec.module}</code></dd>
            <dt>Version</dt><dd>{spec.version || '—'}</dd>
            <dt>Author</dt><dd>{spec.author || '—'}</dd>
            <dt>License</dt><dd>{spec.license || '—'}</dd>
            <dt>Inputs</dt><dd>{(spec.inputs || []).map((p) => <Tag key={p}>{p}</Tag>)}{!(spec.inputs || []).length && '—'}</dd>
            <dt>Outputs</dt><dd>{(spec.outputs || []).map((p) => <Tag key={p}>{p}</Tag>)}</dd>
            {(metadata.tags || []).length > 0 && <><dt>Tags</dt><dd>{metadata.tags.map((t) => <Tag key={t}>{t}</Tag>)}</dd></>}
          </dl>
          <Markdown text={docs.tutorial} />
        </div>
      )}
    </li>
  );
}

export default function Plugins() {
  const [query, setQuery] = useState('');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setDebounced(query.trim()), 250);
    return () => clearTimeout(t);
  }, [query]);
  const { data, error, loading, reload, setData } = useAsync(() => api.listPlugins(debounced), [debounced]);
  const grouped = data?.grouped || {};
  const groups = Object.keys(grouped).sort();

  const onChange = (id, settings) => setData((d) => ({
    ...d,
    grouped: Object.fromEntries(Object.entries(d.grouped).map(([g, list]) => [g, list.map((r) => (r.id === id ? { ...r, settings } : r))])),
  }));

  return (
    <div className="page">
      <div className="page-head">
        <h1>Plugins</h1>
        <ReinstallButton className="btn btn-primary" onDone={reload} />
      </div>
      <p className="muted">Disabled plugins cannot run in flows; hidden ones stay out of the editor's palette.</p>
      <div className="toolbar">
        <input className="input search" type="search" placeholder="Search plugins by name, description or group" aria-label="Search plugins"
          value={query} onChange={(e) => setQuery(e.target.value)} />
        {data && <span className="muted">{data.total ?? 0} plugins</span>}
      </div>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : error && !data ? null : groups.length === 0 ? (
        <Empty>{debounced ? 'No plugin matches.' : 'No plugins installed. Press Reinstall Plugins.'}</Empty>
      ) : groups.map((g) => (
        <section key={g} className="plugin-group" aria-labelledby={`pg-${g}`}>
          <h2 id={`pg-${g}`}>{g} <span className="muted small">({grouped[g].length})</span></h2>
          <ul className="plugin-list">
            {grouped[g].map((rec) => <PluginRow key={rec.id} rec={rec} onChange={onChange} />)}
          </ul>
        </section>
      ))}
    </div>
  );
}
