import { useState } from 'react';
import * as api from '../api.js';
import { FormDialog, ListTable, PageHead, RowActions, useEditForm } from '../components/Crud.jsx';
import { CheckField, SelectField, TagsField, TextField, confirmDelete, notify, useAsync } from '../ui.jsx';

function ConsentTypeDialog({ type, onClose, onSaved }) {
  const edit = useEditForm(() => ({
    name: type?.name || '', description: type?.description || '', revokable: !!type?.revokable, autoRevoke: type?.auto_revoke || '',
    def: type?.default_value || 'deny', required: !!type?.required, tags: type?.tags || [], enabled: type ? type.enabled !== false : true,
  }), {
    validate: (form) => {
      const errs = {};
      if (!form.name.trim()) errs.name = 'Give the consent type a name.';
      if (form.revokable && !form.autoRevoke.trim()) errs.auto_revoke = 'Say how long a grant lasts, e.g. 365d.';
      return errs;
    },
    save: (form) => api.saveConsentType({
      ...(type?.id ? { id: type.id, version: type.version } : {}),
      name: form.name.trim(), description: form.description, revokable: form.revokable, auto_revoke: form.autoRevoke.trim(),
      default_value: form.def, required: form.required, tags: form.tags, enabled: form.enabled,
    }),
    onSaved,
  });
  const { form, set, errors } = edit;
  return (
    <FormDialog edit={edit} id="consent-form" title={type?.id ? 'Edit consent type' : 'New consent type'} what="This consent type"
      isNew={!type?.id} onClose={onClose}>
      <TextField label="Name" value={form.name} onChange={set('name')} error={errors.name || errors.id} required />
      <TextField label="Description" value={form.description} onChange={set('description')} multiline rows={2} error={errors.description} />
      <SelectField label="Default" value={form.def} onChange={set('def')} error={errors.default_value}
        options={[{ value: 'deny', label: 'Denied until granted' }, { value: 'grant', label: 'Granted unless refused' }]} />
      <CheckField label="Revokable: a grant expires" checked={form.revokable} onChange={set('revokable')} />
      {form.revokable && <TextField label="Expires after" value={form.autoRevoke} onChange={set('autoRevoke')} error={errors.auto_revoke} required
        hint="e.g. 365d, 2w, 12h or a number of seconds." />}
      <CheckField label="Required" checked={form.required} onChange={set('required')} />
      <TagsField value={form.tags} onChange={set('tags')} error={errors.tags} />
      <CheckField label="Enabled" checked={form.enabled} onChange={set('enabled')} />
    </FormDialog>
  );
}

export default function ConsentTypes() {
  const list = useAsync(() => api.listConsentTypes(), []);
  const [editing, setEditing] = useState(null);
  const remove = (c) => confirmDelete(`Delete the consent type "${c.name}"? Profiles keep the consents they hold.`, () => api.deleteConsentType(c.id), () => list.reload());
  return (
    <div className="page">
      <PageHead title="Consent types" newLabel="New consent type" onNew={() => setEditing({})}>
        The consents a profile may grant. The Add consent node records them; Has consents tests them; a profile&apos;s page shows and edits them.
      </PageHead>
      <ListTable list={list} items={api.rows(list.data)} empty="No consent types yet."
        columns={<><th>Name</th><th>Revokable</th><th>Default</th><th>Enabled</th></>}
        row={(c) => (
          <tr key={c.id}>
            <td className="strong">{c.name}<div><code className="muted small">{c.id}</code></div></td>
            <td>{c.revokable ? `after ${c.auto_revoke}` : 'no'}</td>
            <td>{c.default_value}</td>
            <td>{c.enabled !== false ? 'yes' : 'no'}</td>
            <RowActions name={c.name} onEdit={() => setEditing(c)} onDelete={() => remove(c)} />
          </tr>
        )} />
      {editing && <ConsentTypeDialog type={editing.id ? editing : null} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); notify('Consent type saved.'); list.reload(); }} />}
    </div>
  );
}
