import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log/logger.js';
import { TEST_PERSONS } from '../../src/si-client/test-persons.js';
import { loadTrace, replay } from '../../src/trace/replay.js';
import { traceFiles } from '../helpers.js';

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

t.test('replaying every trace logs no name and no ID number, at the most verbose level', async (t) => {
  const log = collector();
  const logger = createLogger('trace', log.stream);
  const secrets = new Set<string>();
  for (const p of TEST_PERSONS) {
    secrets.add(p.identity.name);
    secrets.add(p.identity.idNumber);
  }
  let outputs = '';
  for (const file of traceFiles()) {
    const trace = await loadTrace(file);
    for (const input of trace.inputs) {
      if ((input.in === 'id-card' || input.in === 'ssc') && typeof input.person === 'object') {
        secrets.add(input.person.name);
        secrets.add(input.person.idNumber);
      }
      if (input.in === 'barcode') secrets.add(input.token);
    }
    const result = await replay(trace, { logger });
    outputs += result.outputs.map((o) => JSON.stringify(o)).join('\n');
  }
  const logs = log.text();
  t.ok(logs.split('\n').length > 100, 'the replays did log (transitions at least)');
  t.match(logs, /"msg":"transition"/);
  for (const secret of secrets) {
    t.notOk(logs.includes(secret), `log free of ${secret.slice(0, 1)}…`);
    t.notOk(outputs.includes(secret), `outputs free of ${secret.slice(0, 1)}…`);
  }
});

t.test('redaction catches personal fields that slip into a log call', async (t) => {
  const log = collector();
  const logger = createLogger('info', log.stream);
  const p = TEST_PERSONS[0]!.identity;
  logger.info({ idNumber: p.idNumber, person: { name: p.name }, identity: p }, 'oops');
  const text = log.text();
  t.notOk(text.includes(p.idNumber));
  t.notOk(text.includes(p.name));
  t.match(text, /\[redacted\]/);
});
