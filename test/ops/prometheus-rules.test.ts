/**
 * The shipped alert rules, checked by Debian's promtool: syntax (check rules), the example scrape
 * config (check config), and the unit tests in ops/prometheus/tests (test rules). Every alert must
 * have a test in which it fires.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

const DIR = join(ROOT, 'ops', 'prometheus');
const RULES = join(DIR, 'lifecheck-rules.yml');
const TESTS = readdirSync(join(DIR, 'tests'))
  .filter((f) => f.endsWith('.test.yml'))
  .sort()
  .map((f) => join(DIR, 'tests', f));

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const missing = promtool.error || promtool.status !== 0;

function run(args: string[]) {
  return spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8' });
}

t.test('promtool is installed (apt prometheus, scripts/apt-packages.txt)', async (t) => {
  // Not a skip: without promtool the rules would ship untested.
  t.notOk(missing, missing ? 'promtool not found: apt-get install prometheus (make test installs scripts/apt-packages.txt)' : 'promtool found');
});

t.test('promtool check rules accepts the rules', { skip: missing ? 'no promtool' : false }, async (t) => {
  const r = run(['check', 'rules', RULES]);
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stdout, /SUCCESS: 8 rules found/);
});

t.test('promtool check config accepts the example scrape config with the rules', { skip: missing ? 'no promtool' : false }, async (t) => {
  const r = run(['check', 'config', 'prometheus.example.yml']);
  t.equal(r.status, 0, r.stdout + r.stderr);
});

t.test('promtool test rules: every unit test passes', { skip: missing ? 'no promtool' : false }, async (t) => {
  const r = run(['test', 'rules', ...TESTS]);
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.notMatch(r.stdout + r.stderr, /FAILED/);
});

t.test('every alert has a unit test in which it fires', async (t) => {
  const alerts = [...readFileSync(RULES, 'utf8').matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]!);
  t.ok(alerts.length >= 6, `${alerts.length} alerts`);
  const tests = TESTS.map((f) => readFileSync(f, 'utf8')).join('\n');
  for (const alert of alerts) {
    t.match(tests, new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels:`), `${alert} fires in a test`);
    t.match(tests, new RegExp(`alertname: ${alert}\\n\\s+exp_alerts: \\[\\]`), `${alert} has a case where it stays quiet`);
  }
});
