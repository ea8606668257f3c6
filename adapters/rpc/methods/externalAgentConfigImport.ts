import { ExternalAgentConfigImportParams, externalAgentConfigImportMethod } from '../../../protocol/externalAgents.js';
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { ExternalSessions } from '../../../replay/ports.js';
import * as t from 'io-ts';
import { importSessions } from '../../../replay/importSessions.js';
import type { SessionImportOutcome } from '../../../replay/importSessions.js';
import { agentHomeOf, DEFAULT_MAX_SESSION_AGE_DAYS, DEFAULT_MAX_SESSIONS, externalAgentSessions } from '../../externalAgents/claudeCodeSessions.js';
import type { ExternalAgent } from '../../externalAgents/claudeCodeSessions.js';
import { agentOf } from './externalAgentConfigDetect.js';
import { CONFIG_ITEM_TYPES, importConfigMigration } from '../../externalAgents/claudeCodeConfig.js';
import type { ConfigItemType } from '../../externalAgents/claudeCodeConfig.js';
import { CODEX_CLI_VERSION, configuredModelProvider } from '../../externalAgents/codexIdentity.js';
import { recordImportHistory } from '../../codexState/importHistories.js';
import { bindMethod } from '../method.js';
import type { RpcContext } from '../method.js';

type ImportParams = t.TypeOf<typeof ExternalAgentConfigImportParams>;

// One import at a time in this server, as Codex runs them: a later request waits for the earlier.
let running: Promise<void> = Promise.resolve();

const successOf = (o: Extract<SessionImportOutcome, { status: 'imported' | 'wouldImport' }>, given: string) => ({
  itemType: 'SESSIONS',
  cwd: o.cwd,
  source: given,
  target: o.threadId,
  title: o.title,
});
const failureOf = (o: Extract<SessionImportOutcome, { status: 'failed' }>, given: string) => ({
  itemType: 'SESSIONS',
  errorType: null,
  subErrorType: null,
  failureStage: 'import',
  message: o.message,
  cwd: null,
  source: given,
});

/** Codex's failure for a session a client names that detection does not offer (so a client cannot have any file read as a session). */
const notDetected = (given: string) => ({
  itemType: 'SESSIONS',
  errorType: null,
  subErrorType: 'session_not_detected',
  failureStage: 'session_missing',
  message: `external agent session was not detected for import: ${given}`,
  cwd: null,
  source: given,
});

/** The requested sessions detection offers, and the others; one the ledger already holds is skipped quietly, as Codex does. */
const partition = async (external: ExternalSessions, requested: ReadonlyArray<string>): Promise<{ offered: string[]; refused: string[] }> => {
  const detected = await external.detect({ maxAgeDays: DEFAULT_MAX_SESSION_AGE_DAYS, maxSessions: DEFAULT_MAX_SESSIONS })();
  const offered = new Set(E.isRight(detected) ? detected.right.offered.map((d) => d.path) : []);
  const result = { offered: [] as string[], refused: [] as string[] };
  for (const path of requested) {
    if (offered.has(path)) result.offered.push(path);
    else if (!(await alreadyImported(external, path))) result.refused.push(path);
  }
  return result;
};

const alreadyImported = async (external: ExternalSessions, path: string): Promise<boolean> => {
  const real = await external.canonical(path)();
  if (E.isLeft(real)) return false;
  const head = await external.head(real.right)();
  if (E.isLeft(head)) return false;
  const imported = await external.isImported(real.right, head.right.contentSha256)();
  return E.isRight(imported) && imported.right;
};

interface ItemTypeResult {
  readonly itemType: string;
  readonly successes: unknown[];
  readonly failures: unknown[];
}

/** The order Codex's completed notification (and its history) lists item types in: its own enum's. */
const ITEM_TYPE_ORDER = ['CONFIG', 'SKILLS', 'AGENTS_MD', 'PLUGINS', 'MCP_SERVER_CONFIG', 'SUBAGENTS', 'HOOKS', 'COMMANDS', 'MEMORY', 'SESSIONS'];
const typeRank = (itemType: string): number => ITEM_TYPE_ORDER.indexOf(itemType);

const isConfigItemType = (itemType: string): itemType is ConfigItemType => (CONFIG_ITEM_TYPES as ReadonlyArray<string>).includes(itemType);

/** One skills or CLAUDE.md item imported as Codex does it: its successes, or Codex's failure for an error. */
const importConfigItem = (agentHome: string, codexHome: string, item: { itemType: ConfigItemType; cwd?: string | null | undefined }): ItemTypeResult => {
  const cwd = item.cwd === undefined || item.cwd === '' ? null : item.cwd;
  try {
    const done = importConfigMigration(agentHome, codexHome, item);
    return {
      itemType: item.itemType,
      successes: done.successes.map((d) => ({ itemType: item.itemType, cwd, source: d.source, target: d.target, title: null })),
      failures: [],
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const failure = {
      itemType: item.itemType,
      errorType: 'external_agent_config_import_error',
      subErrorType: null,
      failureStage: 'import_request_failed',
      message,
      cwd,
      source: null,
    };
    return { itemType: item.itemType, successes: [], failures: [failure] };
  }
};

const runImport = async (ctx: RpcContext, importId: string, agent: ExternalAgent, items: ImportParams['migrationItems'], providerId: string | null): Promise<void> => {
  const agentHome = agentHomeOf(agent, undefined);
  // The completed notification groups every item's results by type.
  const byType: ItemTypeResult[] = [];
  const grouped = (r: ItemTypeResult): void => {
    const group = byType.find((g) => g.itemType === r.itemType);
    if (group === undefined) byType.push({ itemType: r.itemType, successes: [...r.successes], failures: [...r.failures] });
    else {
      group.successes.push(...r.successes);
      group.failures.push(...r.failures);
    }
  };
  const push = (method: string, results: ReadonlyArray<ItemTypeResult>): void =>
    ctx.push?.(method, { importId, itemTypeResults: results.map((r) => ({ ...r, successes: [...r.successes], failures: [...r.failures] })) });
  // Skills and CLAUDE.md first, each told on its own as it is done.
  for (const item of items) {
    if (!isConfigItemType(item.itemType) || agent !== 'claude') continue;
    const result = importConfigItem(agentHome, ctx.codexHome, { itemType: item.itemType, cwd: item.cwd });
    grouped(result);
    push('externalAgentConfig/import/progress', [result]);
  }
  const sessionItems = items.filter((i) => i.itemType === 'SESSIONS');
  if (sessionItems.length > 0) {
    const requested = sessionItems.flatMap((i) => (i.details?.sessions ?? []).map((s) => s.path));
    const results = { itemType: 'SESSIONS', successes: [] as unknown[], failures: [] as unknown[] };
    const tell = (): void => push('externalAgentConfig/import/progress', [results]);
    const external = externalAgentSessions(agent, agentHome, ctx.codexHome);
    const { offered: sessions, refused } = await partition(external, requested);
    results.failures.push(...refused.map(notDetected));
    tell();
    await importSessions(
      { ...ctx.ports, externalSessions: external },
      {
        sessions,
        maxSessionAgeDays: DEFAULT_MAX_SESSION_AGE_DAYS,
        maxSessions: DEFAULT_MAX_SESSIONS,
        identity: {
          originator: ctx.clientName ?? 'codex_app_server',
          cliVersion: CODEX_CLI_VERSION,
          source: 'vscode',
          modelProvider: configuredModelProvider(ctx.codexHome),
        },
        onSession: (o, done) => {
          const given = sessions[done - 1] ?? o.source;
          if (o.status === 'imported') results.successes.push(successOf(o, given));
          else if (o.status === 'failed') results.failures.push(failureOf(o, given));
          else return;
          tell();
        },
      },
    )();
    grouped(results);
  }
  const ordered = [...byType].sort((a, b) => typeRank(a.itemType) - typeRank(b.itemType));
  // Recorded in Codex's histories (its state DB) before it is told complete, as Codex does; a failure to record loses only the history.
  await recordImportHistory(ctx.codexHome, {
    importId,
    providerId,
    completedAtMs: Date.now(),
    successes: ordered.flatMap((r) => r.successes as Array<Record<string, unknown>>),
    failures: ordered.flatMap((r) => r.failures as Array<Record<string, unknown>>),
  }).catch(() => undefined);
  push('externalAgentConfig/import/completed', ordered);
};

/**
 * `externalAgentConfig/import`, SKILLS, AGENTS_MD and SESSIONS items: answers `{importId}` at once, then imports in the
 * background, one import at a time in this server (`replay/importSessions.ts`: a file already in
 * the ledger with its content is skipped, so a repeated request makes no second thread; a file
 * detection does not offer is refused, as Codex refuses it), telling
 * `externalAgentConfig/import/progress` after each skills or CLAUDE.md item (`claudeCodeConfig.ts`) and
 * each imported session, and `…/completed` at the end, the results grouped by item type.
 */
export const externalAgentConfigImport = bindMethod(externalAgentConfigImportMethod, (ctx, p: ImportParams) => {
  const importId = randomUUID();
  // Started once this answer has gone out: its notifications follow it, as Codex's do.
  running = running
    .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
    .then(() => runImport(ctx, importId, agentOf(p.migrationSource), p.migrationItems, p.providerId ?? null))
    .catch(() => undefined);
  return TE.right({ importId });
});
