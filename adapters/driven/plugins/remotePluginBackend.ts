import { STATUS_CODES } from 'node:http';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import type { EngineError } from '../../../domain/errors.js';
import { stop, take, takeNow, useCase } from '../../../domain/effect.js';
import { decodeError, ioError, rejected } from '../../../domain/errors.js';
import { renderDecodeErrors } from '../../../domain/decodeErrors.js';
import type { RemoteInstalledPlugin, RemotePluginBackend } from '../../../domain/plugins/ports.js';
import {
  DEFAULT_CHATGPT_BASE_URL,
  RemoteCatalogPage,
  RemoteFeaturedIds,
  RemoteInstalledPage,
  RemotePluginItem,
  RemotePluginMutation,
  remotePluginUrls,
} from '../../../domain/plugins/remoteCatalog.js';
import type { RemoteCatalog } from '../../../domain/plugins/remoteCatalog.js';
import { errnoCode } from '../fs/fsError.js';
import { readCodexConfig } from '../fs/codexConfig.js';
import { readTextNoFollow } from '../fs/heldRead.js';
import { parseJson } from '../../../domain/jsonNesting.js';

/** A status as Codex's errors print it (reqwest's `StatusCode`): `404 Not Found`. */
export const statusText = (status: number): string =>
  `${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;

/** Codex's timeout for catalog requests and mutations. */
const CATALOG_TIMEOUT_MS = 30_000;

/** The part of `<home>/auth.json` the backend needs (Codex's `AuthDotJson`): ChatGPT tokens, not an API key. */
const AuthDotJson = t.partial({
  OPENAI_API_KEY: t.union([t.string, t.null]),
  tokens: t.union([
    t.null,
    t.intersection([t.type({ access_token: t.string }), t.partial({ account_id: t.union([t.string, t.null]) })]),
  ]),
});

export interface ChatgptAuth {
  readonly accessToken: string;
  readonly accountId: string | null;
}

/**
 * The ChatGPT login of a home, as Codex requires it for the plugin backend: none (no auth.json,
 * or an API key only) is `Rejected` in Codex's words.
 */
export const readChatgptAuth = (codexHome: string): Promise<E.Either<EngineError, ChatgptAuth>> =>
  useCase(async () => {
    const path = nodePath.join(codexHome, 'auth.json');
    let text: string;
    try {
      // Without following a link: nothing outside the home is read, whatever it holds.
      text = await readTextNoFollow(codexHome, path);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT')
        return stop(rejected('chatgpt authentication required for remote plugin catalog'));
      return stop(ioError(path, 'read auth.json', errnoCode(err) ?? 'EIO', (err as Error).message));
    }
    let json: unknown;
    try {
      json = parseJson(text);
    } catch (err) {
      return stop(decodeError(path, 0, 0, `auth.json is not JSON: ${(err as Error).message}`));
    }
    const auth = takeNow(
      E.mapLeft((errors: t.Errors) => decodeError(path, 0, 0, `auth.json: ${renderDecodeErrors(errors)}`))(
        AuthDotJson.decode(json),
      ),
    );
    const tokens = auth.tokens;
    if (tokens === undefined || tokens === null)
      return stop(
        rejected(
          typeof auth.OPENAI_API_KEY === 'string'
            ? 'chatgpt authentication required for remote plugin catalog; api key auth is not supported'
            : 'chatgpt authentication required for remote plugin catalog',
        ),
      );
    return { accessToken: tokens.access_token, accountId: tokens.account_id ?? null };
  })();

/**
 * The backend base URL: the override (a `--chatgpt-base-url` option) when given, else
 * config.toml's top-level `chatgpt_base_url`, else Codex's default.
 */
export const chatgptBaseUrlOf = (codexHome: string, override?: string): Promise<E.Either<EngineError, string>> =>
  useCase(async () => {
    if (override !== undefined) return override;
    const url = (await take(readCodexConfig(codexHome)))['chatgpt_base_url'];
    return typeof url === 'string' ? url : DEFAULT_CHATGPT_BASE_URL;
  })();

/** A GET or POST answered with JSON of `codec`; failures in Codex's words (`RemotePluginCatalogError`). */
const requestJson = async <A>(
  method: 'GET' | 'POST',
  url: string,
  auth: ChatgptAuth,
  codec: t.Decoder<unknown, A>,
): Promise<E.Either<EngineError, A>> => {
  const headers: Record<string, string> = { authorization: `Bearer ${auth.accessToken}` };
  if (auth.accountId !== null) headers['chatgpt-account-id'] = auth.accountId;
  let status: number;
  let body: string;
  try {
    const res = await fetch(url, { method, headers, signal: AbortSignal.timeout(CATALOG_TIMEOUT_MS) });
    status = res.status;
    body = await res.text().catch(() => '');
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return E.left(
      ioError(
        url,
        `send remote plugin catalog request`,
        cause?.code ?? 'EIO',
        `failed to send remote plugin catalog request to ${url}: ${cause?.message ?? (err as Error).message}`,
      ),
    );
  }
  if (status < 200 || status > 299)
    return E.left(
      rejected(`remote plugin catalog request to ${url} failed with status ${statusText(status)}: ${body}`),
    );
  let json: unknown;
  try {
    json = parseJson(body);
  } catch (err) {
    return E.left(
      decodeError(url, 0, 0, `failed to parse remote plugin catalog response from ${url}: ${(err as Error).message}`),
    );
  }
  const decoded = codec.decode(json);
  return E.isLeft(decoded)
    ? E.left(
        decodeError(
          url,
          0,
          0,
          `failed to parse remote plugin catalog response from ${url}: ${renderDecodeErrors(decoded.left)}`,
        ),
      )
    : decoded;
};

/** An install or uninstall POST: the backend must answer the plugin's id, in the state asked for. */
const mutation = (
  auth: ChatgptAuth,
  url: string,
  remotePluginId: string,
  enabled: boolean,
): TE.TaskEither<EngineError, void> =>
  useCase(async () => {
    const r = await take(requestJson('POST', url, auth, RemotePluginMutation));
    if (r.id !== remotePluginId)
      return stop(
        rejected(
          `remote plugin mutation returned unexpected plugin id: expected \`${remotePluginId}\`, got \`${r.id}\``,
        ),
      );
    if (r.enabled !== enabled)
      return stop(
        rejected(
          `remote plugin mutation returned unexpected enabled state for \`${remotePluginId}\`: expected ${enabled}, got ${r.enabled}`,
        ),
      );
  });

/** The plugin backend over HTTP at `chatgptBaseUrl`, with the home's ChatGPT tokens. */
export const httpRemotePluginBackend = (chatgptBaseUrl: string, auth: ChatgptAuth): RemotePluginBackend => ({
  chatgptBaseUrl,
  installedPlugins: (includeDownloadUrls, scope) =>
    useCase(async () => {
      const all: RemoteInstalledPlugin[] = [];
      for (let token: string | null = null, first = true; first || token !== null; first = false) {
        const page: RemoteInstalledPage = await take(
          requestJson(
            'GET',
            remotePluginUrls.installed(chatgptBaseUrl, includeDownloadUrls, token, scope),
            auth,
            RemoteInstalledPage,
          ),
        );
        all.push(...page.plugins);
        token = page.pagination.next_page_token ?? null;
      }
      return all;
    }),
  catalog: (catalog: RemoteCatalog) =>
    useCase(async () => {
      const all: RemotePluginItem[] = [];
      for (let token: string | null = null, first = true; first || token !== null; first = false) {
        const source = catalog.source;
        const url: string =
          source.kind === 'shared'
            ? remotePluginUrls.shared(chatgptBaseUrl, token)
            : remotePluginUrls.catalog(chatgptBaseUrl, source.scope, source.collection, token);
        const page: RemoteCatalogPage = await take(requestJson('GET', url, auth, RemoteCatalogPage));
        all.push(...page.plugins);
        token = page.pagination.next_page_token ?? null;
      }
      return all;
    }),
  featured: () => () => requestJson('GET', remotePluginUrls.featured(chatgptBaseUrl), auth, RemoteFeaturedIds),
  pluginDetail: (remotePluginId, includeDownloadUrls) => () =>
    requestJson(
      'GET',
      remotePluginUrls.detail(chatgptBaseUrl, encodeURIComponent(remotePluginId), includeDownloadUrls),
      auth,
      RemotePluginItem,
    ),
  install: (remotePluginId) =>
    mutation(auth, remotePluginUrls.install(chatgptBaseUrl, encodeURIComponent(remotePluginId)), remotePluginId, true),
  uninstall: (remotePluginId) =>
    mutation(
      auth,
      remotePluginUrls.uninstall(chatgptBaseUrl, encodeURIComponent(remotePluginId)),
      remotePluginId,
      false,
    ),
});
