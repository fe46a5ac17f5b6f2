// The allowed origins of an event source, as the source dialog edits them:
// one origin per line (commas and spaces also separate them).

/** Splits the dialog's text into the list the API takes. */
export function parseOrigins(text) {
  return String(text ?? '').split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

/** Joins a source's allowed_origins for the dialog, one per line. */
export function formatOrigins(list) {
  return (Array.isArray(list) ? list : []).join('\n');
}

/**
 * Checks the entries as the server does, so that the dialog can point at a
 * mistake before saving: "*", or scheme://host[:port] with no path. Answers
 * an error message, or '' when every entry looks right.
 */
export function originsError(list) {
  for (const o of list) {
    if (o === '*') continue;
    let u;
    try { u = new URL(o); } catch { return `"${o}" is not an origin: write scheme://host, e.g. https://shop.example.com`; }
    if (!u.host || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username || /\/./.test(o.replace(/^[a-z]+:\/\//i, ''))) {
      return `"${o}" is not an origin: leave out any path, e.g. https://shop.example.com`;
    }
  }
  return '';
}

/** The error of the field allowed_origins or of one of its entries. */
export function originsFieldError(errors) {
  const key = Object.keys(errors || {}).find((k) => k === 'allowed_origins' || k.startsWith('allowed_origins['));
  return key ? errors[key] : undefined;
}
