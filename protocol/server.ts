import * as t from 'io-ts';
import { optional } from './jsonRpc.js';
import { method, unscoped } from './methodEntry.js';

const ClientInfo = t.intersection([
  t.type({ name: t.string }),
  t.partial({ title: optional(t.string), version: optional(t.string) }),
]);

export const InitializeParams = optional(
  t.partial({
    clientInfo: optional(ClientInfo),
    capabilities: optional(
      t.intersection([
        t.UnknownRecord,
        t.partial({ experimentalApi: optional(t.boolean), optOutNotificationMethods: optional(t.array(t.string)) }),
      ]),
    ),
  }),
);

/**
 * What a server keeps of a client's `initialize`: whether it takes experimental methods, and the
 * notifications it opted out of (`optOutNotificationMethods`: exact method names, as Codex matches them).
 */
export const clientCapabilitiesOf = (
  params: unknown,
): { readonly experimentalApi: boolean; readonly optedOut: ReadonlySet<string> } => {
  const capabilities = InitializeParams.is(params) ? params?.capabilities : undefined;
  return {
    experimentalApi: capabilities?.experimentalApi === true,
    optedOut: new Set(capabilities?.optOutNotificationMethods ?? []),
  };
};

/** What `initialize` answers, in the shape Codex answers it. */
export interface InitializeResult {
  readonly userAgent: string;
  readonly codexHome: string;
  readonly platformFamily: string;
  readonly platformOs: string;
}

/** `initialize`: who we are and which home we serve; it needs no home, so it waits for nothing. */
export const initializeMethod = method<InitializeResult>()({
  name: 'initialize',
  params: InitializeParams,
  scope: unscoped,
});

/** `server/diagnostics` takes an object with nothing in it (Codex's `ServerDiagnosticsParams`). */
export const ServerDiagnosticsParams = t.UnknownRecord;

/** What `server/diagnostics` answers (Codex's `ServerDiagnosticsResponse`). */
export interface ServerDiagnosticsResult {
  /** The process: its id, its resident memory, its physical footprint (Codex reports it on macOS only; null elsewhere). */
  readonly process: {
    readonly id: number;
    readonly residentMemoryBytes: number | null;
    readonly physicalFootprintBytes: number | null;
  };
  readonly gauges: ReadonlyArray<{ readonly name: string; readonly value: number }>;
}

/** `server/diagnostics` (experimental in Codex 0.169.0): the process and named gauges. */
export const serverDiagnosticsMethod = method<ServerDiagnosticsResult>()({
  name: 'server/diagnostics',
  params: ServerDiagnosticsParams,
  scope: unscoped,
  experimental: true,
});
