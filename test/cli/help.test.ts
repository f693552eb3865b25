/** Every subcommand answers --help (and -h) with its own usage and exit 0, without doing anything. */
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { COMMANDS } from '../../src/cli/main.js';
import { BIN } from '../helpers.js';

// About 50 s on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 180 s.
t.setTimeout(180_000);

for (const command of COMMANDS) {
  t.test(`lifecheck ${command} --help`, async (t) => {
    for (const flag of ['--help', '-h']) {
      // Options that would make it do something come first: --help still wins.
      const r = spawnSync(process.execPath, [BIN, command, '--config', '/nonexistent.json', flag], { encoding: 'utf8', timeout: 30_000 });
      t.equal(r.status, 0, `${flag}: exit 0 (${r.stderr.trim()})`);
      t.match(r.stdout, new RegExp(`^Usage:\\n {2}lifecheck ${command}\\b`), `${flag}: its own usage`);
      t.notMatch(r.stdout, new RegExp(`^ {2}lifecheck (?!${command}\\b)`, 'm'), `${flag}: and no other command's`);
      t.match(r.stdout, /\nExit codes: 0 .*; 2 a usage error; 78 the configuration must change/, `${flag}: what its exit codes mean`);
    }
  });
}

t.test('an unknown option is still a usage error (exit 2) naming it', async (t) => {
  const r = spawnSync(process.execPath, [BIN, 'screenshot', '--colour'], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 2);
  t.match(r.stderr, /--colour/);
});
