import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

const UNIT = join(ROOT, 'systemd', 'lifecheck.service');

t.test('the unit passes systemd-analyze verify without a warning', { skip: spawnSync('systemd-analyze', ['--version']).status !== 0 ? 'systemd-analyze not installed' : false }, async (t) => {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', UNIT], { encoding: 'utf8' });
  t.equal(r.status, 0);
  t.equal(r.stderr.trim(), '', 'no warnings');
});

t.test('the unit says what the terminal needs', async (t) => {
  const unit = readFileSync(UNIT, 'utf8');
  for (const line of ['Type=notify', 'Restart=always', 'RestartPreventExitStatus=78', 'ProtectSystem=strict', 'NoNewPrivileges=yes', 'PrivateTmp=yes', 'StateDirectory=lifecheck', 'RuntimeDirectory=lifecheck', 'ConfigurationDirectory=lifecheck', 'DevicePolicy=closed']) {
    t.match(unit, new RegExp(`^${line}$`, 'm'), line);
  }
  const watchdog = Number(/^WatchdogSec=(\d+)$/m.exec(unit)?.[1]);
  const stop = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]);
  t.ok(watchdog >= 10, 'watchdog leaves room for a slow frame');
  t.ok(stop > 10, 'the stop timeout is longer than the daemon’s 10 s drain budget');
});

t.test('the install script stages unit, rules, config and code into DESTDIR', async (t) => {
  const root = t.testdir({});
  // The script copies dist/, which `make test` builds before the tests run.
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'install-terminal.sh')], { env: { ...process.env, DESTDIR: root, WITHOUT_NODE_MODULES: '1' }, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  for (const f of ['etc/systemd/system/lifecheck.service', 'etc/udev/rules.d/90-lifecheck.rules', 'etc/lifecheck/config.json', 'opt/lifecheck/bin/lifecheck.js', 'opt/lifecheck/dist/cli/main.js']) {
    t.ok(existsSync(join(root, f)), f);
  }
  t.equal(JSON.parse(readFileSync(join(root, 'etc/lifecheck/config.json'), 'utf8')).profile, 'hardware');
  const again = spawnSync('bash', [join(ROOT, 'scripts', 'install-terminal.sh')], { env: { ...process.env, DESTDIR: root, WITHOUT_NODE_MODULES: '1' }, encoding: 'utf8' });
  t.equal(again.status, 0, 'idempotent');
});
