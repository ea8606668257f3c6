/**
 * The Node flags the CLI runs with: its shebang line (main.ts) passes them, and the benches run
 * their phases with them (and `CLI_NODE_ENV`), so they measure what the CLI does.
 *
 * A 4 MB semi-space: a cold index build keeps about 13 MB live, but V8 grows the young
 * generation to 16 MB semi-spaces of garbage under its allocation rate, which was a fifth of the
 * build's peak RSS. The smaller young generation costs a few percent more scavenging.
 *
 * An old generation that grows to 3× what a full collection left: a build keeps 15–20 MB live in
 * it, but V8's own growth let promoted garbage reach 120–130 MB before collecting in about two runs
 * of five, and a real-shaped 300 MB build then peaked at 245–280 MB RSS (190–200 MB otherwise).
 * With it: 175–184 MB in every run, at the same speed (2× was 159–168 MB and a few percent slower).
 */
export const CLI_NODE_FLAGS: ReadonlyArray<string> = ['--max-semi-space-size=4', '--heap-growing-percent=200'];

/**
 * The environment the CLI runs with, on top of the caller's: one malloc arena. glibc gives each
 * thread that mallocs (V8's GC and compiler helpers, libuv's pool) an arena of its own; with one,
 * the same builds peaked 5–10 MB lower. Other C libraries ignore it.
 */
export const CLI_NODE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

/** The caller's environment with the CLI's (what a process spawned as the CLI runs gets). */
export const cliNodeEnv = (base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({ ...base, ...CLI_NODE_ENV });

/** The shebang that passes both (`env -S` splits the assignments and flags from the interpreter's name). */
export const CLI_SHEBANG = `#!/usr/bin/env -S ${Object.entries(CLI_NODE_ENV)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ')} node ${CLI_NODE_FLAGS.join(' ')}`;
