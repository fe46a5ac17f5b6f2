import { useRef, useState } from 'react';
import * as api from '../api.js';
import { checkPasswordForm, formErrors, MIN_PASSWORD } from '../lib/users.js';
import { BusyButton, FormError, Modal, TextField, notify, useFocusFirstError } from '../ui.jsx';

const LABELS = { current_password: 'Current password', new_password: 'New password' };

/** Changes the logged-in user's own password. This session stays; the user's other sessions end. */
export default function ChangePasswordDialog({ user, onClose }) {
  const [form, setForm] = useState({ current_password: '', new_password: '', repeat: '' });
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);
  const set = (k) => (v) => setForm((f) => ({ ...f, [k]: v }));
  const submit = async (e) => {
    e.preventDefault();
    const errs = checkPasswordForm(form);
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await api.changeOwnPassword(form.current_password, form.new_password);
      notify('Password changed. Your other sessions were logged out.');
      onClose();
    } catch (err) {
      setErrors(formErrors(err, LABELS));
      setBusy(false);
    }
  };
  return (
    <Modal title="Change password" onClose={onClose} small
      footer={<>
        <button type="button" className="btn" onClick={onClose}>Cancel</button>
        <BusyButton type="submit" form="password-form" className="btn btn-primary" busy={busy}>{busy ? 'Changing…' : 'Change password'}</BusyButton>
      </>}>
      <form id="password-form" ref={formRef} onSubmit={submit} noValidate>
        <FormError error={errors['']} />
        {/* For password managers: whose password this is. */}
        <input type="text" name="username" autoComplete="username" value={user.email} readOnly hidden />
        <TextField label="Current password" type="password" name="current-password" autoComplete="current-password" required
          value={form.current_password} onChange={set('current_password')} error={errors.current_password} />
        <TextField label="New password" type="password" name="new-password" autoComplete="new-password" required
          value={form.new_password} onChange={set('new_password')} error={errors.new_password} hint={`At least ${MIN_PASSWORD} characters, not a common password. A few unrelated words work well.`} />
        <TextField label="Repeat the new password" type="password" name="repeat-password" autoComplete="new-password" required
          value={form.repeat} onChange={set('repeat')} error={errors.repeat} />
        <p className="muted small">Your other sessions, in other browsers or tabs, are logged out; this one stays.</p>
      </form>
    </Modal>
  );
}
