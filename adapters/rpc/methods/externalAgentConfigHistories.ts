import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { recordImportHistory, readImportHistories } from '../../codexState/importHistories.js';
import { CODEX_STATE_DB } from '../../codexState/codexThreadState.js';
import { rejected } from '../../../domain/errors.js';
import { toEngineError } from '../../fs/fsError.js';
import { defineMethod } from '../method.js';
import { optional } from '../protocol.js';

/**
 * `externalAgentConfig/import/readHistories`: the completed imports Codex keeps in its state DB,
 * newest first, the engine's own among them (`externalAgentConfig/import` records each there).
 */
export const externalAgentConfigReadHistories = defineMethod({
  name: 'externalAgentConfig/import/readHistories',
  params: optional(t.unknown),
  scope: () => null,
  handle: (ctx) =>
    TE.tryCatch(async () => ({ data: await readImportHistories(ctx.codexHome), connectors: [] }), toEngineError(join(ctx.codexHome, CODEX_STATE_DB), 'read')),
});

const Success = t.intersection([
  t.type({ itemType: t.string, cwd: t.union([t.string, t.null]), source: t.union([t.string, t.null]), target: t.union([t.string, t.null]) }),
  t.partial({ title: optional(t.string) }),
]);
const Failure = t.type({
  itemType: t.string,
  errorType: t.union([t.string, t.null]),
  subErrorType: t.union([t.string, t.null]),
  failureStage: t.string,
  message: t.string,
  cwd: t.union([t.string, t.null]),
  source: t.union([t.string, t.null]),
});

/** `externalAgentConfig/import/recordHistory` params, as Codex 0.169.0 declares them. */
export const ExternalAgentConfigRecordHistoryParams = t.type({
  providerId: t.string,
  itemTypeResults: t.array(t.type({ itemType: t.string, successes: t.array(Success), failures: t.array(Failure) })),
});

/** `externalAgentConfig/import/recordHistory`: an import a client completed elsewhere, recorded with a new id as Codex records it. */
export const externalAgentConfigRecordHistory = defineMethod({
  name: 'externalAgentConfig/import/recordHistory',
  params: ExternalAgentConfigRecordHistoryParams,
  scope: () => null,
  handle: (ctx, p) => {
    const importId = randomUUID();
    const dbPath = join(ctx.codexHome, CODEX_STATE_DB);
    return TE.tryCatch(
      async () => {
        const recorded = await recordImportHistory(ctx.codexHome, {
          importId,
          providerId: p.providerId,
          completedAtMs: Date.now(),
          successes: p.itemTypeResults.flatMap((r) => r.successes.map((s) => ({ ...s, title: s.title ?? null }))),
          failures: p.itemTypeResults.flatMap((r) => r.failures),
        });
        if (!recorded) throw rejected(`no import history is kept on this home: Codex's state DB ${dbPath} does not exist (Codex creates it when it first runs here)`);
        return { importId };
      },
      toEngineError(dbPath, 'write'),
    );
  },
});
