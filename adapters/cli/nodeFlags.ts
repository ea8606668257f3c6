/**
 * The Node flags the CLI runs with: its shebang line (main.ts) passes them, and the benches run
 * their phases with them (and `CLI_NODE_ENV`), so they measure what the CLI does.
 *
 * A 4 MB semi-space: a cold index build keeps about 13 MB live, but V8 grows the young
 * generation to 16 MB semi-spaces of garbage under its allocation rate, which was a fifth of the
 * build's peak RSS. The smaller young generation costs a few percent more scavenging.
 */
export const CLI_NODE_FLAGS: ReadonlyArray<string> = ['--max-semi-space-size=4'];

/**
 * The environment the CLI runs with, on top of the caller's: one malloc arena. glibc gives each
 * thread that mallocs (V8's GC and compiler helpers, libuv's pool) an arena of its own, and a cold
 * index build of a real-shaped 300 MB home then peaked at 255–275 MB RSS in about two runs of
 * five (60 MB of native memory held in arenas), 190–200 MB otherwise; with one arena, 191–199 MB
 * in six runs of six at the same speed. Other C libraries ignore it.
 */
export const CLI_NODE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

/** The caller's environment with the CLI's (what a process spawned as the CLI runs gets). */
export const cliNodeEnv = (base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({ ...base, ...CLI_NODE_ENV });

/** The shebang that passes both (`env -S` splits the assignments and flags from the interpreter's name). */
export const CLI_SHEBANG = `#!/usr/bin/env -S ${Object.entries(CLI_NODE_ENV)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ')} node ${CLI_NODE_FLAGS.join(' ')}`;
