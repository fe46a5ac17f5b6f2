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
