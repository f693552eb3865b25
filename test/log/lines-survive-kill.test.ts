/** The daemon's log lines reach stdout before the next statement runs: a SIGKILL right after logging loses none. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers.js';

t.test('every line logged before a SIGKILL is on stdout', async (t) => {
  const logger = join(ROOT, 'src', 'log', 'logger.ts');
  // 200 lines back to back, then the process kills itself without a chance to flush anything.
  const script = `
    const { createLogger } = await import(${JSON.stringify(logger)});
    const log = createLogger('info');
    for (let i = 0; i < 200; i++) log.info({ seq: i }, 'submission committed');
    process.kill(process.pid, 'SIGKILL');
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  t.equal(run.signal, 'SIGKILL', run.stderr);
  const seqs = run.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq);
  t.equal(seqs.length, 200, 'all 200 lines');
  t.same(seqs, [...Array(200).keys()], 'in order');
});
