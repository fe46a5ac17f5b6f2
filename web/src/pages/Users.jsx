import { useRef, useState } from 'react';
import * as api from '../api.js';
import { formErrors, MIN_PASSWORD, userChange } from '../lib/users.js';
import { useReloadUser, useUser } from '../session.js';
import {
  BusyButton, CheckField, Empty, ErrorBox, FormError, Modal, Spinner, StaleNotice, Tag, TextField, confirmDelete, notify, useAsync, useFocusFirstError,
} from '../ui.jsx';

const ROLES = [
  { id: 'admin', desc: 'everything, including users' },
  { id: 'developer', desc: 'workflows, plugins, resources' },
  { id: 'marketer', desc: 'workflows, rules, profiles' },
  { id: 'maintainer', desc: 'plugins and operations' },
];

/** The roles as checkboxes in a fieldset, with the field's error. */
function RolesField({ roles, onChange, error, hint }) {
  const toggle = (r) => onChange(roles.includes(r) ? roles.filter((x) => x !== r) : [...roles, r]);
  return (
    <fieldset className={`field ${error ? 'field-invalid' : ''}`}>
      <legend className="field-label">Roles</legend>
      {ROLES.map((r) => (
        <label key={r.id} className="check">
          <input type="checkbox" checked={roles.includes(r.id)} onChange={() => toggle(r.id)} aria-invalid={error ? true : undefined} />
          <span><strong>{r.id}</strong> <span className="muted">— {r.desc}</span></span>
        </label>
      ))}
      {hint && <p className="field-hint">{hint}</p>}
      {error && <p className="field-error" role="alert">{error}</p>}
    </fieldset>
  );
}

const CREATE_LABELS = { email: 'E-mail', full_name: 'Full name', password: 'Password', roles: 'Roles' };
const EDIT_LABELS = { full_name: 'Full name', password: 'New password', roles: 'Roles', disabled: 'Disabled' };

function UserDialog({ onClose, onSaved }) {
  const [form, setForm] = useState({ email: '', full_name: '', password: '', roles: ['marketer'] });
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v }));
  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!/^[^\s@]+@[^\s@]+$/.test(form.email.trim())) errs.email = 'Enter an e-mail address, e.g. jane@example.com.';
    if ([...form.password].length < MIN_PASSWORD) errs.password = `Use at least ${MIN_PASSWORD} characters.`;
    if (!form.roles.length) errs.roles = 'Give the user at least one role.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await api.saveUser({ ...form, email: form.email.trim() });
      onSaved();
    } catch (err) {
      setErrors(err.status === 409 ? { email: 'A user with this e-mail exists already.' } : formErrors(err, CREATE_LABELS));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title="New user" onClose={onClose}
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form="user-form" className="btn btn-primary" busy={busy}>Create</BusyButton>
      </>}>
      <form id="user-form" ref={formRef} onSubmit={submit} noValidate>
        <FormError error={errors['']} />
        <TextField label="E-mail" type="email" value={form.email} onChange={set('email')} error={errors.email} required autoComplete="off" />
        <TextField label="Full name" value={form.full_name} onChange={set('full_name')} error={errors.full_name} />
        <TextField label="Password" type="password" value={form.password} onChange={set('password')} error={errors.password} required autoComplete="new-password" hint={`At least ${MIN_PASSWORD} characters, not a common password. A few unrelated words work well.`} />
        <RolesField roles={form.roles} onChange={set('roles')} error={errors.roles} />
      </form>
    </Modal>
  );
}

/** What a saved change did, in words. */
function savedMessage(user, change) {
  if (change.disabled === true) return `${user.email} is disabled and logged out.`;
  if (change.password) return `${user.email} has a new password and was logged out.`;
  if (change.disabled === false) return `${user.email} can log in again.`;
  return `${user.email} saved.`;
}

const userForm = (user) => ({ full_name: user.full_name || '', roles: user.roles || [], password: '', disabled: !!user.disabled });

function EditUserDialog({ user: opened, self, onClose, onSaved }) {
  const [user, setUser] = useState(opened);
  const [form, setForm] = useState(() => userForm(opened));
  const [stale, setStale] = useState(false);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v }));
  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (form.password && [...form.password].length < MIN_PASSWORD) errs.password = `Use at least ${MIN_PASSWORD} characters, or leave it empty to keep the password.`;
    if (!form.roles.length) errs.roles = 'Give the user at least one role.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const change = userChange(user, form);
    if (!Object.keys(change).length) {
      onClose();
      return;
    }
    setBusy(true);
    try {
      await api.updateUser(user.id, { ...change, version: user.version });
      onSaved(savedMessage(user, change));
    } catch (err) {
      setStale(api.isStale(err));
      setErrors(api.isStale(err) ? {} : formErrors(err, EDIT_LABELS));
      setBusy(false);
    }
  };
  const reload = async () => {
    try {
      const fresh = await api.getUser(user.id);
      setUser(fresh);
      setForm(userForm(fresh));
      setStale(false);
    } catch (err) {
      setErrors(formErrors(err, EDIT_LABELS));
    }
  };
  return (
    <Modal title={`Edit ${user.email}`} onClose={onClose}
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form="edit-user-form" className="btn btn-primary" busy={busy}>Save</BusyButton>
      </>}>
      <form id="edit-user-form" ref={formRef} onSubmit={submit} noValidate>
        <StaleNotice show={stale} onReload={reload} what="This user" />
        <FormError error={errors['']} />
        <TextField label="Full name" value={form.full_name} onChange={set('full_name')} error={errors.full_name} autoComplete="off" />
        <RolesField roles={form.roles} onChange={set('roles')} error={errors.roles}
          hint={self ? 'Another admin has to take the admin role from you.' : 'New roles apply at once, also to open sessions.'} />
        {self
          ? <p className="field-hint field">To change your own password, choose <strong>Change password</strong> in the account menu at the top right: it keeps you logged in.</p>
          : <TextField label="New password" type="password" value={form.password} onChange={set('password')} error={errors.password} autoComplete="new-password"
            hint={`Leave empty to keep the current one. At least ${MIN_PASSWORD} characters, not a common password; the user is logged out.`} />}
        <CheckField label="Disabled: cannot log in" checked={form.disabled} onChange={set('disabled')} error={errors.disabled}
          hint={self ? 'Another admin has to disable your account.' : 'Disabling logs the user out at once. The account and its settings stay.'} />
      </form>
    </Modal>
  );
}

export default function Users() {
  const me = useUser();
  const reloadMe = useReloadUser();
  const { data, error, loading, reload } = useAsync(() => api.listUsers(), []);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState(null);
  const users = api.rows(data);
  const disabled = users.filter((u) => u.disabled).length;
  const remove = (u) => confirmDelete(`Delete the user ${u.email}?`, () => api.deleteUser(u.id), () => reload());
  return (
    <div className="page">
      <div className="page-head">
        <h1>Users</h1>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>New user</button>
      </div>
      {users.length > 0 && (
        <p className="muted">{users.length} {users.length === 1 ? 'user' : 'users'}{disabled ? `, ${disabled} of them disabled (cannot log in)` : ''}.</p>
      )}
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data ? <Spinner /> : error && !data ? null : users.length === 0 ? <Empty>No users.</Empty> : (
        <div className="table-wrap">
          <table className="table users-table">
            <thead><tr><th>E-mail</th><th className="hide-narrow">Name</th><th className="hide-narrow">Roles</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} className={u.disabled ? 'row-disabled' : undefined}>
                  <td className="strong break">
                    {u.email}
                    {u.id === me?.id && <span className="badge">you</span>}
                    {u.disabled && <span className="badge badge-danger" title="Cannot log in">Disabled</span>}
                    <div className="show-narrow cell-extra">{(u.roles || []).map((r) => <Tag key={r}>{r}</Tag>)}</div>
                  </td>
                  <td className="hide-narrow">{u.full_name}</td>
                  <td className="hide-narrow">{(u.roles || []).map((r) => <Tag key={r}>{r}</Tag>)}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => setEditing(u)} aria-label={`Edit ${u.email}`}>Edit</button>
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
      {editing && <EditUserDialog user={editing} self={editing.id === me?.id} onClose={() => setEditing(null)}
        onSaved={(msg) => {
          const self = editing.id === me?.id;
          setEditing(null);
          notify(msg);
          reload();
          if (self) reloadMe();
        }} />}
    </div>
  );
}
