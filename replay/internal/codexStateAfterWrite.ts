import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { CodexStateNotUpdated, MutationPorts } from '../ports.js';

/**
 * An update of Codex's state DB made after the mutation's own write is done (a fork's row, a
 * name): a failure of it (the DB locked past its busy timeout, not a database) is told
 * (`onCodexStateNotUpdated`), not answered as the mutation's failure, which would be false — the
 * fork or name is there — and make a client retry, writing it again. The DB is Codex's cache of
 * the files: Codex holds its state DB as optional and logs a `warn!` when a write to it fails,
 * going on from the rollouts (codex-rs/core/src/state_db.rs), and a Codex that rebuilds its cache
 * reads them. Revisions are another matter: their row changes in the same
 * transaction as the file is written (`switchCurrentFile`), or nothing is written.
 */
export const codexStateAfterWrite = async (
  ports: MutationPorts,
  what: Omit<CodexStateNotUpdated, 'error'>,
  update: TE.TaskEither<EngineError, void>,
): Promise<void> => {
  const r = await update();
  if (E.isLeft(r)) ports.onCodexStateNotUpdated?.({ ...what, error: r.left });
};
