import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import * as E from 'fp-ts/lib/Either.js';
import { renderError } from '../../../domain/errors.js';
import type { GateVerdict, Lease } from '../../../indexer/open/backfillGate.js';
import { leaseHolder } from '../../../indexer/open/backfillGate.js';
import type { Progress } from '../../../indexer/catchUp/catchUp.js';
import type { IndexStatus, IndexWork } from '../../../indexer/open/indexStatus.js';
import { terminalLines } from './terminalText.js';
import { catchUpHeap } from './catchUpHeap.js';

const MB = 1024 * 1024;

/** Work that reads this much is said at once: at a disk's read rate it takes a good part of a second, more on a cold disk. */
export const SAY_AT_ONCE_BYTES = 32 * MB;
/** Any other step is said once it has taken this long. */
export const SAY_AFTER_MS = 1000;

export interface Bar {
  readonly update: (p: Progress) => void;
  readonly stop: () => void;
}

/** cli-progress (about 40 files with its dependencies), loaded when a bar is shown: a run that shows none does not pay for it. */
const loadCliProgress = (): typeof CliProgress => createRequire(import.meta.url)('cli-progress') as typeof CliProgress;

/** A progress bar on a TTY (stderr): files, MB, MB/s, ETA. Off the TTY it is a no-op, so piped output and `--json` stay clean. */
export const progressBar = (
  enabled: boolean,
  label = 'indexing',
  stream: NodeJS.WritableStream = process.stderr,
): Bar => {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const cliProgress = loadCliProgress();
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {percentage}% | {files}/{filesTotal} files | {mb}/{mbTotal} MB | {mbps} MB/s | ETA {eta_formatted}`,
      stream,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const t0 = Date.now();
  let started = false;
  return {
    update: (p: Progress) => {
      const payload = {
        files: p.filesDone,
        filesTotal: p.filesTotal,
        mb: (p.bytesDone / MB).toFixed(1),
        mbTotal: (p.bytesTotal / MB).toFixed(1),
        mbps: (p.bytesDone / MB / Math.max(0.001, (Date.now() - t0) / 1000)).toFixed(1),
      };
      if (!started) {
        bar.start(Math.max(1, p.bytesTotal), p.bytesDone, payload);
        started = true;
      } else bar.update(p.bytesDone, payload);
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
};

/** How a step is told: what it is doing (a clause), its line when done, and what an interrupt leaves behind. */
export interface StepText {
  readonly doing: string;
  /** `doing` without its totals, for the interrupt message (which says how far it got); default `doing`. */
  readonly brief?: string;
  readonly done: (ms: number, progress: Progress | undefined) => string;
  readonly ifInterrupted: string;
}

const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;
const files = (n: number): string => `${n} file${n === 1 ? '' : 's'}`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** A step's text: `doing` while it runs, `<did> in N s` when done, and what an interrupt leaves behind. */
export const stepText = (doing: string, did: string, ifInterrupted: string): StepText => ({
  doing,
  done: (ms) => `${did} in ${secs(ms)}`,
  ifInterrupted,
});

/** What an interrupted catch-up leaves: every transaction commits rows and checkpoints together. */
export const KEPT = 'the index keeps what was committed; the next run continues from there';

const BAR_LABEL: Readonly<Record<IndexWork, string>> = {
  build: 'indexing',
  rebuild: 'rebuilding',
  catchUp: 'catching up',
};

export const indexingText = (work: IndexWork, home: string, p: Progress): StepText => {
  const done = (ms: number, q: Progress | undefined) =>
    `${files(q?.filesTotal ?? p.filesTotal)}, ${mb(q?.bytesDone ?? 0)} read in ${secs(ms)}`;
  switch (work) {
    case 'build': {
      const brief = `indexing ${home}`;
      return {
        doing: `${brief} (${files(p.filesTotal)}, ${mb(p.bytesTotal)})`,
        brief,
        done: (ms, q) => `indexed ${done(ms, q)}`,
        ifInterrupted: KEPT,
      };
    }
    case 'rebuild': {
      const brief = `rebuilding the index of ${home}`;
      return {
        doing: `${brief} (${files(p.filesTotal)}, ${mb(p.bytesTotal)})`,
        brief,
        done: (ms, q) => `rebuilt: ${done(ms, q)}`,
        ifInterrupted: KEPT,
      };
    }
    case 'catchUp': {
      const brief = `catching up the index of ${home}`;
      return {
        doing: `${brief} (${mb(p.bytesTotal)} of new lines, ${files(p.filesTotal)})`,
        brief,
        done: (ms, q) => `caught up: ${done(ms, q)}`,
        ifInterrupted: KEPT,
      };
    }
  }
};

/** `pid 123 on host` from a lease, as its owner says (`host:pid:nonce`). */
export const holderText = (holder: Lease | undefined): string => {
  if (holder === undefined) return 'its lease just ended';
  const h = leaseHolder(holder.owner);
  return h === null ? holder.owner : `pid ${h.pid} on ${h.host}`;
};

export const waitingText = (home: string, holder: Lease | undefined, waitMs: number): StepText => ({
  doing: `waiting for another rollout-engine (${holderText(holder)}) to finish indexing ${home}, up to ${Math.round(waitMs / 100) / 10} s`,
  done: () => 'the other rollout-engine finished indexing',
  ifInterrupted: 'nothing was changed',
});

const waitedText = (verdict: GateVerdict, waitMs: number): string =>
  verdict === 'index'
    ? 'the other rollout-engine finished indexing; answering from the index'
    : `the other rollout-engine is still indexing after ${secs(waitMs)}; answering from the rollout files meanwhile (slower)`;

export interface FeedbackOptions {
  /** Writes to stderr. */
  readonly write: (text: string) => void;
  /** Draw progress bars (stderr is a terminal): the bar's stream. */
  readonly terminal: NodeJS.WritableStream | null;
  readonly now?: () => number;
  readonly after?: (ms: number, f: () => void) => () => void;
}

interface Step {
  readonly kind: 'indexing' | 'waiting' | 'other';
  readonly text: StepText;
  readonly t0: number;
  readonly barLabel: string | null;
  said: boolean;
  cancelTimer: () => void;
  bar: Bar | null;
  progress: Progress | undefined;
}

/**
 * The CLI's feedback on long work, on stderr: a step (an index build or catch-up, a wait for
 * another process's build, verify, repair, a report) is said when it starts if it is known to be
 * long (`SAY_AT_ONCE_BYTES` to read, a wait), else once it has taken `SAY_AFTER_MS`; then its
 * done line. On a terminal a catch-up draws a progress bar between the two; elsewhere it is one
 * plain line each. `--quiet` silences it. On SIGINT, `interrupted` says what was cut short.
 * long: a port's factory: the methods it returns share its closure's state
 */
export const createFeedback = (o: FeedbackOptions) => {
  const now = o.now ?? Date.now;
  const after =
    o.after ??
    ((ms: number, f: () => void) => {
      const t = setTimeout(f, ms);
      t.unref();
      return () => clearTimeout(t);
    });
  let quiet = false;
  let saidAny = false;
  let current: Step | undefined;

  const line = (s: string): void => {
    if (quiet) return;
    saidAny = true;
    o.write(`${terminalLines(`rollout-engine: ${s}`)}\n`);
  };
  const say = (step: Step): void => {
    if (step.said) return;
    step.said = true;
    step.cancelTimer();
    line(`${step.text.doing}…`);
    if (!quiet && o.terminal !== null && step.barLabel !== null && step.progress !== undefined) {
      step.bar = progressBar(true, step.barLabel, o.terminal);
      step.bar.update(step.progress);
    }
  };
  const end = (step: Step | undefined, ok: boolean): void => {
    if (step === undefined) return;
    step.cancelTimer();
    step.bar?.stop();
    step.bar = null;
    if (current === step) current = undefined;
    if (ok && step.said) line(step.text.done(now() - step.t0, step.progress));
  };
  const begin = (
    kind: Step['kind'],
    text: StepText,
    atOnce: boolean,
    progress?: Progress,
    barLabel: string | null = null,
  ): Step => {
    // A step left open (its work failed, or `serve` overlapped two) gives way silently.
    end(current, false);
    const step: Step = {
      kind,
      text,
      t0: now(),
      barLabel,
      said: false,
      cancelTimer: () => undefined,
      bar: null,
      progress,
    };
    current = step;
    if (atOnce) say(step);
    else step.cancelTimer = after(SAY_AFTER_MS, () => current === step && say(step));
    return step;
  };

  return {
    /** For `openCodexHome` / `indexHome`: catch-up progress and waits for another process's build. */
    onStatus: (s: IndexStatus): void => {
      switch (s.kind) {
        case 'indexing': {
          const p = s.progress;
          // Nothing to draw until the plan knows what is to be read.
          if (p.stage === 'probing') return;
          if (p.stage === 'planned') {
            if (p.bytesTotal > 0)
              begin(
                'indexing',
                indexingText(s.work, s.home, p),
                p.bytesTotal >= SAY_AT_ONCE_BYTES,
                p,
                BAR_LABEL[s.work],
              );
            return;
          }
          if (current?.kind !== 'indexing') return;
          current.progress = p;
          if (p.stage === 'done') end(current, true);
          // Ended short of done: the bar goes, with no done line (the failure is told by whoever ran it).
          else if (p.stage === 'stopped') end(current, false);
          else current.bar?.update(p);
          return;
        }
        case 'waiting':
          begin('waiting', waitingText(s.home, s.holder, s.waitMs), true);
          return;
        case 'threadIndexed': {
          const t = s.indexed;
          const rest =
            s.rest === 'behind'
              ? `the rest of ${s.home} is being indexed`
              : `the rest of ${s.home} is indexed when a command needs it (rollout-engine index does it now)`;
          line(
            `indexed thread ${t.threadId} only (${files(t.files)}, ${mb(t.bytes)} in ${secs(t.seconds * 1000)}); ${rest}`,
          );
          return;
        }
        case 'waitingForIndexLock':
          line(
            `waiting for another rollout-engine, which holds ${s.lockPath} while it rebuilds or swaps the index of ${s.home} (up to ${Math.round(s.waitMs / 60_000)} min)`,
          );
          return;
        case 'threadStateUnreadable':
          line(`${renderError(s.error)}; answering without the read receipts and stored git info it keeps`);
          return;
        case 'backfillFailed':
          line(`indexing ${s.home} stopped: ${renderError(s.error)}; threads are indexed as they are asked for`);
          return;
        case 'waited': {
          const step = current;
          if (step?.kind !== 'waiting') return;
          end(step, false);
          if (step.said) line(waitedText(s.verdict, now() - step.t0));
          return;
        }
      }
    },
    /** Run `work` as a step told by `text` (said if it takes longer than `SAY_AFTER_MS`; its done line only if it succeeded). */
    during: async <L, A>(text: StepText, work: () => Promise<E.Either<L, A>>): Promise<E.Either<L, A>> => {
      const step = begin('other', text, false);
      let ok = false;
      try {
        const r = await work();
        ok = E.isRight(r);
        return r;
      } finally {
        end(step, ok);
      }
    },
    /** A line said on a terminal, or when something was said before it (`serve`'s ready line after a long start). */
    ready: (s: string): void => {
      if (o.terminal !== null || saidAny) line(s);
    },
    /** Ends a step left open without its done line (before an error is printed, at exit). */
    settle: (): void => end(current, false),
    /** The message for SIGINT: what was interrupted and what that leaves; null when no step is running. Stops a bar first. */
    interrupted: (): string | null => {
      const step = current;
      if (step === undefined) return null;
      end(step, false);
      const p = step.progress;
      const at =
        p === undefined ? '' : ` at ${p.filesDone}/${p.filesTotal} files (${mb(p.bytesDone)} of ${mb(p.bytesTotal)})`;
      const left = step.text.ifInterrupted;
      return `${terminalLines(`rollout-engine: interrupted while ${step.text.brief ?? step.text.doing}${at}. ${left.charAt(0).toUpperCase()}${left.slice(1)}.`)}\n`;
    },
    setQuiet: (q: boolean): void => {
      quiet = q;
    },
  };
};

export type Feedback = ReturnType<typeof createFeedback>;

const stderrFeedback = createFeedback({
  write: (text) => void process.stderr.write(text),
  terminal: process.stderr.isTTY === true ? process.stderr : null,
});
const heapOfCatchUps = catchUpHeap();

/**
 * The CLI process's feedback: stderr, with bars when it is a terminal (`main.ts` sets `--quiet` and
 * handles SIGINT). Its statuses also bound the heap while a catch-up runs (catchUpHeap.ts).
 */
export const cliFeedback: Feedback = {
  ...stderrFeedback,
  onStatus: (s) => {
    heapOfCatchUps(s);
    stderrFeedback.onStatus(s);
  },
};
