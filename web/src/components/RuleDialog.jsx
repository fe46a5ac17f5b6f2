import { useRef, useState } from 'react';
import * as api from '../api.js';
import {
  BusyButton, CheckField, ErrorBox, FormError, Modal, SelectField, StaleNotice, TagsField, TextField, apiFieldErrors, useAsync, useFocusFirstError,
} from '../ui.jsx';

/** Create or edit a rule: when an event of a type arrives from a source, run a flow. */
const ruleForm = (rule, presetFlow) => ({
  name: rule?.name || '',
  eventType: rule?.event_type?.id || rule?.event_type?.name || '',
  sourceId: rule?.source?.id || '',
  flowId: rule?.flow?.id || presetFlow?.id || '',
  enabled: rule ? !!rule.enabled : true,
  tags: rule?.tags || [],
  description: rule?.description || '',
});

export function RuleDialog({ rule: opened, presetFlow, onClose, onSaved }) {
  const [rule, setRule] = useState(opened);
  const [form, setForm] = useState(() => ruleForm(opened, presetFlow));
  const [stale, setStale] = useState(false);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);
  const options = useAsync(async () => {
    const [s, f] = await Promise.all([api.listSources(), api.listFlows({ limit: 1000 })]);
    return { sources: api.rows(s), flows: api.rows(f) };
  }, []);
  const sources = options.data?.sources || [];
  const flows = options.data?.flows || [];
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!form.name.trim()) errs.name = 'Give the rule a name.';
    if (!form.eventType.trim()) errs.event_type = 'Enter the event type that triggers the flow, e.g. purchase.';
    else if (!/^[A-Za-z0-9][A-Za-z0-9 ._:-]*$/.test(form.eventType.trim())) errs.event_type = 'Use letters, digits, spaces, dots, dashes, colons and underscores.';
    if (!form.sourceId) errs.source = sources.length ? 'Choose the event source.' : 'Create an event source first.';
    if (!form.flowId) errs.flow = 'Choose the workflow to run.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const src = sources.find((s) => s.id === form.sourceId);
    const flow = flows.find((f) => f.id === form.flowId) || presetFlow;
    const et = form.eventType.trim();
    setBusy(true);
    try {
      await api.saveRule({
        ...(rule?.id ? { id: rule.id, version: rule.version } : {}),
        name: form.name.trim(),
        description: form.description,
        event_type: { id: et, name: et },
        source: { id: form.sourceId, name: src?.name || form.sourceId },
        flow: { id: form.flowId, name: flow?.name || form.flowId },
        enabled: form.enabled,
        tags: form.tags,
      });
      onSaved();
    } catch (err) {
      setStale(api.isStale(err));
      if (api.isStale(err)) { setErrors({}); return; }
      const fe = apiFieldErrors(err);
      for (const k of Object.keys(fe)) {
        const m = /^(event_type|source|flow)\./.exec(k);
        if (m && !fe[m[1]]) fe[m[1]] = fe[k];
      }
      setErrors(fe);
    } finally {
      setBusy(false);
    }
  };

  const reload = async () => {
    try {
      const fresh = await api.getRule(rule.id);
      setRule(fresh);
      setForm(ruleForm(fresh, presetFlow));
      setStale(false);
    } catch (err) {
      setErrors(apiFieldErrors(err));
    }
  };

  return (
    <Modal title={rule?.id ? 'Edit rule' : 'New rule'} onClose={onClose}
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form="rule-form" className="btn btn-primary" busy={busy}>{rule?.id ? 'Save' : 'Create'}</BusyButton>
      </>}>
      <form id="rule-form" ref={formRef} onSubmit={submit} noValidate>
        <StaleNotice show={stale} onReload={reload} what="This rule" />
        <ErrorBox error={options.error} onRetry={options.reload} />
        <FormError error={errors['']} />
        <TextField label="Name" value={form.name} onChange={set('name')} error={errors.name} required />
        <TextField label="Event type" value={form.eventType} onChange={set('eventType')} error={errors.event_type} required
          hint="The rule fires for events of this type, e.g. page-view or purchase." />
        <SelectField label="Event source" value={form.sourceId} onChange={set('sourceId')} error={errors.source} required
          placeholder={options.loading ? 'Loading…' : 'Choose a source'} options={sources.map((s) => ({ value: s.id, label: `${s.name} (${s.id})` }))} />
        <SelectField label="Workflow" value={form.flowId} onChange={set('flowId')} error={errors.flow} required
          placeholder={options.loading ? 'Loading…' : 'Choose a workflow'} options={flows.map((f) => ({ value: f.id, label: f.name || f.id }))} />
        <TextField label="Description" value={form.description} onChange={set('description')} multiline rows={2} />
        <TagsField value={form.tags} onChange={set('tags')} error={errors.tags} />
        <CheckField label="Enabled" checked={form.enabled} onChange={set('enabled')} />
      </form>
    </Modal>
  );
}
