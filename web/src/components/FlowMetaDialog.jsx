import { useRef, useState } from 'react';
import * as api from '../api.js';
import { BusyButton, FormError, Modal, SelectField, StaleNotice, TagsField, TextField, apiFieldErrors, useFocusFirstError } from '../ui.jsx';

export const FLOW_TYPES = [
  { value: 'collection', label: 'Collection: runs on collected events' },
  { value: 'segmentation', label: 'Segmentation' },
];

/** Create or edit a flow's name, description, tags and type. */
const metaForm = (flow) => ({
  name: flow?.name || '', description: flow?.description || '', tags: flow?.tags || [], type: flow?.type || 'collection',
});

export function FlowMetaDialog({ flow: opened, onClose, onSaved }) {
  const [flow, setFlow] = useState(opened);
  const [form, setForm] = useState(() => metaForm(opened));
  const [stale, setStale] = useState(false);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!form.name.trim()) errs.name = 'Give the workflow a name.';
    else if (form.name.trim().length > 120) errs.name = 'Keep the name under 120 characters.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      // The list's metadata carries its version; the editor's does not
      // (its draft saves change the metadata too).
      const ids = flow?.id ? { id: flow.id, ...(flow.version !== undefined ? { version: flow.version } : {}) } : {};
      const saved = await api.saveFlowMetadata({ ...ids, ...form, name: form.name.trim() });
      onSaved(saved || { ...flow, ...form });
    } catch (err) {
      setStale(api.isStale(err));
      setErrors(api.isStale(err) ? {} : apiFieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  const reload = async () => {
    try {
      const fresh = await api.getFlowMetadata(flow.id);
      setFlow(fresh);
      setForm(metaForm(fresh));
      setStale(false);
    } catch (err) {
      setErrors(apiFieldErrors(err));
    }
  };

  return (
    <Modal title={flow?.id ? 'Edit workflow' : 'New workflow'} onClose={onClose}
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form="flow-meta" className="btn btn-primary" busy={busy}>{flow?.id ? 'Save' : 'Create'}</BusyButton>
      </>}>
      <form id="flow-meta" ref={formRef} onSubmit={submit} noValidate>
        <StaleNotice show={stale} onReload={reload} what="This workflow" />
        <FormError error={errors['']} />
        <TextField label="Name" value={form.name} onChange={set('name')} error={errors.name} required />
        <TextField label="Description" value={form.description} onChange={set('description')} error={errors.description} multiline />
        <TagsField value={form.tags} onChange={set('tags')} error={errors.tags} />
        <SelectField label="Type" value={form.type} onChange={set('type')} options={FLOW_TYPES} error={errors.type} />
      </form>
    </Modal>
  );
}
