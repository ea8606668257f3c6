/**
 * The Node flags the CLI runs with: its shebang line (main.ts) passes them, and the benches run
 * their phases with them (and `CLI_NODE_ENV`), so they measure what the CLI does.
 *
 * A small semi-space: a cold index build keeps little live, but V8 grows the young generation
 * to large semi-spaces of garbage under its allocation rate, a large share of the build's peak
 * RSS. The smaller young generation costs a little more scavenging.
 *
 * An old generation that grows to a bounded multiple of what a full collection left: a build keeps
 * little live in it, but V8's own growth let promoted garbage pile up before collecting in some
 * runs, and the build's peak RSS then varied widely; with the bound it is low in every run, at the
 * same speed (a tighter bound was slower). A catch-up holds a plan of every file of the home: a
 * first `tokens` report lowers the growth to 50% (tokensReport.ts), and every catch-up bounds it
 * by a headroom once the live set is large (catchUpHeap.ts). Measured in the commit that made it.
 */
export const CLI_NODE_FLAGS: ReadonlyArray<string> = ['--max-semi-space-size=4', '--heap-growing-percent=200'];

/**
 * The environment the CLI runs with, on top of the caller's: one malloc arena. glibc gives each
 * thread that mallocs (V8's GC and compiler helpers, libuv's pool) an arena of its own; with one,
 * the same builds peaked lower. Other C libraries ignore it.
 */
export const CLI_NODE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

/** The caller's environment with the CLI's (what a process spawned as the CLI runs gets). */
export const cliNodeEnv = (base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({ ...base, ...CLI_NODE_ENV });

/** The shebang that passes both (`env -S` splits the assignments and flags from the interpreter's name). */
export const CLI_SHEBANG = `#!/usr/bin/env -S ${Object.entries(CLI_NODE_ENV)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ')} node ${CLI_NODE_FLAGS.join(' ')}`;
