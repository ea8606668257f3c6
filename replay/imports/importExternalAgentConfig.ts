import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { renderError } from '../../domain/errors.js';
import type { ConfigItemType, ExternalAgent } from '../../domain/externalConfig/migration.js';
import {
  agentOf,
  DEFAULT_MAX_SESSION_AGE_DAYS,
  DEFAULT_MAX_SESSIONS,
  isConfigItemType,
  ITEM_TYPE_ORDER,
} from '../../domain/externalConfig/migration.js';
import { importSessions } from './importSessions.js';
import type { SessionImportOutcome } from './importSessions.js';
import type { ExternalAgentPorts, ExternalSessions, ThreadManagementPorts } from '../ports.js';
import type { ParamsOf } from '../../protocol/methods.js';
import type { ImportItemTypeResult, Notify } from '../../protocol/notifications.js';

/**
 * An `externalAgentConfig/import` request as the use case reads it: the protocol's params (`null`
 * as absent) and the client's name from `initialize`, the imported threads' originator (Codex's
 * app-server's own without one).
 */
/** The request, with who asks: the client's name (the threads' originator) and the Codex version its connection speaks (their `cli_version`, as that Codex writes its own). */
export type ExternalAgentConfigImportRequest = ParamsOf<'externalAgentConfig/import'> & {
  readonly clientName?: string | undefined;
  readonly cliVersion: string;
};

/** The notifications an import sends: its progress and its completion. */
type ImportNoticeName = 'externalAgentConfig/import/progress' | 'externalAgentConfig/import/completed';

/** Told of an import's progress and completion. */
export type ImportNotice = Notify<ImportNoticeName>;

/** An item type's results as they are gathered (the protocol's, its lists growing). */
interface ItemTypeResult extends ImportItemTypeResult {
  readonly successes: unknown[];
  readonly failures: unknown[];
}

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
const partition = async (
  external: ExternalSessions,
  requested: ReadonlyArray<string>,
): Promise<{ offered: string[]; refused: string[] }> => {
  const detected = await external.detect({
    maxAgeDays: DEFAULT_MAX_SESSION_AGE_DAYS,
    maxSessions: DEFAULT_MAX_SESSIONS,
  })();
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

const typeRank = (itemType: string): number => ITEM_TYPE_ORDER.indexOf(itemType);

/** The message of a failed item as Codex words it: the file system's own words for a file error. */
const messageOf = (e: EngineError): string => (e._tag === 'Io' ? e.message : renderError(e));

/** One configuration item imported as Codex does it: its successes, or Codex's failure for an error. */
const importConfigItem = async (
  agents: ExternalAgentPorts,
  agent: ExternalAgent,
  item: { itemType: ConfigItemType; cwd?: string | null | undefined },
): Promise<ItemTypeResult> => {
  const cwd = item.cwd === undefined || item.cwd === '' ? null : item.cwd;
  const done = await agents.importConfigItem(agent, item)();
  if (E.isRight(done))
    return {
      itemType: item.itemType,
      successes: done.right.successes.map((d) => ({
        itemType: item.itemType,
        cwd,
        source: d.source,
        target: d.target,
        title: null,
      })),
      failures: [],
    };
  const failure = {
    itemType: item.itemType,
    errorType: 'external_agent_config_import_error',
    subErrorType: null,
    failureStage: 'import_request_failed',
    message: messageOf(done.left),
    cwd,
    source: null,
  };
  return { itemType: item.itemType, successes: [], failures: [failure] };
};

const runImport = async (
  ports: ThreadManagementPorts,
  agents: ExternalAgentPorts,
  importId: string,
  request: ExternalAgentConfigImportRequest,
  tell: ImportNotice,
): Promise<void> => {
  const agent = agentOf(request.migrationSource);
  const items = request.migrationItems;
  // The completed notification groups every item's results by type.
  const byType: ItemTypeResult[] = [];
  const grouped = (r: ItemTypeResult): void => {
    const group = byType.find((g) => g.itemType === r.itemType);
    if (group === undefined)
      byType.push({ itemType: r.itemType, successes: [...r.successes], failures: [...r.failures] });
    else {
      group.successes.push(...r.successes);
      group.failures.push(...r.failures);
    }
  };
  const push = (method: ImportNoticeName, results: ReadonlyArray<ItemTypeResult>): void =>
    tell(method, {
      importId,
      itemTypeResults: results.map((r) => ({ ...r, successes: [...r.successes], failures: [...r.failures] })),
    });
  // Skills and CLAUDE.md first, each told on its own as it is done.
  for (const item of items) {
    if (!isConfigItemType(item.itemType) || agent !== 'claude') continue;
    const result = await importConfigItem(agents, agent, { itemType: item.itemType, cwd: item.cwd });
    grouped(result);
    push('externalAgentConfig/import/progress', [result]);
  }
  const sessionItems = items.filter((i) => i.itemType === 'SESSIONS');
  if (sessionItems.length > 0) {
    const requested = sessionItems.flatMap((i) => (i.details?.sessions ?? []).map((s) => s.path));
    const results = { itemType: 'SESSIONS', successes: [] as unknown[], failures: [] as unknown[] };
    const progress = (): void => push('externalAgentConfig/import/progress', [results]);
    const external = agents.sessionsOf(agent);
    const { offered: sessions, refused } = await partition(external, requested);
    results.failures.push(...refused.map(notDetected));
    progress();
    await importSessions(
      { ...ports, externalSessions: external },
      {
        sessions,
        maxSessionAgeDays: DEFAULT_MAX_SESSION_AGE_DAYS,
        maxSessions: DEFAULT_MAX_SESSIONS,
        identity: {
          originator: request.clientName ?? 'codex_app_server',
          cliVersion: request.cliVersion,
          source: 'vscode',
          modelProvider: await agents.modelProvider(),
        },
        onSession: (o, done) => {
          const given = sessions[done - 1] ?? o.source;
          if (o.status === 'imported') results.successes.push(successOf(o, given));
          else if (o.status === 'failed') results.failures.push(failureOf(o, given));
          else return;
          progress();
        },
      },
    )();
    grouped(results);
  }
  const ordered = [...byType].sort((a, b) => typeRank(a.itemType) - typeRank(b.itemType));
  // Recorded in Codex's histories (its state DB) before it is told complete, as Codex does; a failure to record loses only the history.
  await agents.recordHistory({
    importId,
    providerId: request.providerId ?? null,
    completedAtMs: ports.clock.now().getTime(),
    successes: ordered.flatMap((r) => r.successes as Array<Record<string, unknown>>),
    failures: ordered.flatMap((r) => r.failures as Array<Record<string, unknown>>),
  })();
  push('externalAgentConfig/import/completed', ordered);
};

/**
 * `externalAgentConfig/import`, SKILLS, COMMANDS, SUBAGENTS, AGENTS_MD and SESSIONS items: answers
 * `{importId}` at once, then imports after that answer, one import at a time on the home
 * (`importSessions.ts`: a file already in the ledger with its content is skipped, so a repeated
 * request makes no second thread; a file detection does not offer is refused, as Codex refuses
 * it), telling `externalAgentConfig/import/progress` after each configuration item and each
 * imported session, and `…/completed` at the end, the results grouped by item type in Codex's order.
 */
export const importExternalAgentConfig = (
  ports: ThreadManagementPorts,
  agents: ExternalAgentPorts,
  request: ExternalAgentConfigImportRequest,
  tell: ImportNotice,
): TE.TaskEither<EngineError, { importId: string }> => {
  const importId = agents.newImportId();
  return async () => {
    agents.afterAnswer(() => runImport(ports, agents, importId, request, tell));
    return E.right({ importId });
  };
};
