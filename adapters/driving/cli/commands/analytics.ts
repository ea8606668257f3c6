import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../../domain/errors.js';
import { invalidArgument, renderError } from '../../../../domain/errors.js';
import { take, useCase } from '../../../../domain/effect.js';
import type { AnalyticsSink, TrackEventsRequest } from '../../../../domain/analytics/ports.js';
import { command } from '../commandSpec.js';
import { option } from '../optionTable.js';
import type { OptionsOf } from '../optionTable.js';
import { HOME_OPTIONS } from '../homeOptions.js';
import { terminalLines } from '../terminalText.js';
import { terminalJson } from '../../rpc/terminalJson.js';

const ANALYTICS_OPTIONS = {
  ...HOME_OPTIONS,
  captureFile: option(
    '--capture-file <file>',
    'append batched payloads here as JSONL, no network (default: $CODEX_ANALYTICS_EVENTS_CAPTURE_FILE)',
  ),
  endpoint: option('--endpoint <url>', 'POST batched payloads to this URL (retries 5xx/429 with backoff)'),
  batchSize: option('--batch-size <n>', 'events per payload (default 100)'),
  attempts: option('--attempts <n>', 'HTTP attempts per payload (default 5)'),
  retryBaseMs: option('--retry-base-ms <ms>', 'first HTTP retry delay, doubling (default 500)'),
};

export type AnalyticsOptions = OptionsOf<typeof ANALYTICS_OPTIONS>;

export interface DeliverySummary {
  readonly sink: AnalyticsSink['kind'];
  readonly payloads: number;
  readonly events: number;
  readonly delivered: number;
  readonly failed: number;
  readonly errors: ReadonlyArray<string>;
  readonly pluginProblems: ReadonlyArray<string>;
}

/** A count option given as a positive whole number, else its default. */
const positiveOption = (flag: string, v: string | undefined, dflt: number): E.Either<EngineError, number> => {
  if (v === undefined) return E.right(dflt);
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? E.right(n) : E.left(invalidArgument(flag, `a positive integer, got ${v}`));
};

/**
 * Where the payloads go, and that place's name for the progress line: the capture file (flag, else
 * CODEX_ANALYTICS_EVENTS_CAPTURE_FILE), else `--endpoint` with its retries; null: nowhere, the
 * events are printed.
 */
const analyticsSink = async (
  opts: AnalyticsOptions,
): Promise<{ readonly sink: AnalyticsSink | null; readonly target: string | undefined }> => {
  const [{ captureFileFromEnv, captureSink }, { httpSink }] = await Promise.all([
    import('../../../driven/analytics/captureSink.js'),
    import('../../../driven/analytics/httpSink.js'),
  ]);
  const attempts = await take(positiveOption('--attempts', opts.attempts, 5));
  const retryBase = await take(positiveOption('--retry-base-ms', opts.retryBaseMs, 500));
  const capture = opts.captureFile ?? captureFileFromEnv();
  const sink =
    capture !== undefined
      ? captureSink(capture)
      : opts.endpoint !== undefined
        ? httpSink(opts.endpoint, { attempts, baseDelayMs: retryBase })
        : null;
  return { sink, target: capture ?? opts.endpoint };
};

/** The home's analytics events, reconstructed from its index caught up with the files and from its plugin cache. */
const reconstructedEvents = async (opts: AnalyticsOptions) => {
  const [
    { reconstructAnalytics },
    { pluginsManager },
    { diskPluginCache },
    { withCaughtUpHome },
    { homeOf },
    progress,
  ] = await Promise.all([
    import('../../../../replay/analytics/reconstructAnalytics.js'),
    import('../../../../replay/plugins/pluginsManager.js'),
    import('../../../driven/plugins/pluginCache.js'),
    import('../../composition/openCodexHome.js'),
    import('../homeOptions.js'),
    import('../progress.js'),
  ]);
  const { codexHome, indexDir } = await take(homeOf(opts));
  const cache = diskPluginCache(codexHome);
  const reconstructing = progress.stepText(
    `reconstructing the analytics events of ${codexHome}`,
    'reconstructed',
    'nothing was sent',
  );
  const rebuilt = await withCaughtUpHome(
    codexHome,
    indexDir,
    { onStatus: progress.cliFeedback.onStatus },
    (home) => () =>
      progress.cliFeedback.during(
        reconstructing,
        reconstructAnalytics(home.store, cache, pluginsManager({ cache, sink: null, productClientId: null })),
      ),
  );
  progress.cliFeedback.settle();
  return take(rebuilt);
};

/** Each payload delivered in turn: how many were, and why each of the others was not. */
const deliverPayloads = async (
  sink: AnalyticsSink,
  payloads: ReadonlyArray<TrackEventsRequest>,
  target: string | undefined,
): Promise<{ readonly delivered: number; readonly errors: string[] }> => {
  const { cliFeedback, stepText } = await import('../progress.js');
  const errors: string[] = [];
  let delivered = 0;
  const delivering = stepText(
    `delivering ${payloads.length} payloads to ${target}`,
    'delivered',
    'the payloads delivered so far stay delivered',
  );
  await cliFeedback.during(delivering, async () => {
    for (const p of payloads) {
      const r = await sink.deliver(p)();
      if (E.isRight(r)) delivered += 1;
      else errors.push(renderError(r.left));
    }
    return E.right(undefined);
  });
  return { delivered, errors };
};

/**
 * Reconstruct the home's analytics events. With a capture file (flag, else
 * CODEX_ANALYTICS_EVENTS_CAPTURE_FILE) the batched payloads are appended there and nothing goes
 * over the network, even when a write fails; else with --endpoint they are POSTed with retries;
 * else the events are printed as JSONL.
 */
export const runAnalytics = async (
  opts: AnalyticsOptions,
  out: (s: string) => void,
): Promise<E.Either<EngineError, DeliverySummary | null>> => {
  const { batchEvents } = await import('../../../../domain/analytics/reconstruct.js');
  return useCase(async (): Promise<DeliverySummary | null> => {
    const batchSize = await take(positiveOption('--batch-size', opts.batchSize, 100));
    const { sink, target } = await analyticsSink(opts);
    const { events, pluginProblems } = await reconstructedEvents(opts);
    if (sink === null) {
      out(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
      return null;
    }
    const payloads = batchEvents(events, batchSize);
    const { delivered, errors } = await deliverPayloads(sink, payloads, target);
    return {
      sink: sink.kind,
      payloads: payloads.length,
      events: events.length,
      delivered,
      failed: payloads.length - delivered,
      errors,
      pluginProblems,
    };
  })();
};

export const analyticsCommand = command({
  name: 'analytics',
  description: 'reconstruct analytics events (threads, turns, token usage, plugins) from rollouts and plugin sidecars',
  arguments: [],
  options: ANALYTICS_OPTIONS,
  run: async ({ opts }) => {
    const [r, { reportError }] = await Promise.all([
      runAnalytics(opts, (s) => process.stdout.write(terminalJson(s))),
      import('../exitCodes.js'),
    ]);
    if (r._tag === 'Left') return reportError(r.left);
    if (r.right === null) return;
    process.stdout.write(`${terminalJson(JSON.stringify(r.right))}\n`);
    for (const e of r.right.errors) process.stderr.write(`${terminalLines(`rollout-engine: ${e}`)}\n`);
    if (r.right.failed > 0) process.exitCode = 1;
  },
});
