import { useEffect, useState } from 'react';
import * as api from '../api.js';
import { FormDialog, ListTable, PageHead, RowActions, useEditForm } from '../components/Crud.jsx';
import {
  BusyButton, CheckField, JsonField, SelectField, Spinner, Tag, TagsField, TextField, confirmDelete, errorMessage, notify, useAsync,
} from '../ui.jsx';

const OTHER = '(other)';

/** One credential set edited field by field, as the resource type declares it. */
function CredentialFields({ title, hint, type, value, onChange, errors, set }) {
  const put = (id, v) => onChange({ ...(value || {}), [id]: v });
  return (
    <fieldset className="credential-set">
      <legend>{title}</legend>
      <p className="muted small">{hint}</p>
      {type.fields.map((f) => {
        const label = f.name || f.id;
        const err = errors[`credentials.${set}.${f.id}`];
        const v = value?.[f.id];
        if (f.options?.length) {
          return <SelectField key={f.id} label={label} value={v ?? f.default ?? ''} onChange={(x) => put(f.id, x)} hint={f.description}
            error={err} required={f.required} options={f.options.map((o) => ({ value: o.value, label: o.label || o.value }))} />;
        }
        if (f.type === 'object' || f.type === 'json') {
          return <JsonField key={f.id} label={label} value={v ?? f.default ?? {}} onChange={(x) => put(f.id, x)} expect="object" rows={3}
            hint={f.description} error={err} />;
        }
        const num = f.type === 'int' || f.type === 'float';
        return <TextField key={f.id} label={label} required={f.required} hint={f.description} error={err}
          type={num ? 'number' : (f.secret && /pass|secret|token|key/i.test(f.id) ? 'password' : 'text')} autoComplete="off"
          value={v ?? ''} placeholder={f.default !== undefined && f.default !== '' ? String(f.default) : undefined}
          onChange={(x) => put(f.id, num && x !== '' && !Number.isNaN(Number(x)) ? Number(x) : x)} />;
      })}
    </fieldset>
  );
}

/** Runs the stored credentials' connection check and shows the answer. */
function TestConnection({ id }) {
  const [busy, setBusy] = useState('');
  const [result, setResult] = useState(null);
  const run = async (set) => {
    setBusy(set);
    setResult(null);
    try {
      setResult(await api.testResource(id, set));
    } catch (err) {
      setResult({ ok: false, set, message: errorMessage(err) });
    } finally {
      setBusy('');
    }
  };
  return (
    <div className="test-connection">
      <BusyButton className="btn" busy={busy === 'production'} onClick={() => run('production')}>Test connection (production)</BusyButton>
      <BusyButton className="btn" busy={busy === 'test'} onClick={() => run('test')}>Test connection (test)</BusyButton>
      <span className="muted small">Uses the saved credentials.</span>
      {result && (
        <p role="status" className={result.ok ? 'test-ok' : 'field-error'}>
          {result.ok ? '✓ ' : '✗ '}{result.set}: {result.message}
        </p>
      )}
    </div>
  );
}

const resourceForm = (r) => ({
  name: r?.name || '', type: r?.type || '', description: r?.description || '',
  production: r?.credentials?.production || {}, test: r?.credentials?.test || {},
  tags: r?.tags || [], enabled: r ? !!r.enabled : true,
});

function ResourceDialog({ resource, onClose, onSaved }) {
  const [loading, setLoading] = useState(!!resource?.id);
  const [version, setVersion] = useState(resource?.version);
  const [valid, setValid] = useState({ production: true, test: true });
  const { data: typeData, loading: typesLoading } = useAsync(() => api.listResourceTypes(), []);
  const types = api.rows(typeData);
  const [other, setOther] = useState(false);
  const edit = useEditForm(() => resourceForm(resource), {
    validate: (form) => {
      const errs = {};
      if (!form.name.trim()) errs.name = 'Give the resource a name.';
      if (!form.type.trim()) errs.type = 'Choose the resource type, or enter one, e.g. smtp-server or api-key.';
      if (!known && !valid.production) errs['credentials.production'] = 'Fix the JSON of the production credentials.';
      if (!known && !valid.test) errs['credentials.test'] = 'Fix the JSON of the test credentials.';
      return errs;
    },
    save: (form) => api.saveResource({
      ...(resource?.id ? { id: resource.id, version } : {}),
      name: form.name.trim(), type: form.type.trim(), description: form.description,
      credentials: { production: form.production || {}, test: form.test || {} },
      tags: form.tags, enabled: form.enabled,
    }),
    onSaved,
  });
  const { form, setForm, set, errors, setErrors } = edit;
  const known = types.find((t) => t.type === form.type);

  useEffect(() => {
    if (!resource?.id) return;
    // The list may leave credentials out: read the full record.
    api.getResource(resource.id).then((r) => {
      setForm((f) => ({ ...f, production: r?.credentials?.production || {}, test: r?.credentials?.test || {} }));
      setVersion(r?.version);
    }).catch((e) => setErrors({ '': `Could not read the credentials: ${e.detail || e.message}` }))
      .finally(() => setLoading(false));
  }, [resource?.id, setForm, setErrors]);

  const reload = () => edit.reload(async () => {
    const r = await api.getResource(resource.id);
    setForm(resourceForm(r));
    setVersion(r.version);
  });

  return (
    <FormDialog edit={edit} id="resource-form" title={resource?.id ? 'Edit resource' : 'New resource'} what="This resource"
      isNew={!resource?.id} onClose={onClose} onReload={reload} wide busy={loading}>
      <div className="grid-2">
        <TextField label="Name" value={form.name} onChange={set('name')} error={errors.name} required />
        {typesLoading && !other ? (
          // The types are on their way: the choice they give, not a text
          // field that turns into it under the user's typing.
          <SelectField label="Type" value={form.type} required disabled placeholder="Loading types…" onChange={() => {}}
            options={form.type ? [{ value: form.type, label: form.type }] : []} hint="Plugins find resources by type and tag." />
        ) : types.length > 0 && !other && (known || !form.type) ? (
          <SelectField label="Type" value={form.type} error={errors.type} required placeholder="Choose a type"
            hint={known?.description || 'Plugins find resources by type and tag.'}
            options={[...types.map((t) => ({ value: t.type, label: `${t.name} (${t.type})` })), { value: OTHER, label: 'Other…' }]}
            onChange={(v) => {
              if (v === OTHER) { setOther(true); return; }
              const t = types.find((x) => x.type === v);
              setForm((f) => ({ ...f, type: v, tags: f.tags.length || !t ? f.tags : t.tags }));
            }} />
        ) : (
          <TextField label="Type" value={form.type} onChange={set('type')} error={errors.type} required hint="Plugins find resources by type and tag." />
        )}
      </div>
      <TextField label="Description" value={form.description} onChange={set('description')} multiline rows={2} />
      {loading ? <Spinner label="Reading credentials…" /> : known ? (
        <div className="grid-2">
          <CredentialFields title="Production credentials" hint="Used by deployed flows. Stored encrypted." type={known} set="production"
            value={form.production} onChange={set('production')} errors={errors} />
          <CredentialFields title="Test credentials" hint="Used when debugging a flow." type={known} set="test"
            value={form.test} onChange={set('test')} errors={errors} />
        </div>
      ) : (
        <div className="grid-2">
          <JsonField label="Production credentials" value={form.production} onChange={set('production')} expect="object"
            onValidity={(ok) => setValid((v) => ({ ...v, production: ok }))} error={errors['credentials.production']}
            hint="Used by deployed flows. Stored encrypted." />
          <JsonField label="Test credentials" value={form.test} onChange={set('test')} expect="object"
            onValidity={(ok) => setValid((v) => ({ ...v, test: ok }))} error={errors['credentials.test']}
            hint="Used when debugging a flow." />
        </div>
      )}
      <TagsField value={form.tags} onChange={set('tags')} error={errors.tags} />
      <CheckField label="Enabled" checked={form.enabled} onChange={set('enabled')} />
      {resource?.id && known?.testable && <TestConnection id={resource.id} />}
    </FormDialog>
  );
}

export default function Resources() {
  const list = useAsync(() => api.listResources(), []);
  const [editing, setEditing] = useState(null);
  const remove = (r) => confirmDelete(`Delete the resource "${r.name}"? Flows that use it will fail.`, () => api.deleteResource(r.id), () => list.reload());
  return (
    <div className="page">
      <PageHead title="Resources" newLabel="New resource" onNew={() => setEditing({})}>
        Credentials plugins use to reach other systems: one set for production and one for tests.
      </PageHead>
      <ListTable list={list} items={api.rows(list.data)} empty="No resources yet."
        columns={<><th>Name</th><th>Type</th><th className="hide-narrow">Tags</th><th>Enabled</th></>}
        row={(r) => (
          <tr key={r.id}>
            <td className="strong">{r.name}</td>
            <td><code>{r.type}</code></td>
            <td className="hide-narrow">{(r.tags || []).map((t) => <Tag key={t}>{t}</Tag>)}</td>
            <td>{r.enabled ? 'yes' : 'no'}</td>
            <RowActions name={r.name} onEdit={() => setEditing(r)} onDelete={() => remove(r)} />
          </tr>
        )} />
      {editing && <ResourceDialog resource={editing.id ? editing : null} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); notify('Resource saved.'); list.reload(); }} />}
    </div>
  );
}
