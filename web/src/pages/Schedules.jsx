import { useRef, useState } from 'react';
import * as api from '../api.js';
import {
  BusyButton, CheckField, Empty, ErrorBox, FormError, JsonField, Modal, SelectField, Spinner, StaleNotice, TextField,
  apiFieldErrors, confirmDelete, notify, useAsync, useFocusFirstError,
} from '../ui.jsx';

const TIMINGS = [{ value: 'cron', label: 'Cron expression (UTC)' }, { value: 'every', label: 'Every interval' }];
const TARGETS = [{ value: 'event', label: 'Send an event (its rules run flows)' }, { value: 'job', label: 'Enqueue a job' }];

function fromDoc(d) {
  const ev = d?.event || {};
  return {
    name: d?.name || '', description: d?.description || '',
    timing: d?.every ? 'every' : 'cron', cron: d?.cron || '0 * * * *', every: d?.every || '1h',
    target: d?.job ? 'job' : 'event', job: d?.job || '', args: d?.args || {},
    source: ev.source?.id || '', type: ev.type || '', properties: ev.properties || {}, profile: ev.profile?.id || '',
    enabled: d ? d.enabled !== false : true,
  };
}

function ScheduleDialog({ schedule, onClose, onSaved }) {
  const [form, setForm] = useState(() => fromDoc(schedule));
  const [version, setVersion] = useState(schedule?.version);
  const [stale, setStale] = useState(false);
  const [valid, setValid] = useState({ properties: true, args: true });
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v }));
  const { data: sources } = useAsync(() => api.listSources(), []);

  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!form.name.trim()) errs.name = 'Give the schedule a name.';
    if (form.timing === 'cron' && !form.cron.trim()) errs.cron = 'Enter a cron expression, e.g. 0 * * * * (every hour).';
    if (form.timing === 'every' && !form.every.trim()) errs.every = 'Enter an interval, e.g. 1h or 15m.';
    if (form.target === 'event') {
      if (!form.source) errs['event.source.id'] = 'Choose the event source.';
      if (!form.type.trim()) errs['event.type'] = 'Enter the event type.';
      if (!valid.properties) errs['event.properties'] = 'Fix the JSON of the properties.';
    } else {
      if (!form.job.trim()) errs.job = 'Enter the job kind.';
      if (!valid.args) errs.args = 'Fix the JSON of the arguments.';
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const doc = {
      ...(schedule?.id ? { id: schedule.id, version } : {}),
      name: form.name.trim(), description: form.description, enabled: form.enabled,
      ...(form.timing === 'cron' ? { cron: form.cron.trim() } : { every: form.every.trim() }),
      ...(form.target === 'job' ? { job: form.job.trim(), args: form.args || {} } : {
        event: {
          source: { id: form.source }, type: form.type.trim(), properties: form.properties || {},
          profile: form.profile.trim() ? { id: form.profile.trim() } : null,
        },
      }),
    };
    setBusy(true);
    try {
      await api.saveSchedule(doc);
      onSaved();
    } catch (err) {
      setStale(api.isStale(err));
      setErrors(api.isStale(err) ? {} : apiFieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  const reload = async () => {
    try {
      const d = await api.getSchedule(schedule.id);
      setForm(fromDoc(d));
      setVersion(d.version);
      setStale(false);
    } catch (err) {
      setErrors(apiFieldErrors(err));
    }
  };
  return (
    <Modal title={schedule?.id ? 'Edit schedule' : 'New schedule'} onClose={onClose} wide
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form="schedule-form" className="btn btn-primary" busy={busy}>{schedule?.id ? 'Save' : 'Create'}</BusyButton>
      </>}>
      <form id="schedule-form" ref={formRef} onSubmit={submit} noValidate>
        <StaleNotice show={stale} onReload={reload} what="This schedule" />
        <FormError error={errors['']} />
        <TextField label="Name" value={form.name} onChange={set('name')} error={errors.name} required />
        <TextField label="Description" value={form.description} onChange={set('description')} multiline rows={2} />
        <div className="grid-2">
          <SelectField label="Timing" value={form.timing} onChange={set('timing')} options={TIMINGS} />
          {form.timing === 'cron'
            ? <TextField label="Cron" value={form.cron} onChange={set('cron')} error={errors.cron} hint="minute hour day month weekday, in UTC; or @hourly, @daily." />
            : <TextField label="Every" value={form.every} onChange={set('every')} error={errors.every} hint="A minute or more, e.g. 15m, 1h, 24h." />}
        </div>
        <SelectField label="What it does" value={form.target} onChange={set('target')} options={TARGETS} />
        {form.target === 'event' ? <>
          <div className="grid-2">
            <SelectField label="Event source" value={form.source} onChange={set('source')} placeholder="Choose a source"
              options={api.rows(sources).map((s) => ({ value: s.id, label: s.name }))} error={errors['event.source.id'] || errors['event.source']} />
            <TextField label="Event type" value={form.type} onChange={set('type')} error={errors['event.type']} placeholder="hourly-check" />
          </div>
          <TextField label="Profile id" value={form.profile} onChange={set('profile')} error={errors['event.profile.id']} hint="Empty: the event has no profile." />
          <JsonField label="Properties" value={form.properties} onChange={set('properties')} expect="object" rows={3}
            onValidity={(ok) => setValid((v) => ({ ...v, properties: ok }))} error={errors['event.properties']} />
        </> : <>
          <TextField label="Job kind" value={form.job} onChange={set('job')} error={errors.job} hint="A kind of job the server runs, e.g. segment re-evaluation's." />
          <JsonField label="Arguments" value={form.args} onChange={set('args')} expect="object" rows={3}
            onValidity={(ok) => setValid((v) => ({ ...v, args: ok }))} error={errors.args} />
        </>}
        <CheckField label="Enabled" checked={form.enabled} onChange={set('enabled')} />
      </form>
    </Modal>
  );
}

export default function Schedules() {
  const { data, error, loading, reload } = useAsync(() => api.listSchedules(), []);
  const [editing, setEditing] = useState(null);
  const list = api.rows(data);
  const remove = (d) => confirmDelete(`Delete the schedule "${d.name}"?`, () => api.deleteSchedule(d.id), () => reload());
  return (
    <div className="page">
      <div className="page-head">
        <h1>Schedules</h1>
        <button type="button" className="btn btn-primary" onClick={() => setEditing({})}>New schedule</button>
      </div>
      <p className="muted">Run flows at times: a schedule sends an event (its rules choose the flows) or enqueues a job, by a cron expression or at an interval.</p>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : error && !data ? null : list.length === 0 ? <Empty>No schedules yet.</Empty> : (
        <div className="table-wrap">
          <table className="table" aria-label="Schedules">
            <thead><tr><th>Name</th><th>When</th><th className="hide-narrow">Does</th><th>Enabled</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.id}>
                  <td className="strong">{d.name}</td>
                  <td><code>{d.cron || `every ${d.every}`}</code></td>
                  <td className="hide-narrow">{d.job ? <>job <code>{d.job}</code></> : <>event <code>{d.event?.type}</code> from <code>{d.event?.source?.id}</code></>}</td>
                  <td>{d.enabled ? 'yes' : 'no'}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => setEditing(d)} aria-label={`Edit ${d.name}`}>Edit</button>
                    <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => remove(d)} aria-label={`Delete ${d.name}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && <ScheduleDialog schedule={editing.id ? editing : null} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); notify('Schedule saved.'); reload(); }} />}
    </div>
  );
}
