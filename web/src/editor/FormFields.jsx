// The node configuration form, rendered from the plugin's spec.form. Each
// field's id is a dot path into the node's config (spec.init).
import { memo, useEffect, useState } from 'react';
import * as api from '../api.js';
import { getPath, setPath } from '../lib/dotpath.js';
import { Field, jsonError, pretty } from '../ui.jsx';
import { DOT_SOURCES, joinDotPath, localFieldErrors, parseDotPath } from './forms.js';

export { localFieldErrors };

function DotPathInput({ id, value, onChange, allowValue = true, describedBy, invalid }) {
  const { source, path } = parseDotPath(value);
  const [src, setSrc] = useState(source || (allowValue ? '' : 'event'));
  const [seen, setSeen] = useState(source);
  if (seen !== source) {
    setSeen(source);
    if (source) setSrc(source);
  }
  return (
    <div className="dotpath">
      <select className="input dotpath-source" aria-label="Source" value={src} onChange={(e) => { setSrc(e.target.value); onChange(joinDotPath(e.target.value, path)); }}>
        {allowValue && <option value="">value</option>}
        {DOT_SOURCES.map((s) => <option key={s} value={s}>{s}@</option>)}
      </select>
      <input id={id} className="input mono" value={path} aria-describedby={describedBy} aria-invalid={invalid}
        placeholder={src ? 'traits.name' : 'text'} onChange={(e) => onChange(joinDotPath(src, e.target.value))} />
    </div>
  );
}

function NumberAwareText({ id, value, onChange, describedBy, invalid, numeric, type = 'text', placeholder }) {
  const [text, setText] = useState(value == null ? '' : String(value));
  const [seen, setSeen] = useState({ value, numeric });
  if (seen.value !== value || seen.numeric !== numeric) {
    setSeen({ value, numeric });
    setText((t) => (numeric && t.trim() !== '' && Number(t) === value ? t : value == null ? '' : String(value)));
  }
  return (
    <input id={id} className="input" type={type} value={text} aria-describedby={describedBy} aria-invalid={invalid} placeholder={placeholder}
      inputMode={numeric ? 'decimal' : undefined}
      onChange={(e) => {
        const t = e.target.value;
        setText(t);
        if (numeric && /^-?\d+(\.\d+)?$/.test(t.trim())) onChange(Number(t));
        else onChange(t);
      }} />
  );
}

function JsonValue({ id, value, onChange, describedBy, onLocalError }) {
  const asString = typeof value === 'string';
  const [text, setText] = useState(() => (asString ? value : pretty(value)));
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    setText((t) => {
      try {
        const cur = asString ? t : JSON.parse(t);
        if (JSON.stringify(cur) === JSON.stringify(value)) return t;
      } catch { /* keep re-rendering from value */ }
      return asString ? value : pretty(value);
    });
  }
  return (
    <textarea id={id} className="input mono" rows={6} spellCheck={false} value={text} aria-describedby={describedBy}
      onChange={(e) => {
        const t = e.target.value;
        setText(t);
        const err = t.trim() === '' ? null : jsonError(t);
        onLocalError(err);
        if (!err) onChange(asString ? t : t.trim() === '' ? null : JSON.parse(t));
      }} />
  );
}

function KeyValueList({ value, onChange, id, keyPlaceholder = 'key', valuePlaceholder = 'value or profile@traits.x' }) {
  const asArray = Array.isArray(value);
  const rows = asArray ? value.map((r) => [r?.key ?? '', r?.value ?? '']) : Object.entries(value || {});
  const [draft, setDraft] = useState(rows);
  const valueKey = JSON.stringify(value);
  const [seen, setSeen] = useState(valueKey);
  if (seen !== valueKey) {
    setSeen(valueKey);
    setDraft((d) => {
      const fromDraft = JSON.stringify(Object.fromEntries(d.filter(([k]) => k !== '')));
      return fromDraft === JSON.stringify(Object.fromEntries(rows)) ? d : rows;
    });
  }
  const emit = (d) => {
    setDraft(d);
    const kept = d.filter(([k]) => k !== '');
    onChange(asArray ? kept.map(([k, v]) => ({ key: k, value: v })) : Object.fromEntries(kept));
  };
  const dup = new Set(draft.map(([k]) => k).filter((k, i, a) => k && a.indexOf(k) !== i));
  return (
    <div className="kvlist" id={id}>
      {draft.map(([k, v], i) => (
        <div className="kvlist-row" key={i}>
          <input className="input mono" aria-label={`Key ${i + 1}`} value={k} placeholder={keyPlaceholder} aria-invalid={dup.has(k) || undefined}
            onChange={(e) => emit(draft.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />
          <input className="input mono" aria-label={`Value ${i + 1}`} value={typeof v === 'string' ? v : JSON.stringify(v)} placeholder={valuePlaceholder}
            onChange={(e) => emit(draft.map((r, j) => (j === i ? [r[0], e.target.value] : r)))} />
          <button type="button" className="btn btn-small btn-icon" aria-label={`Remove row ${i + 1}`} onClick={() => emit(draft.filter((_, j) => j !== i))}>×</button>
        </div>
      ))}
      {dup.size > 0 && <p className="field-error">Each key must be used once; the last one wins.</p>}
      <button type="button" className="btn btn-small" onClick={() => setDraft([...draft, ['', '']])}>Add pair</button>
    </div>
  );
}

function ListOfDotPaths({ value, onChange, id }) {
  const list = Array.isArray(value) ? value : [];
  return (
    <div className="kvlist" id={id}>
      {list.map((v, i) => (
        <div className="kvlist-row" key={i}>
          <DotPathInput value={v} allowValue={false} onChange={(nv) => onChange(list.map((x, j) => (j === i ? nv : x)))} />
          <button type="button" className="btn btn-small btn-icon" aria-label={`Remove path ${i + 1}`} onClick={() => onChange(list.filter((_, j) => j !== i))}>×</button>
        </div>
      ))}
      <button type="button" className="btn btn-small" onClick={() => onChange([...list, 'event@'])}>Add path</button>
    </div>
  );
}

function EventTypes({ id, value, onChange, describedBy }) {
  const list = Array.isArray(value) ? value : [];
  const objects = list.some((x) => x && typeof x === 'object');
  const names = list.map((x) => (x && typeof x === 'object' ? x.id || x.name : x));
  const [text, setText] = useState(names.join(', '));
  const namesKey = names.join(',');
  const [seen, setSeen] = useState(namesKey);
  if (seen !== namesKey) {
    setSeen(namesKey);
    setText((t) => (t.split(',').map((s) => s.trim()).filter(Boolean).join(',') === namesKey ? t : names.join(', ')));
  }
  return (
    <input id={id} className="input" value={text} aria-describedby={describedBy} placeholder="page-view, purchase"
      onChange={(e) => {
        setText(e.target.value);
        const parts = e.target.value.split(',').map((s) => s.trim()).filter(Boolean);
        onChange(objects ? parts.map((p) => ({ id: p, name: p })) : parts);
      }} />
  );
}

let resourceCache = null;
function useResources() {
  const [state, setState] = useState({ list: resourceCache, error: null });
  useEffect(() => {
    if (resourceCache) return;
    api.listResources().then((r) => { resourceCache = api.rows(r); setState({ list: resourceCache, error: null }); })
      .catch((error) => setState({ list: [], error }));
  }, []);
  return state;
}

function ResourceSelect({ id, value, onChange, tag, describedBy, invalid }) {
  const { list, error } = useResources();
  const items = (list || []).filter((r) => !tag || (r.tags || []).includes(tag) || r.type === tag);
  const cur = value && typeof value === 'object' ? value.id : value || '';
  return (
    <>
      <select id={id} className="input" value={cur || ''} aria-describedby={describedBy} aria-invalid={invalid}
        onChange={(e) => {
          const r = items.find((x) => x.id === e.target.value);
          onChange(e.target.value ? { id: r.id, name: r.name } : { id: '', name: '' });
        }}>
        <option value="">{list ? (items.length ? 'Choose a resource' : `No resource${tag ? ` tagged "${tag}"` : ''}; create one on the Resources page`) : 'Loading…'}</option>
        {items.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
        {cur && !items.some((r) => r.id === cur) && <option value={cur}>{value?.name || cur} (not found)</option>}
      </select>
      {error && <p className="field-error">Could not list resources: {error.detail || error.message}</p>}
    </>
  );
}

function selectItems(items) {
  if (Array.isArray(items)) return items.map((x) => (x && typeof x === 'object' ? { value: x.id ?? x.value, label: x.name ?? x.label ?? x.id } : { value: x, label: x }));
  return Object.entries(items || {}).map(([value, label]) => ({ value, label: String(label) }));
}

/** One form field: its label, editor, description and error. */
const FormField = memo(function FormField({ field, value, defaultValue, onChange, error }) {
  const [localErr, setLocalErr] = useState(null);
  const type = field.component?.type || 'text';
  const props = field.component?.props || {};
  // A field whose default (or first) value is a number keeps numbers numbers.
  const [wasNumber] = useState(typeof value === 'number');
  const numeric = typeof defaultValue === 'number' || (defaultValue === undefined && wasNumber);
  const label = field.name || props.label || field.id;
  if (type === 'bool') {
    return (
      <div className={`field field-check ${error ? 'field-invalid' : ''}`} data-field={field.id}>
        <label className="check">
          <input type="checkbox" checked={!!value} onChange={(e) => onChange(field.id, e.target.checked)} />
          <span>{label}</span>
        </label>
        {field.description && <p className="field-hint">{field.description}</p>}
        {error && <p className="field-error" role="alert">{error}</p>}
      </div>
    );
  }
  return (
    <div data-field={field.id}>
      <Field label={label} hint={field.description} error={localErr || error} required={field.required}>
        {({ id, 'aria-describedby': describedBy, 'aria-invalid': invalid }) => {
          const set = (v) => onChange(field.id, v);
          switch (type) {
            case 'text':
            case 'password':
              return <NumberAwareText id={id} value={value} onChange={set} numeric={numeric} describedBy={describedBy} invalid={invalid}
                type={type === 'password' ? 'password' : 'text'} placeholder={props.placeholder} />;
            case 'textarea':
            case 'sql':
              return <textarea id={id} className="input mono" rows={props.rows || 5} value={value ?? ''} aria-describedby={describedBy} aria-invalid={invalid}
                onChange={(e) => set(e.target.value)} />;
            case 'dotPath':
            case 'forceDotPath':
              return <DotPathInput id={id} value={value} onChange={set} allowValue={type === 'dotPath'} describedBy={describedBy} invalid={invalid} />;
            case 'select': {
              const items = selectItems(props.items);
              return (
                <select id={id} className="input" value={value ?? ''} aria-describedby={describedBy} aria-invalid={invalid}
                  onChange={(e) => {
                    const it = items.find((x) => String(x.value) === e.target.value);
                    set(it ? it.value : e.target.value);
                  }}>
                  {!items.some((x) => String(x.value) === String(value ?? '')) && <option value={value ?? ''}>{value ? `${value} (not a choice)` : 'Choose…'}</option>}
                  {items.map((x) => <option key={x.value} value={x.value}>{x.label}</option>)}
                </select>
              );
            }
            case 'keyValueList':
              return <KeyValueList id={id} value={value} onChange={set} />;
            case 'copyTraitsInput': {
              // {"<action>": {target: source}}: one list of pairs per action (e.g. "set").
              const actions = Object.keys(props.actions || { set: 'Set to' });
              const cur = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
              return (
                <div id={id} className="copy-traits">
                  {actions.map((a) => (
                    <div key={a}>
                      {actions.length > 1 && <div className="small muted">{(props.actions || {})[a] || a}</div>}
                      <KeyValueList value={cur[a] || {}} onChange={(v) => set({ ...cur, [a]: v })}
                        keyPlaceholder={props.defaultTarget ? `${props.defaultTarget}.name` : 'target'}
                        valuePlaceholder={props.defaultSource ? `${props.defaultSource}.name` : 'source or value'} />
                    </div>
                  ))}
                </div>
              );
            }
            case 'listOfDotPaths':
              return <ListOfDotPaths id={id} value={value} onChange={set} />;
            case 'eventTypes':
              return <EventTypes id={id} value={value} onChange={set} describedBy={describedBy} />;
            case 'eventType': {
              const obj = value && typeof value === 'object';
              const cur = obj ? value.id || value.name || '' : value ?? '';
              return <input id={id} className="input" value={cur} aria-describedby={describedBy} aria-invalid={invalid} placeholder="page-view"
                onChange={(e) => set(obj || value === undefined ? { id: e.target.value, name: e.target.value } : e.target.value)} />;
            }
            case 'resource':
              return <ResourceSelect id={id} value={value} onChange={set} tag={props.tag} describedBy={describedBy} invalid={invalid} />;
            default:
              // json and every type this editor does not know: edit the value as JSON.
              return <JsonValue id={id} value={value} onChange={set} describedBy={describedBy} onLocalError={setLocalErr} />;
          }
        }}
      </Field>
    </div>
  );
});

/** The whole form: groups of fields bound to config; errors is {fieldId: message}. */
export function ConfigForm({ form, config, defaults, onChange, errors }) {
  const onField = (fieldId, v) => onChange(setPath(config, fieldId, v));
  const known = new Set((form.groups || []).flatMap((g) => (g.fields || []).map((f) => f.id)));
  const orphan = Object.entries(errors || {}).filter(([k]) => !known.has(k));
  return (
    <div className="config-form">
      {orphan.length > 0 && (
        <div className="error-box" role="alert">
          <ul>{orphan.map(([k, m]) => <li key={k}>{k ? <><code>{k}</code>: </> : null}{m}</li>)}</ul>
        </div>
      )}
      {(form.groups || []).map((g, gi) => (
        <fieldset key={gi} className="form-group">
          {g.name && <legend>{g.name}</legend>}
          {g.description && <p className="field-hint">{g.description}</p>}
          {(g.fields || []).map((f) => (
            <FormField key={f.id} field={f} value={getPath(config, f.id)} defaultValue={getPath(defaults, f.id)} onChange={onField} error={errors?.[f.id]} />
          ))}
        </fieldset>
      ))}
    </div>
  );
}
