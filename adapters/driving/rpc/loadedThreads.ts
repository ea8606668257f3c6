/**
 * The threads a server holds loaded, server-wide (every connection sees the same), as Codex's
 * thread manager does. This server runs no turns, so it loads a thread only where Codex's
 * answer to the same request leaves one loaded: the thread a fork or a detached review creates.
 * `thread/delete` unloads it. Nothing else is ever loaded: `thread/read`, `thread/list` and the
 * other management methods load nothing in Codex either.
 */
export class LoadedThreads {
  private readonly ids = new Set<string>();

  load(threadId: string): void {
    this.ids.add(threadId);
  }

  /** Whether it was loaded (Codex then tells the client it is not any more). */
  unload(threadId: string): boolean {
    return this.ids.delete(threadId);
  }

  has(threadId: string): boolean {
    return this.ids.has(threadId);
  }

  /** `thread/loaded/list`: ids in order, from past `cursor` (the last id of the previous page), at most `limit` (none: all). */
  page(cursor: string | undefined, limit: number | undefined): { data: string[]; nextCursor: string | null } {
    const all = [...this.ids].sort();
    const from = cursor === undefined ? 0 : all.findIndex((id) => id > cursor);
    const rest = from < 0 ? [] : all.slice(from);
    const data = limit === undefined ? rest : rest.slice(0, Math.max(1, limit));
    return { data, nextCursor: data.length < rest.length ? data[data.length - 1]! : null };
  }
}
