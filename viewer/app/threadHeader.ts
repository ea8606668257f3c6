import type { Thread } from '../../domain/thread/thread.js';
import { cwdNode, element, formatTime } from './dom.js';
import { RpcError } from './rpcClient.js';

// The open thread's header: its facts, or what the page says of a thread it cannot show.

/**
 * Whether a link's id is written as a thread id (a UUID, hyphenated, as every thread's id and every
 * link the viewer makes): anything else is no thread id at all, whatever the server's parser says of it.
 */
const isThreadIdText = (text: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);

/** JSON-RPC's invalid request and invalid params: how the server answers a thread id it has no thread for (adapters/driving/rpc/errors.ts). */
const NO_SUCH_THREAD_CODES: ReadonlySet<number> = new Set([-32600, -32602]);

/** The thread header's facts, `·` between them; the working directory cut at its start (dom.ts `cwdNode`). */
export const metaParts = (thread: Thread): Node[] => {
  const parts: Array<Node | string> = [
    thread.id,
    formatTime(thread.createdAt),
    thread.model ?? '',
    thread.cwd === '' ? '' : cwdNode(thread.cwd),
    thread.forkedFromId === null ? '' : `forked from ${thread.forkedFromId}`,
  ].filter((p) => p !== '');
  return parts.flatMap((p, i) => [
    ...(i === 0 ? [] : [element('span', { 'aria-hidden': 'true' }, '·')]),
    typeof p === 'string' ? element('span', {}, p) : p,
  ]);
};

/** What the header says of a thread it cannot show: a link whose id is no thread id, a thread this home does not hold, or another failure. */
export const missingThread = (
  threadId: string,
  err: unknown,
): { readonly missing: boolean; readonly title: string; readonly note: string } => {
  const words = err instanceof Error ? err.message : String(err);
  const missing = err instanceof RpcError && NO_SUCH_THREAD_CODES.has(err.failure.code);
  // A link whose id is no thread id at all (cut, mistyped): said in words, not in the id parser's.
  const malformed = missing && !isThreadIdText(threadId);
  const title = malformed ? 'Not a thread id' : missing ? 'Thread not found' : 'Cannot open this thread';
  // The server's words when they add to ours (they name the id too, as Codex's do, for an unknown one).
  const said = words.includes(threadId) ? '' : ` (${words})`;
  const note = malformed
    ? `“${threadId}” is not a thread id: a thread id is 36 hex digits and hyphens, like 019a7f00-1111-7000-8000-000000000001. Pick a thread from the list.`
    : missing
      ? `This home holds no thread ${threadId}${said}. Pick one from the list (tick “archived” above it for the archived ones).`
      : `${threadId}: ${words}`;
  return { missing, title, note };
};
