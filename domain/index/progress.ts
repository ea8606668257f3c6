// Declared here, below both, because the indexer's catch-up and the event store's mirror (adapters/driven/)
// report their reading the same way and the CLI draws one bar for either.
export interface Progress {
  /**
   * `probing`: the files are listed (`filesTotal`), their probes begin; `planned`: the files are
   * probed and what to read is known, nothing read yet; `reading`: a file is done; `done`: the
   * catch-up is complete; `stopped`: it ended short of `done` (failed, or was stopped) and tells
   * nothing more, its counts the last told.
   */
  readonly stage: 'probing' | 'planned' | 'reading' | 'done' | 'stopped';
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}
