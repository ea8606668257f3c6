/**
 * How many differences `verify` lists without `--all` (every one is counted): the command's help
 * says it and its action keeps them (a module of its own, which both import: the command loads its
 * action lazily, and the action may not import the command back).
 */
export const LISTED_DIFFERENCES = 20;
