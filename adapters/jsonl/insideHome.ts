import * as nodePath from 'node:path';
import type { EngineError } from '../../domain/errors.js';
import { invalidArgument } from '../../domain/errors.js';

/**
 * Whether `path` lies inside the CODEX_HOME `home` (both absolute, as the engine forms them: the
 * home resolved, its files joined onto it). Lexical, so it costs no system call: the index records
 * the home its paths are rooted at and is rebuilt for any other (adapters/indexer/openIndex.ts), so
 * this is the second line of defence — nothing is read or written outside the home given.
 */
export const isInsideHome = (home: string, path: string): boolean => {
  const rel = nodePath.relative(home, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${nodePath.sep}`) && !nodePath.isAbsolute(rel);
};

/** The refusal of a path outside the home: it can only come from an index of another home. */
export const outsideHome = (home: string, path: string): EngineError =>
  invalidArgument('path', `${path} is outside CODEX_HOME ${home}: refused (an index of another home? rebuild it: rollout-engine index --rebuild)`);
