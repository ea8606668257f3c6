/**
 * The reader thread of a lean token pass (see tokenReaderThread.ts): reads the files it is given
 * one after the other with `TokenLines`, and posts each read's lines (their fields read from the
 * bytes), where it ended and the checkpoint bytes' hash there, pausing while `aheadBytes` of file
 * are read but not yet taken.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ScanStartError } from '../lines/lineScanner.js';
import { errnoCode } from '../../fs/fsError.js';
import type { LineIn } from '../../../../projections/runner.js';
import { TokenLineBuffer, TokenLines } from '../readers/tokenLines.js';
import { packTokenLines } from './packedTokenLines.js';
import type { FromTokenReadWorker, TokenReadFailure, TokenReadWorkerData, ToTokenReadWorker } from './tokenReaderThread.js';
import type { TokenFileToRead } from '../readers/tokenLines.js';

const { aheadBytes } = workerData as TokenReadWorkerData;
const post = (m: FromTokenReadWorker): void => parentPort!.postMessage(m);
const buffer = new TokenLineBuffer();

let files: ReadonlyArray<TokenFileToRead> = [];
const cancelled = new Set<number>();
/** The file being read (its index), and its tail once opened. */
let at = 0;
let open: TokenLines | undefined;
let ahead = 0;
let closing = false;
let finished = false;

const failureOf = (err: unknown): TokenReadFailure =>
  err instanceof ScanStartError ? { kind: 'engine', error: err.error } : { kind: 'os', message: err instanceof Error ? err.message : String(err), code: errnoCode(err) };

const closeOpen = (): void => {
  try {
    open?.close();
  } catch {
    // read-only descriptor: nothing is lost
  }
  open = undefined;
  at += 1;
};

/** Read on while there is room ahead; then wait for the next message. */
const pump = (): void => {
  while (!closing && at < files.length && ahead < aheadBytes) {
    if (cancelled.has(at)) {
      closeOpen();
      continue;
    }
    const f = files[at]!;
    try {
      open ??= new TokenLines(f.path, f.from, buffer, true, f.root);
      const lines: LineIn[] = [];
      const before = open.end.byteOffset;
      const more = open.next((l) => lines.push(l));
      const end = open.end;
      const bytes = end.byteOffset - before;
      ahead += bytes;
      post({ kind: 'read', id: at, lines: packTokenLines(lines), end, tail: open.tailAt(end), bytes, done: !more });
      if (!more) closeOpen();
    } catch (err) {
      post({ kind: 'failed', id: at, failure: failureOf(err) });
      closeOpen();
    }
  }
  if (!closing && at >= files.length && !finished) {
    finished = true;
    post({ kind: 'finished' });
  }
  if (closing) {
    if (open !== undefined) closeOpen();
    parentPort!.close();
  }
};

parentPort!.on('message', (m: ToTokenReadWorker) => {
  switch (m.kind) {
    case 'files':
      files = m.files;
      break;
    case 'cancel':
      cancelled.add(m.id);
      if (m.id === at && open !== undefined) closeOpen();
      break;
    case 'taken':
      ahead -= m.bytes;
      break;
    case 'close':
      closing = true;
      break;
  }
  pump();
});
