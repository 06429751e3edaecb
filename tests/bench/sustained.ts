/**
 * Sustained writes: 200 posts/s, open loop, round-robin over the 19 sub-question threads,
 * from 40 signed-in sockets, for 60 s (BENCH_SUSTAINED_SECONDS). One anonymous listener per
 * thread checks that every post is broadcast exactly once; the database is checked at the end.
 */
import type { Socket } from 'socket.io-client';
import { createPost, lexicalDoc, openSocket, openLoop, type PostOutcome } from './client';
import { makeClientId } from './listener-worker';
import { startListeners } from './listeners';
import { contributionText, cpuPercent, envNumber, type Scenario, type ScenarioResult } from './scenario';
import { prepareDatabase, startApp, storedClientIds, type RunningServer } from './server';
import { nowMs, percentile, round1, summarize, waitUntil } from './stats';

export const sustained: Scenario = {
  description: '200 posts/s over the 19 sub-question threads, open loop, ack latency and integrity',
  async run() {
    const result: ScenarioResult = { metrics: {}, notes: [], problems: [] };
    const m = result.metrics;
    const seconds = envNumber('BENCH_SUSTAINED_SECONDS', 60);
    const rate = envNumber('BENCH_SUSTAINED_RATE', 200);
    const writers = envNumber('BENCH_SUSTAINED_WRITERS', 40);
    const prefix = 'sus_';

    const db = await prepareDatabase(writers);
    let app: RunningServer | undefined;
    const sockets: Socket[] = [];
    let pool: Awaited<ReturnType<typeof startListeners>> | undefined;
    try {
      app = await startApp(db.file);
      const threads = db.subQuestionThreads;
      pool = await startListeners(1);
      const ready = await pool.connect(app.url, threads.map((threadId) => ({ threadId, count: 1 })), { rampBatch: 50, prefix, timeoutMs: 30_000 });
      if (ready.joined !== threads.length) result.problems.push(`sustained: only ${ready.joined} of ${threads.length} thread listeners joined: ${ready.failures.join('; ')}`);
      for (const user of db.users) sockets.push(await openSocket(app.url, user.cookie));

      const count = Math.round(rate * seconds);
      const outcomes: Promise<PostOutcome>[] = [];
      const sent: { clientId: string; threadId: number }[] = [];
      const cpu0 = app.cpuSeconds();
      const started = performance.now();
      const schedule = await openLoop(rate, count, seconds * 1000 + 30_000, (i) => {
        const threadId = threads[i % threads.length];
        const sentAt = nowMs();
        const clientId = makeClientId(prefix, i, sentAt);
        sent.push({ clientId, threadId });
        outcomes.push(createPost(sockets[i % sockets.length], { threadId, clientId, body: lexicalDoc(contributionText(i)) }, sentAt, 30_000));
      });
      const sendWindowMs = performance.now() - started;
      const acks = await Promise.all(outcomes);
      const ackedAllMs = performance.now() - started;
      const okIds = new Set(acks.filter((a) => a.ok).map((a) => a.clientId));
      await waitUntil(async () => (await pool!.received()) >= okIds.size, 15_000, 250);
      const serverCpuS = app.cpuSeconds() - cpu0;
      m.sustained_server_cpu_pct = cpuPercent(serverCpuS, performance.now() - started);
      // Per operation: one post stored, acknowledged and sent to its thread's listeners.
      m.sustained_server_cpu_ms_per_post = round1((serverCpuS * 1000) / Math.max(1, schedule.sent));
      const got = await pool.collect();

      for (const s of sockets) s.close();
      await pool.close();
      pool = undefined;
      await app.stop();
      const stored = storedClientIds(db.file, prefix);

      const ack = summarize(acks.filter((a) => a.ok).map((a) => a.ackMs));
      const failed = acks.filter((a) => !a.ok);
      const missingInDb = sent.filter((s) => !stored.has(s.clientId)).length;
      const ackedMissingInDb = sent.filter((s) => okIds.has(s.clientId) && !stored.has(s.clientId)).length;
      const lost = sent.filter((s) => !okIds.has(s.clientId) || !stored.has(s.clientId)).length;
      const dbDuplicates = [...stored.values()].reduce((sum, n) => sum + (n > 1 ? n - 1 : 0), 0);
      const broadcastMissing = sent.filter((s) => okIds.has(s.clientId) && !got.receivers.has(s.clientId)).length;
      const broadcast = summarize(got.latencies);
      const lags = Float64Array.from(schedule.lags).sort();

      // Per-second view: is the tail spread out or a few bad seconds (start-up, checkpoints)?
      const perSecond = new Map<number, number[]>();
      acks.forEach((a, i) => {
        if (!a.ok) return;
        const second = Math.floor(i / rate);
        perSecond.set(second, [...(perSecond.get(second) ?? []), a.ackMs]);
      });
      const secondP99s = [...perSecond.values()].map((v) => summarize(v).p99);
      m.sustained_ack_p99_worst_second_ms = round1(Math.max(...secondP99s));
      m.sustained_ack_p99_median_second_ms = round1(summarize(secondP99s).p50);
      m.sustained_seconds_with_ack_p99_over_50ms = secondP99s.filter((v) => v > 50).length;
      if (seconds > 20) m.sustained_ack_p99_after_10s_ms = round1(summarize(acks.filter((a, i) => a.ok && i >= 10 * rate).map((a) => a.ackMs)).p99);
      m.sustained_ack_p50_ms = round1(ack.p50);
      m.sustained_ack_p99_ms = round1(ack.p99);
      m.sustained_ack_max_ms = round1(ack.max);
      m.sustained_lost = lost;
      m.sustained_duplicated = dbDuplicates + got.duplicates;
      m.sustained_posts_sent = schedule.sent;
      m.sustained_posts_acked = okIds.size;
      m.sustained_posts_failed = failed.length;
      m.sustained_missing_in_db = missingInDb;
      m.sustained_acked_missing_in_db = ackedMissingInDb;
      m.sustained_db_duplicates = dbDuplicates;
      m.sustained_broadcast_duplicates = got.duplicates;
      m.sustained_broadcast_missing = broadcastMissing;
      m.sustained_broadcast_p50_ms = round1(broadcast.p50);
      m.sustained_broadcast_p99_ms = round1(broadcast.p99);
      m.sustained_target_rate_per_s = rate;
      m.sustained_achieved_rate_per_s = round1(schedule.sent / (sendWindowMs / 1000));
      m.sustained_acked_rate_per_s = round1(okIds.size / (ackedAllMs / 1000));
      m.sustained_sender_lag_p99_ms = round1(percentile(lags, 99));
      m.sustained_seconds = seconds;
      m.sustained_writers = sockets.length;

      result.notes.push(
        `sustained: ${rate} posts/s for ${seconds} s, round-robin over ${threads.length} threads from ${sockets.length} signed-in sockets, open loop; one anonymous listener per thread`,
        'sustained: ack latency = send → acknowledgement (post committed to SQLite, broadcast emitted); sender and listener run on the same 2 cores as the server',
      );
      if (failed.length) {
        const codes = new Map<string, number>();
        for (const f of failed) codes.set(f.error ?? '?', (codes.get(f.error ?? '?') ?? 0) + 1);
        result.problems.push(`sustained: ${failed.length} posts not acknowledged ok: ${[...codes].map(([c, n]) => `${c}×${n}`).join(', ')}`);
      }
      if (missingInDb) result.problems.push(`sustained: ${missingInDb} sent posts missing from the database (${ackedMissingInDb} of them acknowledged ok)`);
      if (dbDuplicates) result.problems.push(`sustained: ${dbDuplicates} extra rows for the same clientId`);
      if (broadcastMissing) result.problems.push(`sustained: ${broadcastMissing} acknowledged posts never broadcast to their thread's listener`);
      if (got.duplicates) result.problems.push(`sustained: ${got.duplicates} broadcasts received twice by the same listener`);
      if (got.disconnects) result.problems.push(`sustained: ${got.disconnects} listeners disconnected: ${got.disconnectReasons.join(', ')}`);
      if (app.errors.length) result.problems.push(...app.errors.slice(0, 30).map((e) => `server log: ${e}`));
    } finally {
      for (const s of sockets) s.close();
      await pool?.close();
      await app?.stop();
      db.remove();
    }
    return result;
  },
};
