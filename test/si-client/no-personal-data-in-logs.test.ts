/** Names, ID numbers and photos never reach the logs, whatever goes wrong on the way to the SI. */
import t from 'tap';
import { RealClock } from '../../src/clock/clock.js';
import { createLogger } from '../../src/log/logger.js';
import { openSqliteOutbox } from '../../src/si-client/from-config.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { startSiDev } from '../../src/si-dev/server.js';
import { NO_SIGNAL, startTestSi, testCerts } from '../si-dev/helpers.js';
import { outboxConfig, verification } from './outbox-harness.js';

t.test('client, outbox and si-dev logs carry operations, codes and keys only', async (t) => {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (s: string) => void lines.push(s) });
  const ts = await startTestSi(t);
  // A second si-dev on the same store, logging into the captured lines.
  const si = await startSiDev({ port: 0, adminPort: 0, certs: testCerts(), store: ts.store, seed: 3, logger });
  t.teardown(() => si.close());
  const client = ts.client({ url: si.url, logger, clock: new RealClock() });
  const due = testPerson('due').identity;
  const config = outboxConfig(ts, ts.dir, { answerWithinMs: 2_000 });
  const outbox = openSqliteOutbox(config, client, new RealClock(), logger, Math.random);

  for (const faults of [[{ kind: 'error' as const }], [{ kind: 'malformed' as const, body: 'wrong-shape' as const }], [{ kind: 'drop' as const }], []]) {
    await si.setFaults(faults);
    await client.lookupPerson(due.idNumber, NO_SIGNAL).catch(() => {});
    await client.history(due.idNumber, NO_SIGNAL).catch(() => {});
  }
  await si.setFaults([{ kind: 'error', status: 503, ops: ['submit'], count: 2 }]);
  await outbox.submit(verification('due', 'FACE-IN-LOG?'));
  await si.setFaults([{ kind: 'error', status: 422, ops: ['submit'] }]);
  await outbox.submit(verification('due-2'));
  await outbox.close();

  const log = lines.join('');
  t.ok(lines.length >= 10, `${lines.length} log lines written`);
  t.match(log, /SI call failed; trying again/);
  t.match(log, /submission not delivered/);
  t.match(log, /"op":"lookup","status":503/);
  for (const p of [testPerson('due').identity, testPerson('due-2').identity]) {
    t.notOk(log.includes(p.idNumber), 'no ID number');
    t.notOk(log.includes(p.name), 'no name');
  }
  t.notOk(log.includes('FACE-IN-LOG?'), 'no photo bytes');
  t.notOk(log.includes(Buffer.from('FACE-IN-LOG?').toString('base64').slice(0, 12)), 'no photo base64');
});
