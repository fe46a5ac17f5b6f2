/** Flattens nested objects into [dotPath, value] pairs; arrays of scalars stay whole. */
export function flatten(obj, prefix = '', out = []) {
  if (obj === null || typeof obj !== 'object' || (Array.isArray(obj) && obj.every((x) => x === null || typeof x !== 'object'))) {
    if (prefix) out.push([prefix, obj]);
    return out;
  }
  const entries = Array.isArray(obj) ? obj.map((v, i) => [String(i), v]) : Object.entries(obj);
  if (entries.length === 0 && prefix) out.push([prefix, obj]);
  for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

export function showValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/**
 * prune drops what holds nothing: null, empty strings, and objects and lists
 * that are empty once pruned. A new profile's empty contact groups then show
 * as "no personal data" instead of rows of {}.
 */
export function prune(v) {
  if (v === null || v === undefined || v === '') return undefined;
  if (Array.isArray(v)) {
    const out = v.map(prune).filter((x) => x !== undefined);
    return out.length ? out : undefined;
  }
  if (typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}
