// Owns the stream of creates the fault scenarios run under and its check against
// the table: every acknowledged write there exactly as sent, nothing else.

import { randomUUID } from 'node:crypto';

import { call } from '../harness/app.mjs';
import { now, sleep } from '../harness/process.mjs';

/**
 * Creates tasks titled `<prefix>-<n>` from `workers` loops until stopped, keeping
 * every answer. Each create carries a submission key, as the app's forms do, and one
 * that fails with no answer or a 5xx is sent again, key and all, until it is
 * acknowledged (as a person clicks "Add task" again): an attempt whose answer was
 * lost after its commit must not store the task twice. `bases` are used in turn
 * (two instances share one stream).
 */
export function createStream({ bases, cookie, prefix, workers = 4 }) {
  const records = [];
  let next = 0;
  let running = true;
  const loops = Array.from({ length: workers }, async (_, w) => {
    while (running) {
      const n = next++;
      const title = `${prefix}-${n}`;
      const description = `written by worker ${w} as request ${n}`;
      const key = randomUUID();
      for (let attempt = 1; running || attempt === 1; attempt++) {
        const base = bases[(n + attempt - 1) % bases.length];
        const sentAt = now();
        const r = await call(base, '/api/tasks/create', { title, description, key }, { cookie });
        records.push({ n, attempt, title, description, sentAt, ...r });
        if (r.status < 500 && r.status !== 0) break;
        // A refused connection or a 503 answers at once; do not spin.
        await sleep(20);
      }
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
 * there exactly once with exactly what was sent, nothing may be there that was not
 * sent, and no create sent again after a failure may be there twice.
 */
export function checkWrites(cluster, records, prefix) {
  const rows = cluster.psql(
    `SELECT title || E'\\t' || coalesce(description, '') FROM tasks WHERE title LIKE '${prefix}-%'`, 'faults',
  ).split('\n').filter(Boolean);
  const stored = new Map(rows.map((row) => {
    const [title, description] = row.split('\t');
    return [title, description];
  }));
  const submissions = new Map();
  for (const r of records) submissions.set(r.n, [...(submissions.get(r.n) ?? []), r]);
  const acked = [...submissions.values()].filter((tries) => tries.some((r) => r.status === 200));
  const unacked = [...submissions.values()].filter((tries) => tries.every((r) => r.status !== 200));
  const failed = records.filter((r) => r.status !== 200);
  const sent = new Map(records.map((r) => [r.title, r.description]));
  const lost = acked.filter((tries) => !stored.has(tries[0].title));
  const altered = [...stored].filter(([title, description]) => sent.get(title) !== description);
  const duplicates = rows.length - stored.size;
  return {
    sent: records.length,
    submissions: submissions.size,
    acknowledged: acked.length,
    found: stored.size,
    lost: lost.length,
    altered: altered.length,
    duplicates,
    failed: failed.length,
    // acknowledged only after an attempt failed: each must be stored once
    retried: acked.filter((tries) => tries.length > 1).length,
    // never acknowledged (the stream stopped first) yet committed: allowed, and counted
    failedButStored: unacked.filter((tries) => stored.has(tries[0].title)).length,
    ok: lost.length === 0 && altered.length === 0 && duplicates === 0,
  };
}

export function statusCounts(records) {
  const counts = {};
  for (const r of records) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}
