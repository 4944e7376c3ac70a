// Owns the stream of creates the fault scenarios run under and its check against
// the table: every acknowledged write there exactly as sent, nothing else.

import { call } from '../harness/app.mjs';
import { now, sleep } from '../harness/process.mjs';

/**
 * Creates tasks titled `<prefix>-<n>` from `workers` loops until stopped, keeping
 * every answer. `bases` are used in turn (two instances share one stream).
 */
export function createStream({ bases, cookie, prefix, workers = 4 }) {
  const records = [];
  let next = 0;
  let running = true;
  const loops = Array.from({ length: workers }, async (_, w) => {
    while (running) {
      const n = next++;
      const base = bases[n % bases.length];
      const title = `${prefix}-${n}`;
      const description = `written by worker ${w} as request ${n}`;
      const sentAt = now();
      const r = await call(base, '/api/tasks/create', { title, description }, { cookie });
      records.push({ n, title, description, sentAt, ...r });
      // A refused connection answers at once; do not spin.
      if (r.status === 0) await sleep(20);
    }
  });
  return {
    records,
    async stop() {
      running = false;
      await Promise.all(loops);
      return records;
    },
  };
}

/**
 * Holds the stream's answers against the table: every acknowledged create must be
 * there with exactly what was sent, nothing may be there that was not sent.
 */
export function checkWrites(cluster, records, prefix) {
  const rows = cluster.psql(
    `SELECT title || E'\\t' || coalesce(description, '') FROM tasks WHERE title LIKE '${prefix}-%'`, 'faults',
  ).split('\n').filter(Boolean);
  const stored = new Map(rows.map((row) => {
    const [title, description] = row.split('\t');
    return [title, description];
  }));
  const acked = records.filter((r) => r.status === 200);
  const failed = records.filter((r) => r.status !== 200);
  const sent = new Map(records.map((r) => [r.title, r.description]));
  const lost = acked.filter((r) => !stored.has(r.title));
  const altered = [...stored].filter(([title, description]) => sent.get(title) !== description);
  const duplicates = rows.length - stored.size;
  const ambiguous = failed.filter((r) => stored.has(r.title)).length;
  return {
    sent: records.length,
    acknowledged: acked.length,
    found: stored.size,
    lost: lost.length,
    altered: altered.length,
    duplicates,
    failed: failed.length,
    // answered with an error (or no answer) yet committed: allowed, and counted
    failedButStored: ambiguous,
    ok: lost.length === 0 && altered.length === 0 && duplicates === 0,
  };
}

export function statusCounts(records) {
  const counts = {};
  for (const r of records) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}
