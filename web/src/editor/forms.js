// Pure helpers of the node form: dot-path values and the checks the browser
// can make without the server.
import { getPath } from '../lib/dotpath.js';

export const DOT_SOURCES = ['event', 'profile', 'session', 'payload', 'memory', 'flow'];

/** Splits "profile@traits.x" into its source and path; plain text has source "". */
export function parseDotPath(v) {
  const s = v == null ? '' : String(v);
  const m = /^([a-z]+)@(.*)$/.exec(s);
  if (m && DOT_SOURCES.includes(m[1])) return { source: m[1], path: m[2] };
  return { source: '', path: s };
}

export function joinDotPath(source, path) {
  return source ? `${source}@${path}` : path;
}

const isEmpty = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

/** Errors the browser can tell without the server: required and the field's regex. */
export function localFieldErrors(form, config) {
  const out = {};
  for (const g of form?.groups || []) {
    for (const f of g.fields || []) {
      const v = getPath(config, f.id);
      if (f.required && isEmpty(v)) out[f.id] = 'This field is required.';
      else if (f.validation?.regex && typeof v === 'string') {
        let re;
        try { re = new RegExp(f.validation.regex); } catch { re = null; }
        if (re && !re.test(v)) out[f.id] = f.validation.message || `Does not match ${f.validation.regex}.`;
      }
    }
  }
  return out;
}
