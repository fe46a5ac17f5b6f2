import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPath, setPath, hasPath } from '../src/lib/dotpath.js';

test('getPath reads nested values and arrays', () => {
  const o = { a: { b: [{ c: 1 }] } };
  assert.equal(getPath(o, 'a.b.0.c'), 1);
  assert.equal(getPath(o, 'a.x.y'), undefined);
  assert.equal(getPath(o, ''), o);
});

test('setPath writes immutably and creates containers', () => {
  const o = { a: { b: 1 }, k: [1, 2] };
  const n = setPath(o, 'a.c', 2);
  assert.deepEqual(n, { a: { b: 1, c: 2 }, k: [1, 2] });
  assert.deepEqual(o, { a: { b: 1 }, k: [1, 2] });
  assert.equal(n.k, o.k, 'untouched branches are shared');
  assert.deepEqual(setPath({}, 'x.0', 'v'), { x: ['v'] });
  assert.deepEqual(setPath(o, 'k.1', 5).k, [1, 5]);
  assert.ok(hasPath(o, 'a.b'));
  assert.ok(!hasPath(o, 'a.z'));
});

import { flatten, prune, showValue } from '../src/lib/flatten.js';

test('flatten turns nested traits into dot paths', () => {
  assert.deepEqual(flatten({ a: { b: 1, c: [1, 2] }, d: [{ e: 1 }], f: {} }), [['a.b', 1], ['a.c', [1, 2]], ['d.0.e', 1], ['f', {}]]);
  assert.deepEqual(flatten(null), []);
  assert.equal(showValue(null), '—');
  assert.equal(showValue({ a: 1 }), '{"a":1}');
});

test('prune drops empty groups but keeps values, false and 0', () => {
  assert.equal(prune({ contact: { email: {}, phone: { main: '' } }, pii: null }), undefined);
  assert.deepEqual(prune({ contact: { email: { main: 'a@b.c' }, app: {} }, n: 0, f: false, l: [[], 1] }),
    { contact: { email: { main: 'a@b.c' } }, n: 0, f: false, l: [1] });
});
