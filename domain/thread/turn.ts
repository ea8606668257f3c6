import type { ThreadItem } from './threadItem.js';

export type TurnStatus = 'completed' | 'failed' | 'interrupted' | 'inProgress';
export type ItemsView = 'notLoaded' | 'summary' | 'full';

export interface TurnError {
  message: string;
  codexErrorInfo: unknown;
  additionalDetails: unknown;
  misalignment: unknown;
}

/** Turn as the app-server v2 protocol returns it. */
export interface Turn {
  id: string;
  rootTurnId: string | null;
  items: ThreadItem[];
  itemsView: ItemsView;
  status: TurnStatus;
  error: TurnError | null;
  startedAt: number | null;
  completedAt: number | null;
  durationMs: number | null;
}

/**
 * Turns as their JSON text, written as they are: one turn (its items spliced in as text already
 * written: a stored rendering, or the text just made to store), or several, comma-separated, as
 * a stored rendering of a whole segment holds them. A transport writes `json` where the turns go
 * in an array; `turnValues` gives them back as values.
 */
export class RenderedTurns {
  constructor(readonly json: string) {}

  /** Not one JSON value (several turns are a list's elements): written by the transports, read with `turnValues`. */
  toJSON(): never {
    throw new TypeError('RenderedTurns are array elements: write `json` in place, or read them with `turnValues`');
  }

  /**
   * One turn (its fields in the protocol's order: id, rootTurnId, items, …) with `items`, the JSON
   * text of its items array, in place of its own: the text `JSON.stringify` gives for the turn.
   */
  static of(turn: Turn, items: string): RenderedTurns {
    const { id, rootTurnId, items: _omitted, ...rest } = turn;
    const tail = JSON.stringify(rest);
    return new RenderedTurns(
      `{"id":${JSON.stringify(id)},"rootTurnId":${JSON.stringify(rootTurnId)},"items":${items}${tail === '{}' ? '}' : `,${tail.slice(1)}`}`,
    );
  }
}

/** The turns as values, whichever way they came (a rendering is our own text of values already bounded: a plain parse). */
export const turnValues = (t: Turn | RenderedTurns): Turn[] =>
  // eslint-disable-next-line no-restricted-properties
  t instanceof RenderedTurns ? (JSON.parse(`[${t.json}]`) as Turn[]) : [t];
