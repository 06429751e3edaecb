/**
 * Fan-out: N anonymous listeners on one thread (2.4), one signed-in writer posting at a fixed
 * rate; latency = receipt − send for every (post, listener). Beside it, the same load against a
 * bare Socket.io server (bare-server.ts) as the transport floor.
 */
import { createPost, lexicalDoc, openSocket, openLoop, type PostOutcome } from './client';
import { makeClientId } from './listener-worker';
import { startListeners } from './listeners';
import { contributionText, cpuPercent, envNumber, type Scenario, type ScenarioResult } from './scenario';
import { prepareDatabase, startApp, startBare, type CpuProbe, type RunningServer } from './server';
import { nowMs, round1, sleep, summarize, waitUntil } from './stats';

const RAMP_BATCH = 200;

export interface FanoutPhaseOptions {
  /** prefix of every key this phase reports (`<label>_p99_ms`…) */
  label: string;
  /** where the writer posts */
  server: RunningServer;
  /**
   * The nodes of a cluster the listeners are spread over, evenly (the writer's among them); none:
   * all on `server`. With two or more, each node's CPU is reported too (`<label>_node<k>_…`).
   */
  nodes?: RunningServer[];
  /** Other processes whose CPU each operation costs too (a cluster's Redis): `<label>_<name>_cpu_…` */
  others?: CpuProbe[];
  cookie?: string;
  threadId: number;
  listeners: number;
  rate: number;
  seconds: number;
  processes: number;
}

/**
 * One fan-out measurement: `listeners` anonymous clients join thread `threadId`, one signed-in
 * writer posts `rate` times a second for `seconds`; receipt − send for every (post, listener)
 * goes to `<label>_p50_ms`/`_p99_ms`, with lost and duplicated deliveries, and the server's CPU
 * (its process tree, all nodes together) per post and per delivery.
 */
export async function fanoutPhase(o: FanoutPhaseOptions, result: ScenarioResult): Promise<void> {
  const m = result.metrics;
  const key = (name: string) => `${o.label}_${name}`;
  const prefix = `${o.label.replace(/[^A-Za-z0-9]/g, '')}_`;
  const nodes = o.nodes?.length ? o.nodes : [o.server];
  const servers = nodes.includes(o.server) ? nodes : [o.server, ...nodes];
  const cpuOf = () => servers.map((s) => s.cpuSeconds());
  const pool = await startListeners(Math.max(1, Math.min(o.processes, Math.ceil(o.listeners / 50))));
  let sender: Awaited<ReturnType<typeof openSocket>> | undefined;
  try {
    const assignments = nodes.map((node, k) => ({
      threadId: o.threadId,
      count: Math.floor(o.listeners / nodes.length) + (k < o.listeners % nodes.length ? 1 : 0),
      ...(nodes.length > 1 ? { url: node.url } : {}),
    }));
    const ready = await pool.connect(o.server.url, assignments, { rampBatch: RAMP_BATCH, prefix, timeoutMs: 30_000 });
    m[key('listeners')] = ready.joined;
    m[key('ramp_ms')] = ready.ms;
    m[key('connect_failures')] = o.listeners - ready.joined;
    if (ready.failures.length) result.problems.push(`${o.label}: ${o.listeners - ready.joined} listeners failed to connect/join: ${ready.failures.join('; ')}`);

    sender = await openSocket(o.server.url, o.cookie);
    // Let the presence announcements of the ramp (at most one a second) pass.
    await sleep(1_500);

    const outcomes: Promise<PostOutcome>[] = [];
    const sentIds: string[] = [];
    const count = Math.round(o.rate * o.seconds);
    const cpuServers0 = cpuOf();
    const cpuOthers0 = await Promise.all((o.others ?? []).map((p) => p.cpuSeconds()));
    const cpuLoad0 = pool.cpuSeconds();
    const started = performance.now();
    const schedule = await openLoop(o.rate, count, o.seconds * 1000 + 10_000, (i) => {
      const sentAt = nowMs();
      const clientId = makeClientId(prefix, i, sentAt);
      sentIds.push(clientId);
      outcomes.push(createPost(sender!, { threadId: o.threadId, clientId, body: lexicalDoc(contributionText(i)) }, sentAt, 30_000));
    });
    const acks = await Promise.all(outcomes);
    const expected = schedule.sent * ready.joined;
    // Deliveries still in flight: wait until all arrived, at most 15 s.
    await waitUntil(async () => (await pool.received()) >= expected, 15_000, 250);
    const wallMs = performance.now() - started;
    const serverCpu = cpuOf().map((cpu, k) => cpu - cpuServers0[k]!);
    const othersCpu = (await Promise.all((o.others ?? []).map((p) => p.cpuSeconds()))).map((cpu, k) => cpu - cpuOthers0[k]!);
    const serverCpuS = serverCpu.reduce((sum, cpu) => sum + cpu, 0);
    m[key('server_cpu_pct')] = cpuPercent(serverCpuS, wallMs);
    // Per operation: one post taken in and sent to every listener of the thread.
    m[key('server_cpu_ms_per_post')] = round1((serverCpuS * 1000) / Math.max(1, schedule.sent));
    m[key('server_cpu_us_per_delivery')] = round1((serverCpuS * 1e6) / Math.max(1, schedule.sent * ready.joined));
    if (servers.length > 1) {
      // Each node's share of the same operations (node1 takes the posts in).
      for (const [k, cpu] of serverCpu.entries()) {
        m[key(`node${k + 1}_server_cpu_pct`)] = cpuPercent(cpu, wallMs);
        m[key(`node${k + 1}_server_cpu_ms_per_post`)] = round1((cpu * 1000) / Math.max(1, schedule.sent));
      }
    }
    for (const [k, probe] of (o.others ?? []).entries()) {
      m[key(`${probe.name}_cpu_pct`)] = cpuPercent(othersCpu[k]!, wallMs);
      m[key(`${probe.name}_cpu_ms_per_post`)] = round1((othersCpu[k]! * 1000) / Math.max(1, schedule.sent));
    }
    m[key('listener_processes_cpu_pct')] = cpuPercent(pool.cpuSeconds() - cpuLoad0, wallMs);

    const got = await pool.collect();
    const lat = summarize(got.latencies);
    let lost = 0;
    for (const id of sentIds) lost += Math.max(0, ready.joined - (got.receivers.get(id) ?? 0));
    const failed = acks.filter((a) => !a.ok);
    const ackLat = summarize(acks.filter((a) => a.ok).map((a) => a.ackMs));

    m[key('p50_ms')] = round1(lat.p50);
    m[key('p99_ms')] = round1(lat.p99);
    m[key('max_ms')] = round1(lat.max);
    m[key('lost')] = lost;
    m[key('duplicated')] = got.duplicates;
    m[key('deliveries')] = lat.count;
    m[key('expected_deliveries')] = expected;
    m[key('posts_sent')] = schedule.sent;
    m[key('posts_failed')] = failed.length;
    m[key('rate_per_s')] = o.rate;
    m[key('sender_ack_p50_ms')] = round1(ackLat.p50);
    m[key('sender_ack_p99_ms')] = round1(ackLat.p99);
    m[key('sender_lag_max_ms')] = round1(Math.max(0, ...schedule.lags));
    m[key('disconnects')] = got.disconnects;
    if (failed.length) {
      const codes = new Map<string, number>();
      for (const f of failed) codes.set(f.error ?? '?', (codes.get(f.error ?? '?') ?? 0) + 1);
      result.problems.push(`${o.label}: ${failed.length} posts not acknowledged ok: ${[...codes].map(([c, n]) => `${c}×${n}`).join(', ')}`);
    }
    if (lost) result.problems.push(`${o.label}: ${lost} of ${expected} deliveries never arrived (within 15 s of the last send)`);
    if (got.duplicates) result.problems.push(`${o.label}: ${got.duplicates} deliveries received twice by the same listener`);
    if (got.disconnects) result.problems.push(`${o.label}: ${got.disconnects} listeners disconnected during the run: ${got.disconnectReasons.join(', ')}`);
  } finally {
    sender?.close();
    const cpu0 = cpuOf();
    await pool.close();
    const t0 = performance.now();
    // The listeners leaving is work for the server too: let it finish before the next phase,
    // and report what it cost.
    for (const s of servers) await waitForIdle(s, 120_000);
    m[key('teardown_server_cpu_s')] = round1(cpuOf().reduce((sum, cpu, k) => sum + cpu - cpu0[k]!, 0));
    m[key('teardown_ms')] = Math.round(performance.now() - t0);
  }
}

/** Waits until the server uses less than 10% of a core over half a second (at most maxMs). */
export async function waitForIdle(server: RunningServer, maxMs: number): Promise<{ ms: number; quiet: boolean }> {
  const started = performance.now();
  let last = server.cpuSeconds();
  while (performance.now() - started < maxMs) {
    await sleep(500);
    const now = server.cpuSeconds();
    if (now - last < 0.05) return { ms: Math.round(performance.now() - started), quiet: true };
    last = now;
  }
  return { ms: Math.round(performance.now() - started), quiet: false };
}

export const fanout: Scenario = {
  description: 'N listeners on thread 2.4, one writer at a fixed rate; Palabre vs a bare Socket.io server',
  async run() {
    const result: ScenarioResult = { metrics: {}, notes: [], problems: [] };
    const sizes = (process.env.BENCH_FANOUT_SIZES ?? '1000,5000').split(',').map((s) => Number(s.trim()));
    if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`BENCH_FANOUT_SIZES=${process.env.BENCH_FANOUT_SIZES}: expected sizes like 1000,5000`);
    const seconds = envNumber('BENCH_FANOUT_SECONDS', 10);
    const processes = envNumber('BENCH_LISTENER_PROCESSES', 4);
    const rateFor = (n: number) => (n >= 5000 ? 2 : 10);

    const db = await prepareDatabase(1);
    const servers: RunningServer[] = [];
    try {
      const app = await startApp(db.file);
      servers.push(app);
      const bare = await startBare();
      servers.push(bare);
      const threadId = db.threads.get('2.4')!;
      for (const n of sizes) {
        const common = { threadId, listeners: n, rate: rateFor(n), seconds, processes };
        await fanoutPhase({ ...common, label: `fanout_${n}`, server: app, cookie: db.users[0].cookie }, result);
        await sleep(2_000);
        await fanoutPhase({ ...common, label: `fanout_${n}_bare`, server: bare }, result);
        await sleep(2_000);
        result.notes.push(`fanout ${n}: ${n} listeners over ${Math.min(processes, Math.ceil(n / 50))} listener processes, ${rateFor(n)} posts/s for ${seconds} s, ramp ${RAMP_BATCH} at a time`);
      }
      result.notes.push(
        'fanout: listeners, writer and server share the 2 cores of this machine: the latency includes the listener processes’ own queueing (see *_cpu_pct: 100 = one core)',
      );
      for (const n of sizes) {
        const own = result.metrics[`fanout_${n}_teardown_server_cpu_s`];
        const floor = result.metrics[`fanout_${n}_bare_teardown_server_cpu_s`];
        if (own > 2 && own > 5 * floor) {
          result.problems.push(
            `fanout_${n}: ${n} listeners leaving cost the Palabre server ${own} CPU-s over ${result.metrics[`fanout_${n}_teardown_ms`]} ms (bare Socket.io: ${floor} CPU-s)`,
          );
        }
      }
      for (const [name, s] of [['Palabre', app], ['bare', bare]] as const) {
        if (s.errors.length) result.problems.push(...s.errors.slice(0, 30).map((e) => `${name} server log: ${e}`));
      }
    } finally {
      for (const s of servers) await s.stop();
      db.remove();
    }
    return result;
  },
};
