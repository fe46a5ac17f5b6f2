export const HOUR = 3600 * 1000;

/** One bar per hour from `from` to `to`, filling hours the server left out with 0. */
export function hourlySeries(buckets, from, to) {
  const counts = new Map();
  for (const b of buckets || []) {
    const t = Math.floor(new Date(b.time).getTime() / HOUR) * HOUR;
    if (!Number.isNaN(t)) counts.set(t, (counts.get(t) || 0) + (Number(b.count) || 0));
  }
  const out = [];
  for (let t = Math.floor(from / HOUR) * HOUR; t <= to; t += HOUR) out.push({ time: t, count: counts.get(t) || 0 });
  return out;
}

/**
 * Whole-number ticks for a count axis from 0 to at least n: at most five
 * ticks, a step of 1, 2, 5, 10, 20, 50, ... so that no label is a fraction.
 */
export function integerTicks(n) {
  const top = Math.max(1, Math.ceil(n));
  let step;
  for (let p = 1; !step; p *= 10) step = [1, 2, 5].map((m) => m * p).find((c) => c * 4 >= top);
  const max = Math.ceil(top / step) * step;
  const ticks = [];
  for (let t = 0; t <= max; t += step) ticks.push(t);
  return { max, ticks };
}

/** Per-hour counts of several series (name → buckets), on one time axis. */
export function stackedSeries(byName, from, to) {
  const names = Object.keys(byName);
  const per = names.map((n) => hourlySeries(byName[n], from, to));
  return (per[0] || hourlySeries([], from, to)).map((b, i) => ({
    time: b.time,
    parts: names.map((n, j) => ({ name: n, count: per[j]?.[i]?.count || 0 })),
    count: names.reduce((a, n, j) => a + (per[j]?.[i]?.count || 0), 0),
  }));
}
