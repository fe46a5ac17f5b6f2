import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR, integerTicks, stackedSeries } from '../src/lib/series.js';

test('count axes have whole-number ticks', () => {
  for (const n of [0, 1, 2, 3, 5, 7, 13, 99, 250, 1234]) {
    const { max, ticks } = integerTicks(n);
    assert.ok(max >= n, `max ${max} covers ${n}`);
    assert.ok(ticks.length <= 6, `${ticks.length} ticks for ${n}`);
    assert.equal(ticks[0], 0);
    assert.equal(ticks.at(-1), max);
    for (const t of ticks) assert.ok(Number.isInteger(t), `tick ${t} for ${n} is whole`);
  }
  assert.deepEqual(integerTicks(3).ticks, [0, 1, 2, 3]);
});

test('stacked series share the hours and sum their parts', () => {
  const t0 = Date.UTC(2026, 0, 1, 10);
  const s = stackedSeries({
    'page-view': [{ time: new Date(t0).toISOString(), count: 2 }],
    purchase: [{ time: new Date(t0 + HOUR).toISOString(), count: 1 }],
  }, t0, t0 + HOUR);
  assert.equal(s.length, 2);
  assert.deepEqual(s.map((b) => b.count), [2, 1]);
  assert.deepEqual(s[1].parts, [{ name: 'page-view', count: 0 }, { name: 'purchase', count: 1 }]);
});
