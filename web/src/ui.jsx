// Small shared building blocks: fields with errors, modals, confirmations,
// toasts, JSON and tag inputs, and a data-loading hook.
import { useCallback, useEffect, useId, useRef, useState, useSyncExternalStore } from 'react';
import { ApiError } from './api.js';
import { navigate } from './router.js';

// --- A tiny store for toasts and the confirmation dialog ---------------------

function createStore(initial) {
  let state = initial;
  const subs = new Set();
  return {
    get: () => state,
    set: (fn) => {
      state = typeof fn === 'function' ? fn(state) : fn;
      subs.forEach((s) => s());
    },
    subscribe: (s) => {
      subs.add(s);
      return () => subs.delete(s);
    },
  };
}

const toastStore = createStore([]);
let toastSeq = 0;

/** Shows a short message; kind is "ok", "error" or "info". */
export function notify(message, kind = 'ok') {
  const id = ++toastSeq;
  toastStore.set((t) => [...t.slice(-3), { id, message, kind }]);
  setTimeout(() => toastStore.set((t) => t.filter((x) => x.id !== id)), kind === 'error' ? 8000 : 3500);
}

export function notifyError(err) {
  notify(errorMessage(err), 'error');
}

export function errorMessage(err) {
  if (!err) return '';
  if (err instanceof ApiError) {
    const list = err.errors?.filter((e) => e.message).map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
    if (list?.length && !list.includes(err.detail)) return `${err.detail} ${list.join('; ')}`;
    return err.detail;
  }
  return err.message || String(err);
}

export function Toasts() {
  const toasts = useSyncExternalStore(toastStore.subscribe, toastStore.get);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : undefined}>
          {t.message}
          <button className="toast-close" aria-label="Dismiss" onClick={() => toastStore.set((x) => x.filter((y) => y.id !== t.id))}>×</button>
        </div>
      ))}
    </div>
  );
}

const confirmStore = createStore(null);

/** Asks a yes/no question in a dialog; resolves true on yes. */
export function confirmDialog(message, { title = 'Please confirm', ok = 'OK', cancel = 'Cancel', danger = false } = {}) {
  return new Promise((resolve) => {
    confirmStore.set({ message, title, ok, cancel, danger, resolve });
  });
}

/**
 * Asks to confirm a deletion; when confirmed, runs del and then after.
 * A failure is reported as a notification.
 */
export async function confirmDelete(question, del, after) {
  if (!(await confirmDialog(question, { ok: 'Delete', danger: true }))) return;
  try {
    await del();
    after();
  } catch (e) {
    notifyError(e);
  }
}

export function ConfirmHost() {
  const c = useSyncExternalStore(confirmStore.subscribe, confirmStore.get);
  if (!c) return null;
  const done = (v) => {
    confirmStore.set(null);
    c.resolve(v);
  };
  return (
    <Modal title={c.title} onClose={() => done(false)} small
      footer={<>
        <button type="button" className="btn" onClick={() => done(false)}>{c.cancel}</button>
        <button type="button" className={c.danger ? 'btn btn-danger' : 'btn btn-primary'} data-autofocus onClick={() => done(true)}>{c.ok}</button>
      </>}>
      <p className="confirm-text">{c.message}</p>
    </Modal>
  );
}

// --- Modal ------------------------------------------------------------------

export function Modal({ title, onClose, children, footer, small = false, wide = false }) {
  const ref = useRef(null);
  const titleId = useId();
  useEffect(() => {
    const prev = document.activeElement;
    const el = ref.current;
    const first = el.querySelector('[data-autofocus]') || el.querySelector('input:not([type="hidden"]):not([hidden]), select, textarea, button:not(.modal-x)');
    (first || el).focus();
    // When the focused element goes away (removed, or disabled) the focus
    // falls to the page, out of reach of Escape and Tab: take it back.
    let timer;
    const onFocusOut = (e) => {
      if (e.relatedTarget) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const a = document.activeElement;
        if (el.isConnected && (!a || a === document.body)) el.focus();
      });
    };
    el.addEventListener('focusout', onFocusOut);
    return () => {
      clearTimeout(timer);
      el.removeEventListener('focusout', onFocusOut);
      prev?.focus?.();
    };
  }, []);
  const onKeyDown = (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    } else if (e.key === 'Tab') {
      const f = [...ref.current.querySelectorAll('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')].filter((x) => !x.disabled);
      if (!f.length) return;
      const first = f[0];
      const last = f[f.length - 1];
      if (e.shiftKey && (document.activeElement === first || document.activeElement === ref.current)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  };
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`modal ${small ? 'modal-small' : ''} ${wide ? 'modal-wide' : ''}`} role="dialog" aria-modal="true"
        aria-labelledby={titleId} ref={ref} tabIndex={-1} onKeyDown={onKeyDown}>
        <header className="modal-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="modal-x" aria-label="Close" onClick={onClose}>×</button>
        </header>
        <div className="modal-body">{children}</div>
        {footer && <footer className="modal-foot">{footer}</footer>}
      </div>
    </div>
  );
}

// --- Form fields --------------------------------------------------------------

/** A labelled field with its hint and error. children(id, describedBy, invalid) renders the input. */
export function Field({ label, hint, error, children, required = false, className = '' }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${error ? 'field-invalid' : ''} ${className}`}>
      {label && (
        <label className="field-label" htmlFor={id}>
          {label}{required && <span className="req" aria-hidden="true"> *</span>}
        </label>
      )}
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined, required: required || undefined })}
      {hint && <p className="field-hint" id={hintId}>{hint}</p>}
      {error && <p className="field-error" id={errId} role="alert">{error}</p>}
    </div>
  );
}

export function TextField({ label, value, onChange, error, hint, required, type = 'text', placeholder, autoFocus, name, autoComplete, multiline, rows = 3, className }) {
  return (
    <Field label={label} error={error} hint={hint} required={required} className={className}>
      {(p) => multiline
        ? <textarea {...p} name={name} className="input" rows={rows} value={value ?? ''} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
        : <input {...p} name={name} className="input" type={type} value={value ?? ''} placeholder={placeholder} autoFocus={autoFocus}
          autoComplete={autoComplete} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

export function SelectField({ label, value, onChange, options, error, hint, required, placeholder, disabled }) {
  return (
    <Field label={label} error={error} hint={hint} required={required}>
      {(p) => (
        <select {...p} className="input" value={value ?? ''} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      )}
    </Field>
  );
}

export function CheckField({ label, checked, onChange, hint, error }) {
  const id = useId();
  return (
    <div className={`field field-check ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={id} className="check">
        <input id={id} type="checkbox" checked={!!checked} onChange={(e) => onChange(e.target.checked)} />
        <span>{label}</span>
      </label>
      {hint && <p className="field-hint">{hint}</p>}
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}

export function Switch({ checked, onChange, label, disabled }) {
  return (
    <button type="button" role="switch" aria-checked={!!checked} aria-label={label} disabled={disabled}
      className={`switch ${checked ? 'on' : ''}`} onClick={() => onChange(!checked)}>
      <span className="switch-knob" />
    </button>
  );
}

/** Tags typed as a comma-separated list. */
export function TagsField({ label = 'Tags', value, onChange, error, hint = 'Comma-separated.' }) {
  const [text, setText] = useState(() => (value || []).join(', '));
  const last = useRef(value);
  useEffect(() => {
    if (value !== last.current) {
      last.current = value;
      setText((value || []).join(', '));
    }
  }, [value]);
  return (
    <TextField label={label} value={text} error={error} hint={hint}
      onChange={(t) => {
        setText(t);
        const tags = t.split(',').map((x) => x.trim()).filter(Boolean);
        last.current = tags;
        onChange(tags);
      }} />
  );
}

/** Where a JSON parse error is, in words. */
export function jsonError(text) {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    const m = /position (\d+)/.exec(e.message);
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const col = pos - before.lastIndexOf('\n');
      return `Invalid JSON at line ${line}, column ${col}: ${e.message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '')}`;
    }
    return `Invalid JSON: ${e.message}`;
  }
}

export const pretty = (v) => JSON.stringify(v ?? null, null, 2);

/**
 * A JSON editor: keeps the text the user types, reports parse errors at the
 * field and calls onChange only with valid values. onValidity(bool) tells
 * the form whether it may be submitted.
 */
export function JsonField({ label, value, onChange, error, hint, rows = 8, onValidity, expect, required }) {
  const show = (v) => (v === null || v === undefined ? '' : pretty(v));
  const [text, setText] = useState(() => show(value));
  const [parseErr, setParseErr] = useState(null);
  // A value set from outside replaces the text (which is then valid JSON).
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    setText(show(value));
    setParseErr(null);
  }
  const validity = useRef(onValidity);
  useEffect(() => { validity.current = onValidity; });
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    validity.current?.(true);
  }, [value]);
  const change = (t) => {
    setText(t);
    let err = t.trim() === '' ? (required ? 'Enter a JSON value.' : null) : jsonError(t);
    let v = null;
    if (!err && t.trim() !== '') {
      v = JSON.parse(t);
      if (expect === 'object' && (v === null || typeof v !== 'object' || Array.isArray(v))) err = 'Enter a JSON object, e.g. {"key": "value"}.';
      if (expect === 'array' && !Array.isArray(v)) err = 'Enter a JSON list, e.g. ["a", "b"].';
    }
    setParseErr(err);
    onValidity?.(!err);
    if (!err) {
      setSeen(v); // the value coming back is this text's: keep the text as typed
      onChange(v);
    }
  };
  return (
    <Field label={label} error={parseErr || error} hint={hint} required={required}>
      {(p) => <textarea {...p} className="input mono" rows={rows} spellCheck={false} value={text} onChange={(e) => change(e.target.value)} />}
    </Field>
  );
}

// --- Misc -----------------------------------------------------------------------

export function ErrorBox({ error, onRetry }) {
  if (!error) return null;
  return (
    <div className="error-box" role="alert">
      <span>{errorMessage(error)}</span>
      {onRetry && <button type="button" className="btn btn-small" onClick={onRetry}>Try again</button>}
    </div>
  );
}

export function Spinner({ label = 'Loading…' }) {
  return <div className="spinner" role="status"><span className="spinner-dot" aria-hidden="true" />{label}</div>;
}

export function Empty({ children }) {
  return <div className="empty">{children}</div>;
}

export function Tag({ children }) {
  return <span className="tag">{children}</span>;
}

/** Loads data with fn; reload() runs it again. Ignores answers of stale calls. */
export function useAsync(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const run = useCallback(async () => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    try {
      const data = await fn();
      if (n === seq.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (n === seq.current) setState((s) => ({ data: s.data, error, loading: false }));
    }
    // The caller names what fn depends on, as with useEffect; the rule cannot see through that.
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    run();
  }, [run]);
  return { ...state, reload: run, setData: (d) => setState((s) => ({ ...s, data: typeof d === 'function' ? d(s.data) : d })) };
}

/** Copies text to the clipboard, also outside secure contexts. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    ta.remove();
    return ok;
  }
}

export function formatTime(t) {
  if (!t) return '—';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toLocaleString();
}

/**
 * After a failed submit, moves the focus to the first field with an error
 * in the form ref, or else to the form's error message (FormError), so
 * that the keyboard stays in the form or dialog. errors is what the submit
 * sets: each new value (a new object) moves the focus again.
 */
export function useFocusFirstError(ref, errors) {
  useEffect(() => {
    const form = ref.current;
    if (!form) return;
    const el = form.querySelector(INVALID_FIELD) || form.querySelector('.form-error[tabindex]');
    el?.focus();
  }, [ref, errors]);
}

const INVALID_FIELD = ['input:not([type="hidden"])', 'select', 'textarea']
  .map((f) => `.field-invalid ${f}, ${f}[aria-invalid="true"]`).join(', ');

/**
 * Says that what the form edits was changed by someone else since it was
 * opened, and offers to reload it (the form's changes are dropped).
 */
export function StaleNotice({ show, onReload, what = 'This' }) {
  if (!show) return null;
  return (
    <div className="stale-notice" role="alert">
      <p><strong>{what} was changed by someone else since you opened it.</strong> Reload to see the current version, then make your change again.</p>
      <button type="button" className="btn btn-small" onClick={onReload}>Reload</button>
    </div>
  );
}

/** A form's general error (errors[""]): announced, and focusable for useFocusFirstError. */
export function FormError({ error }) {
  if (!error) return null;
  return <p className="form-error" role="alert" tabIndex={-1}>{error}</p>;
}

/**
 * A button that works for a while (saving, checking): while busy it looks
 * and is announced disabled (aria-disabled) and ignores clicks, Enter and a
 * form's implicit submission, but unlike a disabled button it keeps the
 * focus, so that a keyboard user is still in the dialog when it fails.
 */
export function BusyButton({ busy, onClick, type = 'button', className = 'btn', children, ...rest }) {
  return (
    <button {...rest} type={type} className={className} aria-disabled={busy ? true : undefined}
      onClick={(e) => {
        if (busy) e.preventDefault();
        else onClick?.(e);
      }}>
      {children}
    </button>
  );
}

/** Form errors from an ApiError: {field: message, "": general}. */
export function apiFieldErrors(err) {
  if (!(err instanceof ApiError)) return { '': errorMessage(err) };
  const fe = err.fieldErrors();
  return { ...fe, '': fe[''] || err.detail };
}

/** An in-app link: a real href (opens in a new tab) that navigates through the router. */
export function Link({ to, children, ...rest }) {
  return (
    <a href={`#${to}`} onClick={(e) => {
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      navigate(to);
    }} {...rest}>{children}</a>
  );
}
