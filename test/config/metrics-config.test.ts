/**
 * ops.metrics.listen: off unless set, host:port with an IP address (IPv6 in brackets) or
 * localhost, refused naming the key (exit 78 from the CLI) when malformed; the hardware preset
 * serves on loopback.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { EX_CONFIG, loadConfig, parseListenAddress } from '../../src/config/config.js';
import { BIN } from '../helpers.js';

const load = (listen: string, env: NodeJS.ProcessEnv = {}) => loadConfig({ ignoreSystemFile: true, env, overrides: { ops: { metrics: { listen } } } });

t.test('off by default on the sim profile; the hardware preset serves on loopback', async (t) => {
  t.equal(loadConfig({ ignoreSystemFile: true, env: {} }).ops.metrics.listen, '');
  t.equal(loadConfig({ ignoreSystemFile: true, env: { LIFECHECK_PROFILE: 'hardware' }, profileChecks: false }).ops.metrics.listen, '127.0.0.1:9464');
  t.equal(loadConfig({ ignoreSystemFile: true, env: { LIFECHECK_METRICS_LISTEN: '10.20.0.7:9464' } }).ops.metrics.listen, '10.20.0.7:9464', 'from the environment');
});

t.test('addresses it takes', async (t) => {
  t.same(parseListenAddress('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 });
  t.same(parseListenAddress('[::1]:9464'), { host: '::1', port: 9464 });
  t.same(parseListenAddress('localhost:1'), { host: 'localhost', port: 1 });
  t.same(parseListenAddress('0.0.0.0:65535'), { host: '0.0.0.0', port: 65535 });
  t.equal(load('10.20.0.7:9464').ops.metrics.listen, '10.20.0.7:9464');
});

t.test('malformed addresses are refused naming the key', async (t) => {
  for (const bad of ['9464', ':9464', '127.0.0.1', '127.0.0.1:', '127.0.0.1:0', '127.0.0.1:70000', '127.0.0.1:94x4', '300.1.1.1:9464', 'metrics.example:9464', '::1:9464', '[127.0.0.1]:9464', 'http://127.0.0.1:9464']) {
    t.throws(() => load(bad), /ops\.metrics\.listen/, bad);
  }
  t.throws(() => load('127.0.0.1:0'), /port 0 must be from 1 to 65535/);
  t.throws(() => load('metrics.example:9464'), /host 'metrics\.example' must be an IPv4 address/);
});

t.test('lifecheck run stops with exit 78 and the key on a malformed address', async (t) => {
  const r = spawnSync(process.execPath, [BIN, 'run'], { encoding: 'utf8', env: { ...process.env, LIFECHECK_METRICS_LISTEN: '127.0.0.1:99999' }, timeout: 30_000 });
  t.equal(r.status, EX_CONFIG, r.stderr);
  t.match(r.stderr, /ops\.metrics\.listen: port 99999 must be from 1 to 65535/);
});

t.test('lifecheck --help tells where /metrics comes from', async (t) => {
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  t.equal(r.status, 0);
  t.match(r.stdout, /\/metrics \(OpenMetrics, for Prometheus\) on ops\.metrics\.listen/);
});
