import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RpcMethod, ServerLoad } from './method.js';
import { measured, withMiddleware } from './middleware.js';
import type { GatePassing } from '../../../indexer/open/backfillGate.js';
import type { Freshness } from '../../../indexer/reads/freshness.js';
import { METHODS } from '../../../protocol/methods.js';
import { codexMethodVariantsAt } from '../../../protocol/requestErrors.js';
import { NEWEST_CODEX_VERSION } from '../../../protocol/codexVersions.js';

/**
 * Every metric `serve` exposes at `GET /metrics` (Prometheus text), defined here and nowhere else,
 * on a registry of its own (prom-client's global one would mix in whatever else the process
 * registers). Gauges of the server's load are read from a `ServerLoad` when scraped.
 */
export interface ServerMetrics {
  readonly registry: Registry;
  /** A request answered: its method, its outcome, how long it took. */
  readonly requestAnswered: (method: string, outcome: 'ok' | 'error', seconds: number) => void;
  /** A request refused because the server is overloaded (the scheduler calls it). */
  readonly overloaded: (method: string) => void;
  readonly connectionOpened: (transport: 'ws' | 'stdio') => void;
  readonly connectionClosed: (transport: 'ws' | 'stdio') => void;
  /** An upgrade refused (401 auth, 403 Origin). */
  readonly upgradeRefused: (status: number) => void;
  /**
   * A peer dropped: it stopped reading (`slow`), stopped answering pings (`dead`), was the oldest
   * connection without a session when one more came (`head`), or held the most bytes of a message
   * in progress when all of them went over the listener's budget (`busy`).
   */
  readonly peerDropped: (why: 'slow' | 'dead' | 'head' | 'busy') => void;
  readonly bytesOut: (n: number) => void;
  /** The backfill gate passed (once per process): how, and how long it waited. */
  readonly gatePassed: (passing: GatePassing, seconds: number) => void;
  /** A thread's read-repair before a read: its outcome and duration. */
  readonly threadRefreshed: (freshness: Freshness, seconds: number) => void;
  /** A home-wide catch-up: of the watch's changed files, or of `all` (a scan). */
  readonly homeCaughtUp: (scope: 'changed' | 'all', seconds: number) => void;
  /** The metrics as Prometheus text. */
  readonly text: () => Promise<string>;
  /** Stop the event-loop monitor. */
  readonly close: () => void;
}

const PREFIX = 'rollout_engine_';

/** The method names a metric label may take: the protocol's table and Codex's method list (what an upstream answers; the newest version's holds every older one's). */
const LABELLED_METHODS: ReadonlySet<string> = new Set([
  ...Object.keys(METHODS),
  ...codexMethodVariantsAt(NEWEST_CODEX_VERSION),
]);

/**
 * A request's method as a metric label: a name of the protocol's lists, else `other`. A client
 * chooses the names it sends; each one a series of its own made /metrics grow without end
 * (200,000 overloaded requests of distinct names: 200,000 series, 15.6 MB).
 */
export const methodLabel = (name: string): string => (LABELLED_METHODS.has(name) ? name : 'other');
/** Answers take from well under a millisecond (a warm page) to seconds (a catch-up, a huge read). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// long: a port's factory: the methods it returns share its closure's state
export const serverMetrics = (load: ServerLoad): ServerMetrics => {
  const registry = new Registry();
  const registers = [registry];
  const latency = new Histogram({
    name: `${PREFIX}rpc_request_duration_seconds`,
    help: 'Time from a request being taken to its answer being produced, by method and outcome',
    labelNames: ['method', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  new Gauge({
    name: `${PREFIX}rpc_requests_in_flight`,
    help: 'Requests being answered',
    registers,
    collect() {
      this.set(load.inFlight());
    },
  });
  new Gauge({
    name: `${PREFIX}rpc_requests_queued`,
    help: 'Requests received and waiting for their turn',
    registers,
    collect() {
      this.set(load.queued());
    },
  });
  const overloads = new Counter({
    name: `${PREFIX}rpc_overloads_total`,
    help: 'Requests refused with -32001 (server overloaded)',
    labelNames: ['method'] as const,
    registers,
  });
  const connections = new Gauge({
    name: `${PREFIX}connections`,
    help: 'Open client connections',
    labelNames: ['transport'] as const,
    registers,
  });
  const accepted = new Counter({
    name: `${PREFIX}connections_total`,
    help: 'Client connections accepted',
    labelNames: ['transport'] as const,
    registers,
  });
  const refused = new Counter({
    name: `${PREFIX}ws_upgrades_refused_total`,
    help: 'WebSocket upgrades refused, by HTTP status',
    labelNames: ['status'] as const,
    registers,
  });
  const dropped = new Counter({
    name: `${PREFIX}ws_peers_dropped_total`,
    help: 'Connections the server closed: slow (its outbound buffer went over the bound), dead (no pong), head (the oldest connection without a session, one more came), busy (the most bytes of a message in progress, all of them over the budget)',
    labelNames: ['reason'] as const,
    registers,
  });
  const bytes = new Counter({
    name: `${PREFIX}ws_bytes_out_total`,
    help: 'Bytes of JSON-RPC messages sent over WebSocket',
    registers,
  });
  const gate = new Counter({
    name: `${PREFIX}backfill_gate_passes_total`,
    help: 'Backfill gate passes, by how: backfilled (already), built, waited (another finished), tookOver (an expired lease), files (fell back)',
    labelNames: ['passing'] as const,
    registers,
  });
  const gateWait = new Gauge({
    name: `${PREFIX}backfill_gate_wait_seconds`,
    help: 'How long this process waited at the backfill gate',
    registers,
  });
  const repairs = new Counter({
    name: `${PREFIX}index_read_repairs_total`,
    help: "Read-repairs of a thread before a read, by outcome: fresh, caughtUp (files tailed), joinedCatchUp (waited for a catch-up of its files), rederived (its row derived again ahead of a whole-home catch-up's thread rows), rescanned (home scanned), rescanShared (an unknown thread: another request's scan), overRescanBudget (an unknown thread, no scan left), watchVouched (an unknown thread, absent once the home watch's changes were caught up: no scan)",
    labelNames: ['outcome'] as const,
    registers,
  });
  const catchUps = new Histogram({
    name: `${PREFIX}index_catch_up_duration_seconds`,
    help: 'Catch-ups of the index: a thread read-repair (thread, by outcome) or a home-wide refresh (home, changed files or all)',
    labelNames: ['kind', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  new Gauge({
    name: `${PREFIX}event_loop_lag_seconds`,
    help: 'Event-loop delay since the last scrape (perf_hooks.monitorEventLoopDelay), by quantile',
    labelNames: ['quantile'] as const,
    registers,
    collect() {
      // A histogram with no samples answers NaN / 9.2e18 ns: nothing was measured, so 0.
      const q = (ns: number): number => (lag.count === 0 || !Number.isFinite(ns) ? 0 : ns / 1e9);
      this.set({ quantile: '0.5' }, q(lag.percentile(50)));
      this.set({ quantile: '0.99' }, q(lag.percentile(99)));
      this.set({ quantile: '1' }, q(lag.max));
      lag.reset();
    },
  });
  return {
    registry,
    requestAnswered: (method, outcome, seconds) => latency.observe({ method: methodLabel(method), outcome }, seconds),
    overloaded: (method) => overloads.inc({ method: methodLabel(method) }),
    connectionOpened: (transport) => {
      connections.inc({ transport });
      accepted.inc({ transport });
    },
    connectionClosed: (transport) => connections.dec({ transport }),
    upgradeRefused: (status) => refused.inc({ status: String(status) }),
    peerDropped: (reason) => dropped.inc({ reason }),
    bytesOut: (n) => bytes.inc(n),
    gatePassed: (passing, seconds) => {
      gate.inc({ passing });
      gateWait.set(seconds);
    },
    threadRefreshed: (outcome, seconds) => {
      repairs.inc({ outcome });
      catchUps.observe({ kind: 'thread', outcome }, seconds);
    },
    homeCaughtUp: (outcome, seconds) => catchUps.observe({ kind: 'home', outcome }, seconds),
    text: () => registry.metrics(),
    close: () => lag.disable(),
  };
};

/** The methods, each answer timed into the metrics (the scheduler counts what is in flight): the `measured` step alone. */
export const measuredMethods = (methods: ReadonlyArray<RpcMethod>, metrics: ServerMetrics): ReadonlyArray<RpcMethod> =>
  withMiddleware(methods, [measured(metrics)]);
