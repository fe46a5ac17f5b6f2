// Pure helpers of the user dialogs: what a change sends, and the API's
// per-field errors as sentences to show at the fields.

/** The server's minimum (NIST SP 800-63B); it also refuses common passwords. */
export const MIN_PASSWORD = 12;

/**
 * The body of POST /user/{id}: only what the form changed. form is
 * {full_name, roles, password, disabled}; an empty password keeps the old one.
 */
export function userChange(user, form) {
  const body = {};
  const name = (form.full_name || '').trim();
  if (name !== (user.full_name || '')) body.full_name = name;
  const before = [...(user.roles || [])].sort();
  const after = [...(form.roles || [])].sort();
  if (before.join('\n') !== after.join('\n')) body.roles = form.roles;
  if (form.password) body.password = form.password;
  if (!!form.disabled !== !!user.disabled) body.disabled = !!form.disabled;
  return body;
}

/** The field of the form an API error field belongs to: "roles[0]" is "roles". */
export function formField(field) {
  return String(field || '').replace(/\[\d+\]$/, '').replace(/\.\d+$/, '');
}

function sentence(label, message) {
  let m = String(message || '').trim();
  if (!m) return '';
  if (/^(is|are|must|should|cannot)\b/.test(m)) m = `${label} ${m}`;
  else if (!m.toLowerCase().startsWith(label.toLowerCase())) m = `${label}: ${m}`;
  m = m[0].toUpperCase() + m.slice(1);
  return /[.!?]$/.test(m) ? m : `${m}.`;
}

/**
 * An API error as form errors. labels maps the form's fields to their
 * labels ({password: 'New password'}); errors of those fields become
 * sentences at the field (several of one field are joined). Anything else,
 * and the message of an answer without field errors, goes under "".
 */
export function formErrors(err, labels) {
  const out = {};
  const rest = [];
  for (const e of (err && Array.isArray(err.errors) ? err.errors : [])) {
    const f = formField(e.field);
    if (f && labels[f]) {
      const s = sentence(labels[f], e.message);
      out[f] = out[f] ? `${out[f]} ${s}` : s;
    } else if (e.message) {
      rest.push(e.field ? `${e.field}: ${e.message}` : e.message);
    }
  }
  let general = '';
  if (rest.length) general = rest.join('; ');
  else if (!Object.keys(out).length) general = (err && (err.detail || err.message)) || 'Something went wrong.';
  if (general) out[''] = general[0].toUpperCase() + general.slice(1);
  return out;
}

/** Checks of the change-password form that need no server: {field: message}. */
export function checkPasswordForm({ current_password: cur, new_password: pw, repeat }) {
  const errs = {};
  if (!cur) errs.current_password = 'Enter your current password.';
  if ([...(pw || '')].length < MIN_PASSWORD) errs.new_password = `Use at least ${MIN_PASSWORD} characters.`;
  else if (pw === cur) errs.new_password = 'Choose a password other than the current one.';
  if (!errs.new_password && repeat !== pw) errs.repeat = 'The passwords differ: type the new password again.';
  return errs;
}
