/** Where an event sits in a logical history: which rollout file, which line, which bytes. */
export interface EventPosition {
  /** Rollout id of the file holding the line (thread id, fork id or revision id). */
  readonly rolloutId: string;
  /** 0-based line index in that file. */
  readonly line: number;
  readonly byteOffset: number;
  readonly byteLength: number;
  /** Paginated `ordinal` of the line (undefined in legacy mode). */
  readonly ordinal: number | undefined;
  /** 0-based index in the logical history (base lines first). Orders everything. */
  readonly seq: number;
}
