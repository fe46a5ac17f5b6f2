import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinDotPath, localFieldErrors, parseDotPath } from '../src/editor/forms.js';
import { hourlySeries } from '../src/lib/series.js';

test('dot path values split into source and path and join back', () => {
  assert.deepEqual(parseDotPath('profile@stats.counters.x'), { source: 'profile', path: 'stats.counters.x' });
  assert.deepEqual(parseDotPath('plain text'), { source: '', path: 'plain text' });
  assert.deepEqual(parseDotPath('someone@example.com'), { source: '', path: 'someone@example.com' }, 'an e-mail is not a reference');
  assert.deepEqual(parseDotPath(null), { source: '', path: '' });
  assert.equal(joinDotPath('event', 'properties.url'), 'event@properties.url');
  assert.equal(joinDotPath('', 'text'), 'text');
});

test('form checks: required fields and the field regex', () => {
  const form = { groups: [{ fields: [
    { id: 'key', required: true },
    { id: 'body.name', required: true },
    { id: 'code', validation: { regex: '^[a-z]+$', message: 'Lower-case letters only.' } },
    { id: 'list', required: true },
  ] }] };
  assert.deepEqual(localFieldErrors(form, { key: '', body: { name: 'x' }, code: 'abc', list: ['a'] }), { key: 'This field is required.' });
  assert.deepEqual(localFieldErrors(form, { key: 'k', body: {}, code: 'A1', list: [] }), {
    'body.name': 'This field is required.', code: 'Lower-case letters only.', list: 'This field is required.',
  });
  assert.deepEqual(localFieldErrors({ groups: [{ fields: [{ id: 'x', validation: { regex: '(' } }] }] }, { x: 'a' }), {}, 'a bad regex in a spec is ignored');
  assert.deepEqual(localFieldErrors(undefined, {}), {});
});

test('the dashboard fills hours without events with zero', () => {
  const from = Date.UTC(2026, 0, 1, 10);
  const to = Date.UTC(2026, 0, 1, 13, 30);
  const s = hourlySeries([{ time: '2026-01-01T11:00:00Z', count: 3 }, { time: '2026-01-01T11:20:00Z', count: 1 }], from, to);
  assert.deepEqual(s.map((x) => x.count), [0, 4, 0, 0]);
});
