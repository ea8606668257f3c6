import { serverDiagnosticsMethod } from '../../../../protocol/server.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { bindMethod } from '../method.js';

/** The prefix of the gauge that names the connection's Codex version. */
export const CODEX_VERSION_GAUGE = 'rolloutEngine.codexVersion.';

/**
 * `server/diagnostics`, as Codex 0.169.0 answers it (experimental): the process — its id, its
 * resident memory, and the physical footprint Codex reports on macOS only (null elsewhere, and
 * here, where Node cannot read it) — and named gauges. `app.requests.in_flight` counts, as Codex's
 * does, every request accepted and not yet answered, this one included; `app.requests.queued` (ours)
 * those of them still waiting for their thread or for the home. The Codex version the connection
 * speaks is named by a gauge of value 1 (`rolloutEngine.codexVersion.0.171.0`): Codex's gauges are
 * integers (`ServerDiagnosticsGauge.value`, uint64), so the version goes in the name.
 */
export const serverDiagnostics = bindMethod(serverDiagnosticsMethod, (ctx) =>
  TE.right({
    process: { id: process.pid, residentMemoryBytes: process.memoryUsage.rss(), physicalFootprintBytes: null },
    gauges: [
      { name: 'app.requests.in_flight', value: ctx.load.inFlight() + ctx.load.queued() },
      { name: 'app.requests.queued', value: ctx.load.queued() },
      { name: `${CODEX_VERSION_GAUGE}${ctx.codexVersion}`, value: 1 },
    ],
  }),
);
