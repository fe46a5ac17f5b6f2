// Reading and writing a node's config by a form field's id, a dot path such
// as "body.key" or "conditions.0.value". Writes are immutable: they return a
// new object and leave the input untouched.

function split(path) {
  return path === '' || path == null ? [] : String(path).split('.');
}

export function getPath(obj, path) {
  let cur = obj;
  for (const k of split(path)) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = cur[k];
  }
  return cur;
}

export function setPath(obj, path, value) {
  const keys = split(path);
  if (keys.length === 0) return value;
  const [head, ...rest] = keys;
  const base = obj != null && typeof obj === 'object' ? obj : /^\d+$/.test(head) ? [] : {};
  const copy = Array.isArray(base) ? base.slice() : { ...base };
  copy[head] = rest.length ? setPath(base[head], rest.join('.'), value) : value;
  return copy;
}

export function hasPath(obj, path) {
  let cur = obj;
  for (const k of split(path)) {
    if (cur == null || typeof cur !== 'object' || !(k in cur)) return false;
    cur = cur[k];
  }
  return true;
}
