/**
 * The Codex releases whose app-server protocol this one speaks, and what changed between them.
 * A difference is declared once, on the entry it touches (`MethodEntry.deltas`: a method added, a
 * param added, a result field added, a rule of its answer changed; `ITEM_DELTAS` in
 * protocol/itemDeltas.ts: an item's field added, reshaped, or read by each version in its own shape); the server and the CLI read the
 * declarations (`spokenAt`, `paramsAt`, `methodAnswerAt`), so no code asks which version it speaks.
 * A new release is one more version here and its deltas beside the entries
 * (`npm run codex:next -- X` prints the schema drift to declare).
 */
export const CODEX_VERSIONS = ['0.169.0', '0.171.0'] as const;

/** A Codex version this protocol speaks. */
export type CodexVersion = (typeof CODEX_VERSIONS)[number];

/** The newest version spoken: a server's default when neither its options nor an upstream say. */
export const NEWEST_CODEX_VERSION: CodexVersion = CODEX_VERSIONS[CODEX_VERSIONS.length - 1]!;

export const isCodexVersion = (v: unknown): v is CodexVersion =>
  typeof v === 'string' && (CODEX_VERSIONS as readonly string[]).includes(v);

/** Whether `version` is `since` or newer (the order is the list's). */
export const atLeast = (version: CodexVersion, since: CodexVersion): boolean =>
  CODEX_VERSIONS.indexOf(version) >= CODEX_VERSIONS.indexOf(since);

/** One difference between two versions, on the entry it touches; `source` names Codex's file (at the version's tag) it follows. */
export type VersionDelta =
  | { readonly kind: 'methodAdded'; readonly since: CodexVersion; readonly source: string }
  | { readonly kind: 'paramAdded'; readonly since: CodexVersion; readonly param: string; readonly source: string }
  | { readonly kind: 'resultFieldAdded'; readonly since: CodexVersion; readonly field: string; readonly source: string }
  /** A rule of the method's answer changed (named by `rule`; the handler asks `ruleChangedAt`). */
  | { readonly kind: 'ruleChanged'; readonly since: CodexVersion; readonly rule: string; readonly source: string };

/**
 * One difference in an item's answer, declared beside the items (protocol/itemDeltas.ts). The
 * engine renders items as the oldest version answers them; a connection at `since` or newer gets
 * the field added (after `after`, with `value`, in Codex's key order) or its value reshaped.
 */
export type ItemDelta =
  | {
      readonly kind: 'itemFieldAdded';
      readonly since: CodexVersion;
      readonly itemType: string;
      readonly field: string;
      readonly after: string;
      readonly value: unknown;
      readonly source: string;
    }
  | {
      readonly kind: 'itemFieldReshaped';
      readonly since: CodexVersion;
      readonly itemType: string;
      readonly field: string;
      /** The field's value as `since` answers it, from the value the versions before it answer (`undefined`: no item). */
      readonly reshape: (value: unknown) => unknown;
      readonly source: string;
    }
  | {
      /**
       * A field the engine renders as the line has it, which each side of `since` reads in its own
       * shape: `before` for the older versions, `at` for `since` and newer. Either answers
       * `undefined` where that version has no item (its serde drops the line), so an item can be
       * present for one version and absent for another, or `FIELD_ABSENT` where it has no such field.
       */
      readonly kind: 'itemFieldRead';
      readonly since: CodexVersion;
      readonly itemType: string;
      readonly field: string;
      readonly before: (value: unknown) => unknown;
      readonly at: (value: unknown) => unknown;
      /** The side whose reader may find no item (`undefined`), so that pages and summaries count only the items that side has. */
      readonly noItem?: 'before' | 'at';
      readonly source: string;
    };

/** What a read field's reader answers where that version has no such field (its serde skips it). */
export const FIELD_ABSENT: unique symbol = Symbol('field absent');

/**
 * A delta as one version applies it: a field added, or a value reshaped (`undefined`: no item;
 * `FIELD_ABSENT`: no field), a null value too when `evenNull` (a read field's).
 */
export type AppliedItemDelta =
  | Extract<ItemDelta, { kind: 'itemFieldAdded' }>
  | {
      readonly kind: 'itemFieldReshaped';
      readonly itemType: string;
      readonly field: string;
      readonly reshape: (value: unknown) => unknown;
      readonly evenNull: boolean;
      /** Whether `reshape` may answer `undefined` (no item). */
      readonly dropsItem: boolean;
    };

/**
 * The item deltas a connection speaking `version` applies: the added and reshaped fields of its
 * version and older ones (none for the oldest version), and each read field on its side.
 */
export const itemDeltasAt = (
  deltas: ReadonlyArray<ItemDelta>,
  version: CodexVersion,
): ReadonlyArray<AppliedItemDelta> =>
  deltas.flatMap((d): AppliedItemDelta[] => {
    if (d.kind === 'itemFieldAdded') return atLeast(version, d.since) ? [d] : [];
    if (d.kind === 'itemFieldReshaped')
      return atLeast(version, d.since) ? [{ ...d, evenNull: false, dropsItem: true }] : [];
    const side = atLeast(version, d.since) ? 'at' : 'before';
    const reshape = d[side];
    // A null is read too where the reader changes it (a field the version has not).
    return [
      {
        kind: 'itemFieldReshaped',
        itemType: d.itemType,
        field: d.field,
        reshape,
        evenNull: reshape(null) !== null,
        dropsItem: d.noItem === side,
      },
    ];
  });

/** What carries deltas: a method's entry. */
export interface Versioned {
  readonly deltas?: ReadonlyArray<VersionDelta>;
}

/** Whether a connection speaking `version` has this method (one added later is unknown to it, as it is to that Codex). */
export const spokenAt = (entry: Versioned, version: CodexVersion): boolean =>
  (entry.deltas ?? []).every((d) => d.kind !== 'methodAdded' || atLeast(version, d.since));

/** The params `params` sets (present, not undefined) that a connection speaking `version` does not know: added after its version. */
export const unspokenParams = (entry: Versioned, version: CodexVersion, params: unknown): string[] => {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return [];
  const given = params as Record<string, unknown>;
  return (entry.deltas ?? []).flatMap((d) =>
    d.kind === 'paramAdded' && !atLeast(version, d.since) && given[d.param] !== undefined ? [d.param] : [],
  );
};

/** Whether a connection speaking `version` gets the method's answer by the changed `rule` (declared as a `ruleChanged` delta), else by the one before. */
export const ruleChangedAt = (entry: Versioned, rule: string, version: CodexVersion): boolean =>
  (entry.deltas ?? []).some((d) => d.kind === 'ruleChanged' && d.rule === rule && atLeast(version, d.since));

/**
 * The params as a connection speaking `version` means them: a param added after its version is
 * dropped, as that Codex's serde ignores a field it does not know (so a 0.169 client's stray
 * `includedThreadIds` filters nothing, as 0.169.0 answers).
 */
export const paramsAt = (entry: Versioned, version: CodexVersion, params: unknown): unknown => {
  const unspoken = unspokenParams(entry, version, params);
  if (unspoken.length === 0) return params;
  const kept: Record<string, unknown> = { ...(params as Record<string, unknown>) };
  for (const p of unspoken) delete kept[p];
  return kept;
};

/**
 * The result as a connection speaking `version` gets it: a result field added after its version
 * is left out, as that Codex has no such field. The one place a result is shaped for a version:
 * `serve` answers through it, and so does the CLI's `--json` (`--codex-version`).
 */
export const resultAt = (entry: Versioned, version: CodexVersion, result: unknown): unknown => {
  const unspoken = (entry.deltas ?? []).flatMap((d) =>
    d.kind === 'resultFieldAdded' && !atLeast(version, d.since) ? [d.field] : [],
  );
  if (unspoken.length === 0 || typeof result !== 'object' || result === null || Array.isArray(result)) return result;
  const kept: Record<string, unknown> = { ...(result as Record<string, unknown>) };
  for (const f of unspoken) delete kept[f];
  return kept;
};

/**
 * Codex's own clients, whose `clientInfo.version` is Codex's: the TUI sends its crate's version
 * (codex-rs/tui/src/app_server_session.rs, `env!("CARGO_PKG_VERSION")`). Other clients' version is
 * their own (an IDE extension's, ours), so they speak the server's.
 */
const CODEX_CLIENTS: ReadonlySet<string> = new Set(['codex-tui']);

/**
 * The version a connection speaks: a Codex client's declared version when we speak it, else the
 * server's. `clientInfo` is the `initialize` params' (undecoded parts are ignored).
 */
export const connectionVersion = (serverVersion: CodexVersion, clientInfo: unknown): CodexVersion => {
  if (typeof clientInfo !== 'object' || clientInfo === null) return serverVersion;
  const { name, version } = clientInfo as { name?: unknown; version?: unknown };
  return typeof name === 'string' && CODEX_CLIENTS.has(name) && isCodexVersion(version) ? version : serverVersion;
};

/**
 * The version in a Codex `initialize` answer's user agent (`<originator>/<version> (<os>…`), when
 * we speak it: the version a server speaks with that Codex as its upstream.
 */
export const versionOfUserAgent = (userAgent: unknown): CodexVersion | undefined => {
  if (typeof userAgent !== 'string') return undefined;
  const m = /^[^/\s]+\/(\d+\.\d+\.\d+)/.exec(userAgent);
  return m !== null && isCodexVersion(m[1]) ? m[1] : undefined;
};

/**
 * The version a server speaks when nothing upstream says: `--codex-version`, else
 * `ROLLOUT_ENGINE_CODEX_VERSION`, else the newest. A version we do not speak is refused by name.
 */
export const serverVersionOf = (
  option: string | undefined,
  env: string | undefined,
): { readonly version: CodexVersion } | { readonly refused: string } => {
  const asked = option ?? (env === undefined || env === '' ? undefined : env);
  if (asked === undefined) return { version: NEWEST_CODEX_VERSION };
  return isCodexVersion(asked)
    ? { version: asked }
    : { refused: `Codex ${asked} is not a version this engine speaks (${CODEX_VERSIONS.join(', ')})` };
};
