import { useRef, useState } from 'react';
import * as api from '../api.js';
import { BusyButton, FormError, TextField, errorMessage, useFocusFirstError } from '../ui.jsx';

export default function Login({ onLoggedIn, note, overlay = false }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  useFocusFirstError(formRef, errors);

  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (!username.trim()) errs.username = 'Enter your e-mail.';
    if (!password) errs.password = 'Enter your password.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await api.login(username.trim(), password);
      await onLoggedIn();
    } catch (err) {
      setErrors({ '': err.status === 401 || err.status === 400 ? 'Wrong e-mail or password.' : errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  const card = (
    <form ref={formRef} className="login-card" onSubmit={submit} noValidate aria-labelledby="login-title" role={overlay ? 'dialog' : undefined} aria-modal={overlay || undefined}>
      <div className="login-brand">
        <svg viewBox="0 0 32 32" width="36" height="36" aria-hidden="true"><rect width="32" height="32" rx="7" fill="currentColor" /><path d="M8 10h16M16 10v14M11 18l5 6 5-6" stroke="#fff" strokeWidth="3" fill="none" strokeLinecap="round" /></svg>
        <h1 id="login-title">Tracflow</h1>
      </div>
      <p className="muted">Log in to build and debug workflows.</p>
      {note && <p className="note" role="status">{note}</p>}
      <FormError error={errors['']} />
      <TextField label="E-mail" name="username" autoComplete="username" value={username} onChange={setUsername} error={errors.username} autoFocus />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={setPassword} error={errors.password} />
      <BusyButton type="submit" className="btn btn-primary btn-block" busy={busy}>{busy ? 'Logging in…' : 'Log in'}</BusyButton>
    </form>
  );
  return overlay ? card : <div className="login-page">{card}</div>;
}
