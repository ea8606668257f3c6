import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../errors.js';
import { decodeError, invalidArgument, unsupported } from '../errors.js';
import { renderDecodeErrors } from '../decodeErrors.js';
import { parseJson } from '../jsonNesting.js';

/**
 * The remote-install sidecar Codex keeps beside a plugin's version directories
 * (`plugins/cache/<marketplace>/<plugin>/.codex-remote-plugin-install.json`): the backend's id
 * for a plugin installed from the remote catalog.
 */
export const REMOTE_PLUGIN_INSTALL_METADATA_FILE = '.codex-remote-plugin-install.json';
export const REMOTE_PLUGIN_INSTALL_METADATA_SCHEMA_VERSION = 1;

const SidecarEnvelope = t.type({ schema_version: t.number });
const SidecarV1 = t.type({ schema_version: t.literal(1), remote_plugin_id: t.string });

/**
 * The remote plugin id a sidecar holds. An unknown `schema_version` is `Unsupported` (never read
 * as if it were version 1); bad JSON or shape is `Decode`; a blank id is `InvalidArgument`.
 */
export const decodeSidecar = (path: string, text: string): E.Either<EngineError, string> => {
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (err) {
    return E.left(decodeError(path, 0, 0, `remote plugin install metadata is not JSON: ${(err as Error).message}`));
  }
  const env = SidecarEnvelope.decode(json);
  if (E.isLeft(env))
    return E.left(decodeError(path, 0, 0, `remote plugin install metadata: ${renderDecodeErrors(env.left)}`));
  if (env.right.schema_version !== REMOTE_PLUGIN_INSTALL_METADATA_SCHEMA_VERSION) {
    return E.left(unsupported(`remote plugin install metadata ${path}`, env.right.schema_version));
  }
  const v1 = SidecarV1.decode(json);
  if (E.isLeft(v1))
    return E.left(decodeError(path, 0, 0, `remote plugin install metadata: ${renderDecodeErrors(v1.left)}`));
  const id = v1.right.remote_plugin_id.trim();
  return id === '' ? E.left(invalidArgument('remote_plugin_id', 'must not be blank')) : E.right(id);
};

/** The sidecar's bytes for a remote id, as Codex writes them (pretty JSON, trailing newline). */
export const encodeSidecar = (remotePluginId: string): E.Either<EngineError, string> => {
  const id = remotePluginId.trim();
  if (id === '') return E.left(invalidArgument('remote_plugin_id', 'must not be blank'));
  return E.right(
    `${JSON.stringify({ schema_version: REMOTE_PLUGIN_INSTALL_METADATA_SCHEMA_VERSION, remote_plugin_id: id }, null, 2)}\n`,
  );
};
