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
