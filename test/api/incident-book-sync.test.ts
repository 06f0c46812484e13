import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IncidentBookSync } from '../../api/incident-book-sync.js';
import { connectClickHouse } from '../../clickhouse/client.js';
import { createLogger } from '../../common/log.js';

void test('ClickHouse unreachable: the load fails with the connection error, a poll rejects, nothing is left unhandled', async (t) => {
  // A refused port: the real client, nothing listening.
  const ch = connectClickHouse({ url: 'http://127.0.0.1:1', requestTimeoutMs: 2000 });
  t.after(() => ch.close());
  const sync = new IncidentBookSync(ch, { log: createLogger({}, 'warn'), pollMs: 60_000 });
  await assert.rejects(sync.start(), /ECONNREFUSED|connect/i);
  await assert.rejects(sync.refresh(), /ECONNREFUSED|connect/i);
  assert.equal(sync.book.size, 0);
  sync.stop();
});
