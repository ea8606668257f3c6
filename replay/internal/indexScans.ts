import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { PluginObservation } from '../../domain/plugins/rolloutObservations.js';
import type { StoredResponse } from '../../domain/tokens/selectResponses.js';
import type { ToolItemRow } from '../../domain/analytics/toolItems.js';

/** Every response the index's token audit holds (one range scan of `tokenAudit`). */
export const storedResponses = (store: IndexStore): TE.TaskEither<EngineError, ReadonlyArray<StoredResponse>> =>
  pipe(
    store.range('tokenAudit', []),
    TE.map((rows) => rows.map((r) => ({ rolloutId: r.key[0], line: r.key[1], response: r.value }))),
  );

export interface PlacedObservation {
  readonly rolloutId: string;
  readonly line: number;
  readonly seq: number;
  readonly observation: PluginObservation;
}

/** Plugin facts of every indexed rollout (used / enabled / disabled) with their lines, in index order. */
export const pluginObservations = (store: IndexStore): TE.TaskEither<EngineError, ReadonlyArray<PlacedObservation>> =>
  pipe(
    store.range('pluginEvents', []),
    TE.map((rows) => rows.map((r) => ({ rolloutId: r.key[0], line: r.key[1], seq: r.key[2], observation: r.value }))),
  );

/** Tool items of every indexed rollout with their lines, in index order. */
export const toolItemRows = (
  store: IndexStore,
): TE.TaskEither<
  EngineError,
  ReadonlyArray<{ readonly rolloutId: string; readonly line: number; readonly row: ToolItemRow }>
> =>
  pipe(
    store.range('toolItems', []),
    TE.map((rows) => rows.map((r) => ({ rolloutId: r.key[0], line: r.key[1], row: r.value }))),
  );
