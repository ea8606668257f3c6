/**
 * The Node flags the CLI runs with: its shebang line (main.ts) passes them, and the index bench
 * runs its phases with them, so it measures what the CLI does.
 *
 * A 4 MB semi-space: a cold index build keeps about 13 MB live, but V8 grows the young
 * generation to 16 MB semi-spaces of garbage under its allocation rate, which was a fifth of the
 * build's peak RSS. The smaller young generation costs a few percent more scavenging.
 */
export const CLI_NODE_FLAGS: ReadonlyArray<string> = ['--max-semi-space-size=4'];

/** The shebang that passes them (`env -S` splits the flags from the interpreter's name). */
export const CLI_SHEBANG = `#!/usr/bin/env -S node ${CLI_NODE_FLAGS.join(' ')}`;
