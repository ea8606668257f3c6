import { renderError } from '../../../domain/errors.js';
import type { CodexStateNotUpdated, MutationPorts, QuarantinedLines } from '../../../replay/ports.js';
import type {
  CodexStateNotUpdatedNotification,
  QuarantinedLinesNotification,
} from '../../../protocol/notifications.js';
import type { RpcContext } from './method.js';

/**
 * Over JSON-RPC a read of a thread whose rollout files hold quarantined lines answers exactly as
 * Codex would (the lines are simply absent: a field in the answer would change Codex-equal
 * answers), and is preceded by this notification. It is in our own namespace: Codex's clients
 * ignore notifications they do not know.
 */
export const QUARANTINED_LINES_NOTIFICATION = 'rolloutEngine/quarantinedLines';

const repeated = (n: number): { repeatedOrdinals?: number } => (n > 0 ? { repeatedOrdinals: n } : {});

export const quarantinedLinesNotification = (q: QuarantinedLines): QuarantinedLinesNotification => ({
  threadId: q.threadId,
  quarantinedLines: q.lines,
  ...repeated(q.repeatedOrdinals),
  files: q.files.map((f) => ({ path: f.path, quarantinedLines: f.lines, ...repeated(f.repeatedOrdinals) })),
});

/**
 * A mutation whose write is done, answered as Codex answers it, while Codex's state DB could not
 * follow (`onCodexStateNotUpdated`): this notification comes before the answer, in our namespace too.
 */
export const CODEX_STATE_NOT_UPDATED_NOTIFICATION = 'rolloutEngine/codexStateNotUpdated';

export const codexStateNotUpdatedNotification = (n: CodexStateNotUpdated): CodexStateNotUpdatedNotification => ({
  threadId: n.threadId,
  method: n.method,
  update: n.update,
  message: renderError(n.error),
});

/** The ports a request's handler gets: reads tell the client about quarantined lines, mutations about a state DB left behind. */
export const withQuarantineNotice = <P extends MutationPorts>(ports: P, notify: RpcContext['notify']): P => ({
  ...ports,
  onQuarantined: (q) => notify(QUARANTINED_LINES_NOTIFICATION, quarantinedLinesNotification(q)),
  onCodexStateNotUpdated: (n) => notify(CODEX_STATE_NOT_UPDATED_NOTIFICATION, codexStateNotUpdatedNotification(n)),
});
