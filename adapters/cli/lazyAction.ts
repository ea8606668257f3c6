/**
 * A command's action, loaded when it runs: registering a command costs its options only, so
 * `--help` and every other command never load its code (the io-ts, fp-ts and lmdb graphs: each
 * module is a file read and a compile, and Node 20 keeps no compile cache).
 */
export const lazyAction =
  <Args extends unknown[]>(load: () => Promise<{ readonly action: (...args: Args) => unknown }>) =>
  async (...args: Args): Promise<void> => {
    await (await load()).action(...args);
  };
