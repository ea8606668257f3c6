import type { ImportSessionsResult, SessionImportOutcome } from '../../../../replay/imports/importSessions.js';
import type { ExternalAgent } from '../../../../domain/externalConfig/migration.js';
import { command } from '../commandSpec.js';
import { argument, numberOption, option } from '../optionTable.js';
import { HOME_AND_JSON_OPTIONS } from '../homeOptions.js';
import { CODEX_VERSIONS, NEWEST_CODEX_VERSION } from '../../../../protocol/codexVersions.js';
import { terminalText } from '../terminalText.js';
import type { AnswerView } from '../printAnswer.js';
import { EXIT, exitCodeOf } from '../exitCodes.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const line = (o: SessionImportOutcome): string => {
  const bad =
    'report' in o && o.report !== undefined && (o.report.badLines > 0 || o.report.duplicateRows > 0)
      ? ` (${o.report.badLines} bad lines skipped, ${o.report.duplicateRows} repeated rows)`
      : '';
  switch (o.status) {
    case 'imported':
      return `imported ${o.source} → ${o.threadId} "${o.title ?? ''}" (${o.turns} turn${o.turns === 1 ? '' : 's'})${bad}`;
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

const days = (n: number): string => `${Number.isInteger(n) ? n : n.toFixed(1)} day${n === 1 ? '' : 's'}`;

/** An import that found nothing says where it looked and what bounds it applied. */
const noneFound = (
  r: ImportSessionsResult,
  p: { readonly maxSessionAgeDays: number; readonly from: string },
): string => {
  const where = r.lookedIn;
  if (where === undefined) return 'no sessions to import';
  if (!where.exists)
    return `no sessions to import: ${where.folder} does not exist (the agent's home is ${p.from}; --from names another)`;
  if (where.sessionFiles === 0) return `no sessions to import: no session files in ${where.folder}`;
  // Each reason a file was left out, with its count; what is left (past --max-sessions, unreadable) is said by the refusals.
  const reasons = [
    where.alreadyImported ? `${where.alreadyImported} already imported (unchanged since)` : '',
    where.olderThanWindow
      ? `${where.olderThanWindow} not modified in the last ${days(p.maxSessionAgeDays)} (--since widens the window)`
      : '',
    where.noWorkingDirectory ? `${where.noWorkingDirectory} with no working directory that exists here` : '',
  ].filter((r) => r !== '');
  return `no sessions to import: ${where.sessionFiles} session file${where.sessionFiles === 1 ? '' : 's'} in ${where.folder}${reasons.length === 0 ? '' : `: ${reasons.join(', ')}`}`;
};

// Each outcome one line, whatever its source's path, title or a bad line's reason holds (`terminalText`).
// A session that failed (it could not be read or written) fails the command as its error would, the others
// still imported and listed; one refused as the detection refuses it (an unreadable folder) is only reported.
const human = (p: { readonly maxSessionAgeDays: number; readonly from: string }): AnswerView<ImportSessionsResult> => ({
  text: (r) =>
    r.sessions.length === 0 ? terminalText(noneFound(r, p)) : r.sessions.map((o) => terminalText(line(o))).join('\n'),
  exitCode: (r) => {
    const failed = r.sessions.find((o) => o.status === 'failed');
    return failed === undefined ? EXIT.ok : exitCodeOf(failed.error);
  },
});

/** `rollout-engine import claude|cursor`: `externalAgentConfig/import` (SESSIONS) from the command line. */
export const importCommand = command({
  name: 'import',
  description:
    "import another agent's sessions into this home as Codex does (`externalAgentConfig/import`, SESSIONS): one new thread per session, recorded in Codex's ledger",
  arguments: [
    argument('<agent>', 'whose sessions: Claude Code, or Cursor (its agent transcripts)', {
      choices: ['claude', 'cursor'],
    }),
  ],
  options: {
    from: option('--from <dir>', "the agent's home (default: $CLAUDE_CONFIG_DIR, then ~/.claude)"),
    session: option('--session <file...>', 'import these session files instead of the detected ones'),
    since: option(
      '--since <days|date>',
      'only sessions modified within this many days, or since this date (default: 30 days, as Codex)',
      {
        param: 'maxSessionAgeDays',
      },
    ),
    maxSessions: option('--max-sessions <n>', 'at most this many sessions, newest first (default: 50, as Codex)', {
      param: 'maxSessions',
    }),
    dryRun: option('--dry-run', 'say what would be imported, write nothing'),
    originator: option('--originator <name>', 'originator recorded in the imported threads', {
      default: 'codex_cli_rs',
    }),
    modelProvider: option(
      '--model-provider <id>',
      "model provider recorded in the imported threads (default: the home's config.toml model_provider, else openai)",
    ),
    source: option('--source <name>', 'session source recorded in the imported threads', { default: 'cli' }),
    codexVersion: option(
      '--codex-version <version>',
      `the Codex version recorded in the imported threads (cli_version), as that Codex imports (${CODEX_VERSIONS.join(', ')}; default $ROLLOUT_ENGINE_CODEX_VERSION, else ${NEWEST_CODEX_VERSION})`,
      { param: 'cliVersion' },
    ),
    ...HOME_AND_JSON_OPTIONS,
  },
  // What the options must be: the session age in days (from `--since` days or date), the count bound.
  params: async ({ opts }) => {
    const [t, { DEFAULT_MAX_SESSION_AGE_DAYS, DEFAULT_MAX_SESSIONS }] = await Promise.all([
      import('io-ts'),
      import('../../../../domain/externalConfig/migration.js'),
    ]);
    const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
    const AgeDays = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0, 'a number of days ≥ 0 or a date');
    /** `--since`: a number of days, or a date the sessions must be modified after. */
    const ageDaysOf = (since: string | undefined): number | string | undefined => {
      if (since === undefined) return DEFAULT_MAX_SESSION_AGE_DAYS;
      const days = numberOption(since);
      if (typeof days === 'number') return days;
      const at = Date.parse(since);
      return Number.isNaN(at) ? since : Math.max(0, (Date.now() - at) / DAY_MS);
    };
    // The version whose cli_version the threads get: the option, else the environment's, else the newest spoken (as serve's).
    const env = process.env['ROLLOUT_ENGINE_CODEX_VERSION'];
    const SpokenVersion = t.keyof(
      Object.fromEntries(CODEX_VERSIONS.map((v) => [v, null])) as Record<(typeof CODEX_VERSIONS)[number], null>,
    );
    return {
      codec: t.type({ maxSessionAgeDays: AgeDays, maxSessions: PositiveInt, cliVersion: SpokenVersion }),
      request: {
        maxSessionAgeDays: ageDaysOf(opts.since),
        maxSessions: numberOption(opts.maxSessions ?? String(DEFAULT_MAX_SESSIONS)),
        cliVersion: opts.codexVersion ?? (env === undefined || env === '' ? NEWEST_CODEX_VERSION : env),
      },
    };
  },
  run: async ({ args: [agentName], opts, params: p }) => {
    const agent = agentName as ExternalAgent;
    const [fs, { importSessions }, { agentHomeOf }, { garbageBound }, { progressBar }, { runOnHome }] =
      await Promise.all([
        import('node:fs'),
        import('../../../../replay/imports/importSessions.js'),
        import('../../../driven/externalAgents/claudeCodeSessions.js'),
        import('../../../driven/system/garbageBound.js'),
        import('../progress.js'),
        import('../runOnHome.js'),
      ]);
    const bar = progressBar(process.stderr.isTTY === true && opts.json !== true && opts.quiet !== true, 'importing');
    let bytesDone = 0;
    const sizeOf = (path: string): number => fs.statSync(path, { throwIfNoEntry: false })?.size ?? 0;
    await runOnHome(
      opts,
      (home) => async () => {
        try {
          const agents = await home.externalAgents();
          return await importSessions(
            { ...home.mutations, externalSessions: agents.sessionsOf(agent, agentHomeOf(agent, opts.from)) },
            {
              sessions: opts.session,
              maxSessionAgeDays: p.maxSessionAgeDays,
              maxSessions: p.maxSessions,
              dryRun: opts.dryRun,
              identity: {
                originator: opts.originator,
                cliVersion: p.cliVersion,
                source: opts.source,
                modelProvider: opts.modelProvider ?? (await agents.modelProvider()),
              },
              onSession: (o, done, of) => {
                bytesDone += o.status === 'refused' ? 0 : sizeOf(o.source);
                bar.update({
                  stage: 'reading',
                  filesDone: done,
                  filesTotal: of,
                  bytesDone,
                  bytesTotal: Math.max(bytesDone, (bytesDone / done) * of),
                });
              },
            },
          )();
        } finally {
          bar.stop();
        }
      },
      human({ maxSessionAgeDays: p.maxSessionAgeDays, from: agentHomeOf(agent, opts.from) }),
      // Indexing the new thread reads it again (a 500 MB session makes a ~190 MB rollout): its garbage is bounded as the source's is.
      { catchUp: { afterCommit: garbageBound().read } },
    );
  },
});
