import {
  externalAgentConfigRecordHistoryMethod,
  externalAgentConfigReadHistoriesMethod,
} from '../../../../protocol/externalAgents.js';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { recordImportHistory, readImportHistories } from '../../../driven/codexState/importHistories.js';
import { CODEX_STATE_DB } from '../../../driven/codexState/codexThreadState.js';
import { rejected } from '../../../../domain/errors.js';
import { toEngineError } from '../../../driven/fs/fsError.js';
import { bindMethod } from '../method.js';

/**
 * `externalAgentConfig/import/readHistories`: the completed imports Codex keeps in its state DB,
 * newest first, the engine's own among them (`externalAgentConfig/import` records each there).
 */
export const externalAgentConfigReadHistories = bindMethod(externalAgentConfigReadHistoriesMethod, (ctx) =>
  TE.tryCatch(
    async () => ({ data: await readImportHistories(ctx.codexHome), connectors: [] }),
    toEngineError(join(ctx.codexHome, CODEX_STATE_DB), 'read'),
  ),
);

/** `externalAgentConfig/import/recordHistory`: an import a client completed elsewhere, recorded with a new id as Codex records it. */
export const externalAgentConfigRecordHistory = bindMethod(externalAgentConfigRecordHistoryMethod, (ctx, p) => {
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
      if (!recorded)
        throw rejected(
          `no import history is kept on this home: Codex's state DB ${dbPath} does not exist (Codex creates it when it first runs here)`,
        );
      return { importId };
    },
    toEngineError(dbPath, 'write'),
  );
});
