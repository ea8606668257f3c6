import * as nodePath from 'node:path';
import { randomUUID } from 'node:crypto';
import { jsonlEventLog } from '../../../../adapters/driven/jsonl/eventLog.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { eventLogContract } from '../../eventLogContract.js';

describe('jsonl EventLog (contract)', () => {
  const dirOf = useTempDir('jsonl-eventlog-contract-');
  eventLogContract('JSONL files', () => ({
    log: jsonlEventLog({ fsync: 'never' }),
    freshStream: () => nodePath.join(dirOf(), `rollout-${randomUUID()}.jsonl`),
    otherLog: () => jsonlEventLog({ fsync: 'never' }),
  }));
});
