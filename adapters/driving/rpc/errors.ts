import type { EngineError } from '../../../domain/errors.js';
import { renderError } from '../../../domain/errors.js';
import { INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND } from '../../../protocol/jsonRpc.js';
import type { RpcError } from '../../../protocol/jsonRpc.js';

/**
 * The one mapping from the engine's errors to JSON-RPC errors (codes as Codex uses them; an
 * unknown thread in its method's words, put on the error by `bindMethod` from the method's entry).
 */
export const toRpcError = (e: EngineError): RpcError => {
  switch (e._tag) {
    case 'NotFound':
      return { code: INVALID_REQUEST, message: renderError(e) };
    case 'Rejected':
      return e.data === undefined
        ? { code: INVALID_REQUEST, message: renderError(e) }
        : { code: INVALID_REQUEST, message: renderError(e), data: e.data };
    case 'Conflict':
      // The positions are data: a writer (`rollout/append`) retries from the actual end.
      return {
        code: INVALID_REQUEST,
        message: renderError(e),
        data: { path: e.path, expected: e.expected, actual: e.actual },
      };
    case 'Unsupported':
      return { code: e.notYet === true ? METHOD_NOT_FOUND : INVALID_REQUEST, message: renderError(e) };
    case 'InvalidArgument':
      return { code: INVALID_PARAMS, message: renderError(e) };
    case 'Decode':
    case 'Corrupt':
    case 'Io':
    case 'Timeout':
      return { code: INTERNAL_ERROR, message: renderError(e) };
  }
};
