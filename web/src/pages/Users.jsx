import { useState } from 'react';
import * as api from '../api.js';
import { useUser } from '../session.js';
import {
  Empty, ErrorBox, Modal, Spinner, Tag, TextField, apiFieldErrors, confirmDialog, notify, notifyError, useAsync,
} from '../ui.jsx';

const ROLES = [
  { id: 'admin', desc: 'everything, including users' },
  { id: 'developer', desc: 'workflows, plugins, resources' },
  { id: 'marketer', desc: 'workflows, rules, profiles' },
  { id: 'maintainer', desc: 'plugins and operations' },
];

function UserDialog({ onClose, onSaved }) {
  const [form, setForm] = useState({ email: '', full_name: '', password: '', roles: ['marketer'] });
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v }));
  const toggleRole = (r) => setForm((f) => ({ ...f, roles: f.roles.includes(r) ? f.roles.filter((x) => x !== r) : [...f.roles, r] }));
  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!/^[^\s@]+@[^\s@]+$/.test(form.email.trim())) errs.email = 'Enter an e-mail address, e.g. jane@example.com.';
    if (form.password.length < 8) errs.password = 'Use at least 8 characters.';
    if (!form.roles.length) errs.roles = 'Give the user at least one role.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await api.saveUser({ ...form, email: form.email.trim() });
      onSaved();
    } catch (err) {
      setErrors(apiFieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title="New user" onClose={onClose}
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <button type="submit" form="user-form" className="btn btn-primary" disabled={busy}>Create</button>
      </>}>
      <form id="user-form" onSubmit={submit} noValidate>
        {errors[''] && <p className="form-error" role="alert">{errors['']}</p>}
        <TextField label="E-mail" type="email" value={form.email} onChange={set('email')} error={errors.email} required autoComplete="off" />
        <TextField label="Full name" value={form.full_name} onChange={set('full_name')} error={errors.full_name} />
        <TextField label="Password" type="password" value={form.password} onChange={set('password')} error={errors.password} required autoComplete="new-password" hint="At least 8 characters." />
        <fieldset className={`field ${errors.roles ? 'field-invalid' : ''}`}>
          <legend className="field-label">Roles</legend>
          {ROLES.map((r) => (
            <label key={r.id} className="check">
              <input type="checkbox" checked={form.roles.includes(r.id)} onChange={() => toggleRole(r.id)} />
              <span><strong>{r.id}</strong> <span className="muted">— {r.desc}</span></span>
            </label>
          ))}
          {errors.roles && <p className="field-error" role="alert">{errors.roles}</p>}
        </fieldset>
      </form>
    </Modal>
  );
}

export default function Users() {
  const me = useUser();
  const { data, error, loading, reload } = useAsync(() => api.listUsers(), []);
  const [creating, setCreating] = useState(false);
  const users = api.rows(data);
  const remove = async (u) => {
    if (!(await confirmDialog(`Delete the user ${u.email}?`, { ok: 'Delete', danger: true }))) return;
    try {
      await api.deleteUser(u.id);
      reload();
    } catch (e) {
      notifyError(e);
    }
  };
  return (
    <div className="page">
      <div className="page-head">
        <h1>Users</h1>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>New user</button>
      </div>
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : error && !data ? null : users.length === 0 ? <Empty>No users.</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th>E-mail</th><th className="hide-narrow">Name</th><th>Roles</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id}>
                  <td className="strong">{u.email}</td>
                  <td className="hide-narrow">{u.full_name}</td>
                  <td>{(u.roles || []).map((r) => <Tag key={r}>{r}</Tag>)}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small btn-danger-ghost" disabled={u.id === me?.id} onClick={() => remove(u)}
                      aria-label={`Delete ${u.email}`} title={u.id === me?.id ? 'You cannot delete yourself' : undefined}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && <UserDialog onClose={() => setCreating(false)} onSaved={() => { setCreating(false); notify('User created.'); reload(); }} />}
    </div>
  );
}
