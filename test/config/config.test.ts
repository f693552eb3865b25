import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, EX_CONFIG, loadConfig, settingsOf } from '../../src/config/config.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'lifecheck.js');

t.test('defaults load and validate', async (t) => {
  const c = loadConfig({ ignoreSystemFile: true, env: {} });
  t.equal(c.profile, 'sim');
  t.equal(c.terminal.number, '0000');
  t.equal(settingsOf(c).countdownSeconds, 300);
  t.equal(c.liveness.count, 2);
});

t.test('a file and the environment override the defaults, environment last', async (t) => {
  const dir = t.testdir({ 'c.json': JSON.stringify({ terminal: { number: '0815' }, session: { countdownSeconds: 120 } }) });
  const c = loadConfig({ file: join(dir, 'c.json'), env: { LIFECHECK_TERMINAL_NUMBER: '0999' } });
  t.equal(c.terminal.number, '0999');
  t.equal(c.session.countdownSeconds, 120);
});

t.test('bad values are refused naming the key', async (t) => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ liveness: { actions: ['blink', 'fly'] } }, /liveness\.actions.*unknown action 'fly'/s],
    [{ liveness: { count: 9 } }, /liveness\.count/],
    [{ session: { countdownSeconds: -5 } }, /session\.countdownSeconds/],
    [{ session: { countdownWarnAt: 400 } }, /session\.countdownWarnAt/],
    [{ delays: { ACTION_BUDGET: 0 } }, /delays.*ACTION_BUDGET/s],
    [{ delays: { NO_SUCH_DELAY: 10 } }, /unknown delay 'NO_SUCH_DELAY'/],
    [{ terminal: { number: '00 00' } }, /terminal\.number/],
    [{ profile: 'cloud' }, /profile/],
    [{ unknownKey: 1 }, /unknownKey/],
    [{ devices: { camera: { kind: 'synth', portrait: '/nonexistent/face.jpg' } } }, /devices\.camera\.portrait: no such file: \/nonexistent\/face\.jpg/],
    [{ devices: { camera: { kind: 'webcam' } } }, /devices\.camera\.kind/],
  ];
  for (const [overrides, pattern] of cases) {
    t.throws(() => loadConfig({ ignoreSystemFile: true, env: {}, overrides }), pattern, JSON.stringify(overrides));
  }
});

t.test('a corrupt or missing file is a ConfigError naming the file', async (t) => {
  const dir = t.testdir({ 'broken.json': '{ "terminal": { "number": ' });
  t.throws(() => loadConfig({ file: join(dir, 'broken.json') }), ConfigError);
  t.throws(() => loadConfig({ file: join(dir, 'broken.json') }), /broken\.json/);
  t.throws(() => loadConfig({ file: join(dir, 'absent.json') }), /absent\.json does not exist/);
});

t.test('the CLI exits with EX_CONFIG and names the key', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ liveness: { maxFailures: 'three' } }));
  const r = spawnSync(process.execPath, [BIN, 'config', '--config', file], { encoding: 'utf8' });
  t.equal(r.status, EX_CONFIG);
  t.match(r.stderr, /liveness\.maxFailures/);
  const ok = spawnSync(process.execPath, [BIN, 'config'], { encoding: 'utf8', env: { ...process.env, LIFECHECK_DELAYS: '{"ACTION_BUDGET":9000}' } });
  t.equal(ok.status, 0, ok.stderr);
  t.equal(JSON.parse(ok.stdout).delays.ACTION_BUDGET, 9000, 'delays overridable from the environment');
});
