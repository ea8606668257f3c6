import * as fs from 'node:fs';
import * as t from 'io-ts';
import { importSessions } from '../../../replay/importSessions.js';
import type { ImportSessionsResult, SessionImportOutcome } from '../../../replay/importSessions.js';
import { DEFAULT_MAX_SESSION_AGE_DAYS, DEFAULT_MAX_SESSIONS } from '../../../domain/externalConfig/migration.js';
import type { ExternalAgent } from '../../../domain/externalConfig/migration.js';
import { agentHomeOf } from '../../externalAgents/claudeCodeSessions.js';
import { garbageBound } from '../../externalAgents/garbageBound.js';
import { decodeRequest, numberOption, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { progressBar } from '../progress.js';
import { runOnHome } from '../runOnHome.js';

interface ImportOptions extends HomeOptions {
  readonly from?: string;
  readonly session?: string[];
  readonly since?: string;
  readonly maxSessions?: string;
  readonly dryRun?: boolean;
  readonly originator: string;
  readonly modelProvider?: string;
  readonly source: string;
  readonly quiet?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
const AgeDays = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0, 'a number of days ≥ 0');

/** What the options must be: the session age in days (from `--since` days or date), the count bound. */
const ImportRequest = t.type({ maxSessionAgeDays: AgeDays, maxSessions: PositiveInt });
const OPTION_OF = { maxSessionAgeDays: '--since', maxSessions: '--max-sessions' };

/** `--since`: a number of days, or a date the sessions must be modified after. */
const ageDaysOf = (since: string | undefined): number | string | undefined => {
  if (since === undefined) return DEFAULT_MAX_SESSION_AGE_DAYS;
  const days = numberOption(since);
  if (typeof days === 'number') return days;
  const at = Date.parse(since);
  return Number.isNaN(at) ? since : Math.max(0, (Date.now() - at) / DAY_MS);
};

const line = (o: SessionImportOutcome): string => {
  const bad =
    'report' in o && o.report !== undefined && (o.report.badLines > 0 || o.report.duplicateRows > 0)
      ? ` (${o.report.badLines} bad lines skipped, ${o.report.duplicateRows} repeated rows)`
      : '';
  switch (o.status) {
    case 'imported':
      return `imported ${o.source} → ${o.threadId} "${o.title ?? ''}" (${o.turns} turns)${bad}`;
    case 'wouldImport':
      return `would import ${o.source} (${o.cwd}) "${o.title ?? ''}"${bad}`;
    case 'skipped':
      return `skipped ${o.source}: ${o.reason}`;
    case 'failed':
      return `failed ${o.source}: ${o.message}`;
    case 'refused':
      return `refused ${o.source}: ${o.reason}`;
  }
};

const human = (r: ImportSessionsResult): string => (r.sessions.length === 0 ? 'no sessions to import' : r.sessions.map(line).join('\n'));

/** What `rollout-engine import claude|cursor` does (loaded by its action only). */
export const action = (agent: ExternalAgent, opts: ImportOptions) =>
  withRequest(
    opts,
    decodeRequest(ImportRequest, { maxSessionAgeDays: ageDaysOf(opts.since), maxSessions: numberOption(opts.maxSessions ?? String(DEFAULT_MAX_SESSIONS)) }, OPTION_OF),
    (p) => {
      const bar = progressBar(process.stderr.isTTY === true && opts.json !== true && opts.quiet !== true, 'importing');
      let bytesDone = 0;
      const sizeOf = (path: string): number => fs.statSync(path, { throwIfNoEntry: false })?.size ?? 0;
      return runOnHome(
        opts,
        (home) => async () => {
          const agents = await home.externalAgents();
          try {
            return await importSessions(
              { ...home.mutations, externalSessions: agents.sessionsOf(agent, agentHomeOf(agent, opts.from)) },
              {
                sessions: opts.session,
                maxSessionAgeDays: p.maxSessionAgeDays,
                maxSessions: p.maxSessions,
                dryRun: opts.dryRun,
                identity: {
                  originator: opts.originator,
                  cliVersion: agents.cliVersion,
                  source: opts.source,
                  modelProvider: opts.modelProvider ?? (await agents.modelProvider()),
                },
                onSession: (o, done, of) => {
                  bytesDone += o.status === 'refused' ? 0 : sizeOf(o.source);
                  bar.update({ stage: 'reading', filesDone: done, filesTotal: of, bytesDone, bytesTotal: Math.max(bytesDone, (bytesDone / done) * of) });
                },
              },
            )();
          } finally {
            bar.stop();
          }
        },
        human,
        // Indexing the new thread reads it again (a 500 MB session makes a ~190 MB rollout): its garbage is bounded as the source's is.
        { catchUp: { afterCommit: garbageBound().read } },
      );
    },
  );
