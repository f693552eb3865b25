/**
 * The hardware profile's configuration: its preset (real devices, the face pipeline, the SI over
 * HTTPS, the durable outbox) under the terminal's own file, and the refusals that keep simulated
 * parts off a terminal that serves real people — each naming its key.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createSocket } from 'unix-dgram';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, EX_CONFIG, loadConfig } from '../../src/config/config.js';
import { createOutboxKey } from '../../src/si-client/outbox-crypto.js';
import { BIN, until } from '../helpers.js';
import { testCerts } from '../si-dev/helpers.js';
import { MODEL_CACHE } from '../vision/engine-fixture.js';
import { TINY_MODEL, writeDlibModel } from '../vision/dlib-writer.js';

// About 27 s on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 120 s.
t.setTimeout(120_000);

const load = (overrides: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => loadConfig({ ignoreSystemFile: true, env, overrides });

t.test("the installed configuration (profile hardware, nothing else) takes the hardware preset", async (t) => {
  const dir = t.testdir({ 'config.json': JSON.stringify({ profile: 'hardware', terminal: { number: '0000' } }) });
  const c = loadConfig({ file: join(dir, 'config.json'), env: {} });
  t.equal(c.vision.kind, 'opencv');
  t.same([c.devices.idReader.kind, c.devices.sscReader.kind, c.devices.barcode.kind, c.devices.camera.kind], ['device', 'device', 'device', 'device']);
  t.equal(c.si.kind, 'https');
  t.equal(c.outbox.store, 'sqlite');
  t.same(c.devices.touch.calibration, { minX: 0, maxX: 4095, minY: 0, maxY: 4095, swapXY: false, invertX: false, invertY: false });
  t.equal(c.devices.display.geometry, 'sysfs');
  // The sim profile keeps its simulated defaults.
  t.equal(load({}).devices.camera.kind, 'sim');
});

t.test("the terminal's file wins over the preset", async (t) => {
  const dir = t.testdir({ 'config.json': JSON.stringify({ profile: 'hardware', devices: { camera: { kind: 'clip', clip: '/srv/bench.mp4' }, barcode: { kind: 'emulator' } } }) });
  const c = loadConfig({ file: join(dir, 'config.json'), env: {} });
  t.equal(c.devices.camera.kind, 'clip');
  t.equal(c.devices.barcode.kind, 'emulator');
  t.equal(c.devices.idReader.kind, 'device', 'what the file does not say comes from the preset');
});

t.test('LIFECHECK_PROFILE=hardware brings the preset too; the terminal file and the environment still win over it', async (t) => {
  const c = load({ devices: { camera: { kind: 'clip', clip: '/tmp/clip.mp4' } } }, { LIFECHECK_PROFILE: 'hardware', LIFECHECK_BARCODE: 'emulator' });
  t.equal(c.profile, 'hardware');
  t.equal(c.vision.kind, 'opencv');
  t.equal(c.devices.camera.kind, 'clip');
  t.equal(c.devices.barcode.kind, 'emulator');
});

t.test('simulated parts on the hardware profile are refused, each naming its key', async (t) => {
  const e = t.throws(() =>
    load({ profile: 'hardware', vision: { kind: 'cooperative' }, si: { kind: 'sim' }, outbox: { store: 'memory' }, devices: { idReader: { kind: 'sim' }, camera: { kind: 'sim' } } }),
  ) as ConfigError;
  t.type(e, ConfigError);
  for (const key of ['devices.idReader.kind', 'devices.camera.kind', 'vision.kind', 'si.kind', 'outbox.store']) t.match(e.message, `${key}:`, key);
  t.notMatch(e.message, 'devices.sscReader.kind', 'only what is wrong is named');
});

t.test('a touch calibration with no range, and a missing font, are refused naming the key', async (t) => {
  const e = t.throws(() =>
    load({ profile: 'hardware', devices: { touch: { calibration: { minX: 100, maxX: 100 } }, display: { fonts: { bold: '/nowhere/bold.ttc' } } } }),
  ) as ConfigError;
  t.match(e.message, 'devices.touch.calibration.maxX: must be above minX');
  t.match(e.message, 'devices.display.fonts.bold: no such file: /nowhere/bold.ttc');
  t.notMatch(e.message, 'calibration.maxY');
});

function lifecheck(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
}

t.test('lifecheck run on the hardware profile', async (t) => {
  const dir = t.testdir({});
  const certs = testCerts();
  createOutboxKey(join(dir, 'outbox.key'));
  const file = (name: string, body: unknown) => {
    writeFileSync(join(dir, name), JSON.stringify(body));
    return join(dir, name);
  };
  const base = {
    profile: 'hardware',
    ops: { replSocket: join(dir, 'repl.sock') },
    outbox: { path: join(dir, 'outbox.sqlite'), keyFile: join(dir, 'outbox.key') },
    devices: { display: { framebuffer: join(dir, 'fb0') } },
  };

  const demo = lifecheck(['run', '--demo', '--config', file('demo.json', base)]);
  t.equal(demo.status, 2, '--demo: a usage error');
  t.match(demo.stderr, '--demo needs the sim profile');

  const noCerts = lifecheck(['run', '--config', file('no-certs.json', base)]);
  t.equal(noCerts.status, EX_CONFIG, 'no SI certificates: a configuration error, not restarted by systemd');
  t.match(noCerts.stderr, 'si.caFile: not set');

  // Everything configured, but this machine has no framebuffer: exit 1 (systemd tries again), saying why.
  const withCerts = { ...base, si: { caFile: certs.caCert, certFile: certs.clientCert, keyFile: certs.clientKey } };
  const noScreen = lifecheck(['run', '--config', file('no-screen.json', withCerts)], { LIFECHECK_LOG_LEVEL: 'info' });
  t.equal(noScreen.status, 1, noScreen.stderr);
  const fatal = noScreen.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; err?: string }).find((l) => l.level === 60);
  t.match(fatal, { msg: 'the terminal cannot start', err: /framebuffer: \/sys\/class\/graphics\/fb0\/virtual_size is missing/ });

  // sysfs describes a framebuffer this terminal cannot draw on: only configuration helps (78).
  const sysfs = join(dir, 'sys-fb0');
  mkdirSync(sysfs);
  writeFileSync(join(sysfs, 'virtual_size'), '1280,800\n');
  writeFileSync(join(sysfs, 'bits_per_pixel'), '24\n');
  const odd = lifecheck(['run', '--config', file('odd.json', { ...withCerts, devices: { display: { framebuffer: join(dir, 'fb0'), sysfsDir: sysfs } } })]);
  t.equal(odd.status, EX_CONFIG, odd.stderr);
  t.match(odd.stderr, '24 bits per pixel is not supported');

  // Geometry readable, but the device node cannot be opened: the start fails, the process ends.
  writeFileSync(join(sysfs, 'bits_per_pixel'), '32\n');
  const noNode = lifecheck(['run', '--config', file('no-node.json', { ...withCerts, vision: { modelCache: MODEL_CACHE }, devices: { display: { framebuffer: join(dir, 'fb0'), sysfsDir: sysfs } } })], {
    LIFECHECK_LOG_LEVEL: 'info',
  });
  t.equal(noNode.status, 1, noNode.stderr);
  t.match(noNode.stdout, /"err":"framebuffer: cannot open [^"]*fb0: ENOENT[^"]*","msg":"the terminal cannot start"/);

  // The maintainer's tools still run while the configuration is being put right.
  const tools = lifecheck(['devices', '--config', file('bad-cal.json', { ...base, devices: { touch: { calibration: { minX: 9, maxX: 9 } } } })], {
    PCSCLITE_CSOCK_NAME: join(dir, 'no-pcscd'),
  });
  t.equal(tools.status, 0, tools.stderr);
  t.match(tools.stdout, 'Configured terminal devices (hardware profile)');
});

t.test('first start on hardware: systemd is asked for more start time before the model conversion', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-')); // a short path: unix socket names are limited
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const certs = testCerts();
  createOutboxKey(join(dir, 'outbox.key'));
  const modelPath = join(dir, 'tiny.dat');
  writeFileSync(modelPath, writeDlibModel(TINY_MODEL));
  const notify = join(dir, 'notify.sock');
  const messages: string[] = [];
  const receiver = createSocket('unix_dgram', (msg) => messages.push(msg.toString()));
  receiver.bind(notify);
  t.teardown(() => receiver.close());
  const config = join(dir, 'config.json');
  const hw = (cache: string) =>
    writeFileSync(
      config,
      JSON.stringify({
        profile: 'hardware',
        ops: { replSocket: join(dir, 'repl.sock') },
        outbox: { path: join(dir, 'outbox.sqlite'), keyFile: join(dir, 'outbox.key') },
        si: { caFile: certs.caCert, certFile: certs.clientCert, keyFile: certs.clientKey },
        vision: { modelPath, modelCache: cache },
        // Geometry there, device node not: the terminal is built (model included), then cannot start.
        devices: { display: { framebuffer: join(dir, 'fb0'), sysfsDir: join(dir, 'sys-fb0') } },
      }),
    );
  const run = () =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'run', '--config', config], { env: { ...process.env, NOTIFY_SOCKET: notify, LIFECHECK_LOG_LEVEL: 'silent' }, stdio: 'ignore' });
      child.on('exit', (code) => resolve(code));
    });
  mkdirSync(join(dir, 'sys-fb0'));
  writeFileSync(join(dir, 'sys-fb0', 'virtual_size'), '1280,800\n');
  writeFileSync(join(dir, 'sys-fb0', 'bits_per_pixel'), '32\n');
  hw(join(dir, 'cache', 'tiny.bin'));
  t.equal(await run(), 1, 'no framebuffer node here: exit 1 after the model');
  await until(() => messages.length > 0, 5_000, 'a notify message');
  t.match(messages[0], /^EXTEND_TIMEOUT_USEC=300000000\nSTATUS=first start: converting the landmark model \(once\)$/);
  t.ok(existsSync(join(dir, 'cache', 'tiny.bin')), 'the converted copy was made');
  messages.length = 0;
  t.equal(await run(), 1);
  t.same(messages, [], 'later starts read the copy: no extension asked');
});
