import { ThreadForkParams, threadForkMethod } from '../../../protocol/history.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { forkThread } from '../../../replay/forkThread.js';
import type { ForkParams, ForkResult } from '../../../replay/forkThread.js';
import { bindMethod } from '../method.js';
import { asLoaded } from '../loadedThreads.js';

/** The use case's request for decoded params (Codex's `null` is the use case's absent). */
export const forkRequestOf = (p: t.TypeOf<typeof ThreadForkParams>): ForkParams => ({
  threadId: p.threadId ?? undefined,
  path: p.path ?? undefined,
  lastTurnId: p.lastTurnId ?? undefined,
  beforeTurnId: p.beforeTurnId ?? undefined,
  excludeTurns: p.excludeTurns ?? undefined,
});

export const PAGINATED_FORK_NOTICE =
  'Full-history hydration is deprecated for paginated threads; use `excludeTurns: true`, then page with `thread/turns/list` and `thread/items/list`.';

type Settings = {
  model?: unknown;
  model_provider_id?: unknown;
  service_tier?: unknown;
  cwd?: unknown;
  runtime_workspace_roots?: unknown;
  approval_policy?: unknown;
  approvals_reviewer?: unknown;
  disabled_plugin_ids?: unknown;
  collaboration_mode?: { settings?: { reasoning_effort?: unknown } };
};

/** The fork's settings as `thread/fork` reports them (from the `thread_settings_applied` it starts with). */
const settingsFields = (s: Settings | null | undefined) => ({
  model: s?.model ?? null,
  modelProvider: s?.model_provider_id ?? null,
  serviceTier: s?.service_tier ?? null,
  disabledPluginIds: s?.disabled_plugin_ids ?? [],
  cwd: s?.cwd ?? null,
  runtimeWorkspaceRoots: s?.runtime_workspace_roots ?? [],
  approvalPolicy: s?.approval_policy ?? null,
  approvalsReviewer: s?.approvals_reviewer ?? null,
  reasoningEffort: s?.collaboration_mode?.settings?.reasoning_effort ?? null,
});

/**
 * `thread/fork`: a reference fork (paginated) or a copy (legacy). As Codex: the deprecation notice
 * when a paginated fork's turns are hydrated, the inherited token usage, `thread/started`; and the
 * connection follows the fork from then on (live notifications, `threadSubscriptions.ts`).
 */
export const threadFork = bindMethod(threadForkMethod, (ctx, p) =>
  TE.map((f: ForkResult) => {
    const withTurns = p.excludeTurns !== true;
    if (withTurns && f.thread.historyMode === 'paginated') ctx.notify('deprecationNotice', { summary: PAGINATED_FORK_NOTICE, details: null });
    if (withTurns && f.tokenUsage !== null) ctx.notify('thread/tokenUsage/updated', f.tokenUsage, 'afterAnswer');
    // Codex holds the fork loaded (thread/loaded/list lists it) and shows it so.
    ctx.loaded.load(f.thread.id);
    const settings = settingsFields(f.settings as Settings | null);
    const thread = asLoaded(f.thread, { runtimeWorkspaceRoots: settings.runtimeWorkspaceRoots as unknown[] });
    ctx.notify('thread/started', { thread }, 'afterAnswer');
    return { thread, ...settings };
  })(
    TE.chainFirstTaskK((f: ForkResult) => async () => {
      // Following is beside the answer: a fork that cannot be followed is still the fork.
      await ctx.threads?.subscribe(f.thread.id);
    })(forkThread(ctx.ports, forkRequestOf(p))),
  ),
);
