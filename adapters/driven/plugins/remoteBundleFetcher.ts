import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as E from 'fp-ts/lib/Either.js';
import * as tar from 'tar';
import type { EngineError } from '../../../domain/errors.js';
import { corrupt, ioError, rejected } from '../../../domain/errors.js';
import { stop, take, useCase } from '../../../domain/effect.js';
import { PLUGIN_MANIFEST_PATHS } from '../../../domain/plugins/capabilitySummary.js';
import type { RemoteBundleFetcher } from '../../../domain/plugins/ports.js';
import type { RemoteBundle } from '../../../domain/plugins/remoteCatalog.js';
import { REMOTE_GLOBAL_MARKETPLACE_NAME, isAllowedBundleUrl } from '../../../domain/plugins/remoteCatalog.js';
import { errnoCode, toEngineError } from '../fs/fsError.js';
import { manifestTextOf } from './pluginBundle.js';
import { statusText } from './remotePluginBackend.js';
import { ownMadeFolders } from '../fs/ownership.js';
import { parseJson } from '../../../domain/jsonNesting.js';

/**
 * Codex's bounds (`remote_bundle.rs`), and ours on the entry count: a 1.2 MB archive of 200,000
 * empty files passes a byte bound and fills a file system's inodes. Real plugins hold tens to a
 * few hundred files (a manifest, skills, scripts, assets); 10,000 is far above any of them.
 */
export const REMOTE_BUNDLE_LIMITS = {
  downloadTimeoutMs: 60_000,
  maxDownloadBytes: 50 * 1024 * 1024,
  maxExtractedBytes: 250 * 1024 * 1024,
  maxEntries: 10_000,
  errorBodyBytes: 8 * 1024,
};

/** The mode bits an unpacked entry keeps: no setuid, setgid or sticky bit, no group or world write (a plugin is run, never shared to write). */
const BUNDLE_MODE_MASK = 0o755;
/** Where Codex unpacks a bundle before it is installed: inside the home, so the copy into the cache stays on one file system. */
export const REMOTE_PLUGIN_INSTALL_STAGING_DIR = nodePath.join('plugins', '.remote-plugin-install-staging');
/** Codex honours it in debug builds only; we honour it always (documented): bundles over plain http from a loopback host. */
export const ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV = 'CODEX_TEST_ALLOW_HTTP_REMOTE_PLUGIN_BUNDLE_DOWNLOADS';

export const allowsLoopbackHttp = (env: NodeJS.ProcessEnv): boolean => env[ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV] === '1';

/** The body of a successful answer, refused past `max` bytes (announced or read). */
const readBounded = async (res: Response, url: string, max: number): Promise<E.Either<EngineError, Buffer>> => {
  const tooLarge = () =>
    E.left(rejected(`remote plugin bundle download from ${url} exceeded maximum size of ${max} bytes`));
  const announced = Number(res.headers.get('content-length') ?? NaN);
  if (announced > max) return tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  if (res.body !== null) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > max) return tooLarge();
      chunks.push(Buffer.from(chunk));
    }
  }
  return E.right(Buffer.concat(chunks));
};

/** The first 8 KiB of an error answer, marked when cut, as Codex reports it. */
const errorBodyOf = async (res: Response): Promise<string> => {
  const max = REMOTE_BUNDLE_LIMITS.errorBodyBytes;
  const chunks: Buffer[] = [];
  let size = 0;
  let cut = false;
  try {
    for await (const chunk of (res.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
      const part = Buffer.from(chunk).subarray(0, max - size);
      chunks.push(part);
      size += part.length;
      if (part.length < chunk.byteLength) {
        cut = true;
        break; // leaving the loop cancels the rest of the body
      }
    }
  } catch (err) {
    return `${Buffer.concat(chunks).toString('utf8')}\n[failed to read response body: ${(err as Error).message}]`;
  }
  return `${Buffer.concat(chunks).toString('utf8')}${cut ? `\n[response body truncated after ${max} bytes]` : ''}`;
};

const download = async (bundle: RemoteBundle, allowLoopbackHttp: boolean): Promise<E.Either<EngineError, Buffer>> => {
  const url = bundle.downloadUrl;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(REMOTE_BUNDLE_LIMITS.downloadTimeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return E.left(
      ioError(
        url,
        'download remote plugin bundle',
        cause?.code ?? 'EIO',
        `failed to send remote plugin bundle download request to ${url}: ${cause?.message ?? (err as Error).message}`,
      ),
    );
  }
  // A redirect may have been followed: the final URL must pass the same rule.
  if (!isAllowedBundleUrl(new URL(res.url || url), allowLoopbackHttp)) {
    return E.left(rejected(`remote plugin bundle download from ${url} redirected to unsupported URL ${res.url}`));
  }
  if (!res.ok)
    return E.left(
      rejected(
        `remote plugin bundle download from ${res.url || url} failed with status ${statusText(res.status)}: ${await errorBodyOf(res)}`,
      ),
    );
  try {
    return await readBounded(res, url, REMOTE_BUNDLE_LIMITS.maxDownloadBytes);
  } catch (err) {
    return E.left(
      ioError(
        url,
        'download remote plugin bundle',
        'EIO',
        `failed to read remote plugin bundle download response from ${url}: ${(err as Error).message}`,
      ),
    );
  }
};

/**
 * Unpack a .tar.gz into `dir`: only files and folders (no link, device or FIFO), no path out of it
 * (node-tar refuses `..` and, strict, fails on it), at most `limits.maxBytes` in all and
 * `limits.maxEntries` entries — counted in a first pass, so nothing is written for an archive over
 * a bound — each entry's mode cut to `BUNDLE_MODE_MASK` whatever the archive and the umask say.
 */
export const unpackBundle = async (
  bytes: Buffer,
  dir: string,
  limits: { readonly maxBytes: number; readonly maxEntries: number },
): Promise<E.Either<EngineError, void>> => {
  const bad = (reason: string) => E.left(corrupt(dir, 0, reason));
  let total = 0;
  let entries = 0;
  let refused: string | null = null;
  try {
    await pipeline(
      Readable.from([bytes]),
      tar.t({
        strict: true,
        onReadEntry: (e) => {
          total += e.size ?? 0;
          entries += 1;
          if (e.type !== 'File' && e.type !== 'OldFile' && e.type !== 'Directory' && refused === null)
            refused = `${e.type} ${e.path}`;
        },
      }),
    );
  } catch (err) {
    return bad(`failed to read plugin bundle tar: ${(err as Error).message}`);
  }
  if (refused !== null) return bad(`plugin bundle contains an unsupported entry type: ${refused}`);
  if (total > limits.maxBytes)
    return bad(
      `remote plugin bundle extracted size would be ${total} bytes, exceeding the maximum total size of ${limits.maxBytes} bytes`,
    );
  if (entries > limits.maxEntries)
    return bad(`remote plugin bundle holds ${entries} entries, exceeding the maximum of ${limits.maxEntries} entries`);
  try {
    await pipeline(
      Readable.from([bytes]),
      tar.x({
        cwd: dir,
        strict: true,
        preservePaths: false,
        preserveOwner: false,
        // Seen before the entry is written (and chmodded to its mode): the mode is cut here.
        filter: (_path, entry) => {
          if ('mode' in entry && typeof entry.mode === 'number') entry.mode &= BUNDLE_MODE_MASK;
          return true;
        },
      }),
    );
  } catch (err) {
    return bad(`failed to unpack plugin bundle tar: ${(err as Error).message}`);
  }
  return E.right(undefined);
};

/** A GLOBAL (openai-curated-remote) release version is authoritative: Codex writes it into the bundle's manifest. */
const overwriteManifestVersion = async (root: string, version: string): Promise<E.Either<EngineError, void>> => {
  for (const rel of PLUGIN_MANIFEST_PATHS) {
    const path = nodePath.join(root, rel);
    let text: string;
    try {
      text = await fs.readFile(path, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') continue;
      throw err;
    }
    let manifest: unknown;
    try {
      manifest = parseJson(text);
    } catch (err) {
      return E.left(corrupt(path, 0, `failed to parse remote plugin manifest: ${(err as Error).message}`));
    }
    if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest))
      return E.left(corrupt(path, 0, 'remote plugin manifest must be a JSON object'));
    await fs.writeFile(path, `${JSON.stringify({ ...(manifest as Record<string, unknown>), version }, null, 2)}\n`);
    return E.right(undefined);
  }
  return E.left(corrupt(root, 0, 'remote plugin bundle did not contain a valid plugin.json'));
};

/**
 * Bundles over HTTP, unpacked under `<home>/plugins/.remote-plugin-install-staging/`: a failed
 * download or a bad archive leaves nothing there (the staging folder is removed) and nothing in
 * the cache (which is only touched once the bundle is whole).
 */
export const httpRemoteBundleFetcher = (codexHome: string, allowLoopbackHttp: boolean): RemoteBundleFetcher => ({
  fetch: (bundle) =>
    useCase(async () => {
      const bytes = await take(download(bundle, allowLoopbackHttp));
      const stagingRoot = nodePath.join(codexHome, REMOTE_PLUGIN_INSTALL_STAGING_DIR);
      let dir: string;
      let root: string;
      try {
        // The staging root stays (as Codex leaves it): the home owner's, whoever made it (ownership.ts).
        await ownMadeFolders(await fs.mkdir(stagingRoot, { recursive: true }), stagingRoot);
        dir = await fs.mkdtemp(nodePath.join(stagingRoot, 'remote-plugin-bundle-'));
        // The bundle root becomes the version folder: made with the umask's mode (as Codex's 0755), not mkdtemp's 0700.
        root = nodePath.join(dir, 'plugin');
        await fs.mkdir(root);
      } catch (err) {
        return stop(toEngineError(stagingRoot, 'create remote plugin bundle staging directory')(err));
      }
      // The staging root itself stays, empty, as Codex leaves it.
      const dispose = () => fs.rm(dir, { recursive: true, force: true });
      const staged = await useCase(async () => {
        await take(
          unpackBundle(bytes, root, {
            maxBytes: REMOTE_BUNDLE_LIMITS.maxExtractedBytes,
            maxEntries: REMOTE_BUNDLE_LIMITS.maxEntries,
          }),
        );
        if ((await manifestTextOf(root)) === null)
          return stop(
            corrupt(
              bundle.downloadUrl,
              0,
              'remote plugin bundle did not contain a standard plugin root with plugin.json',
            ),
          );
        if (bundle.pluginId.marketplaceName === REMOTE_GLOBAL_MARKETPLACE_NAME)
          await take(overwriteManifestVersion(root, bundle.version));
      })().catch((err: unknown) => E.left(toEngineError(dir, 'unpack remote plugin bundle')(err)));
      if (E.isLeft(staged)) {
        await dispose();
        return stop(staged.left);
      }
      return { root, dispose };
    }),
});
