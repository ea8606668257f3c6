// Requests ahead of a background backfill (openCodexHome.ts, `backfill: 'background'`).

/**
 * The transactions of a backfill running behind answers: a commit is synchronous, so a request
 * arriving meanwhile waits for it: a build's default batch held requests too long on busy cores.
 */
export const BACKGROUND_BATCH = { batchLines: 4096, batchBytes: 1 << 20 } as const;

/**
 * Requests ahead of a background backfill: `first` runs one while the backfill waits at its next
 * `between` (two chunks or two files); a request that waits for the backfill itself steps aside
 * meanwhile (`stepAside`), or neither would go on.
 */
export const requestsFirst = (): {
  first: <A>(work: () => Promise<A>) => Promise<A>;
  stepAside: <A>(wait: Promise<A>) => Promise<A>;
  between: () => Promise<void>;
} => {
  let running = 0;
  const waiting: Array<() => void> = [];
  const resumeIfIdle = () => {
    if (running <= 0) for (const resume of waiting.splice(0)) resume();
  };
  return {
    first: async (work) => {
      running += 1;
      try {
        return await work();
      } finally {
        running -= 1;
        resumeIfIdle();
      }
    },
    stepAside: async (wait) => {
      running -= 1;
      resumeIfIdle();
      try {
        return await wait;
      } finally {
        running += 1;
      }
    },
    between: () => (running <= 0 ? Promise.resolve() : new Promise<void>((resolve) => void waiting.push(resolve))),
  };
};
