/** The Codex version whose behaviour the engine reproduces, recorded as `cli_version` in the threads it creates. */
export const CODEX_CLI_VERSION = '0.169.0';
