/**
 * `lifecheck devices` as a maintainer runs it (the built CLI in a child process), against our
 * reader emulator on a pty pair and our card behind a private pcscd with vpcd.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeIdNumber } from '../../src/domain/id-number.js';
import { Gat467Emulator } from '../../src/drivers/id-reader/emulator.js';
import { PtyPair } from '../../src/drivers/pty-pair.js';
import { PrivatePcscd, VPCD_READERS } from '../../src/drivers/ssc-reader/private-pcscd.js';
import { SscApplet } from '../../src/drivers/ssc-reader/ssc-applet.js';
import { VirtualCard } from '../../src/drivers/ssc-reader/vpcd-card.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { BIN } from '../helpers.js';
import { sscCardOf } from '../drivers/ssc-reader/cards.js';
import { tempDir } from '../drivers/temp-dir.js';

// About 51 s on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 180 s.
t.setTimeout(180_000);

/** Runs the CLI without blocking this process (the emulators live here). */
function lifecheck(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LIFECHECK_LOG_LEVEL: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const due = testPerson('due').identity;

t.test('read-id: one card, one masked JSON object with its check problems', async (t) => {
  const dir = tempDir(t);
  const pair = await PtyPair.open(join(dir, 'idreader'), join(dir, 'far'));
  const emulator = await Gat467Emulator.open(pair.far);
  t.teardown(async () => {
    await emulator.close();
    await pair.close();
  });
  emulator.place({ ...due, birthDate: due.birthDate! });
  const r = await lifecheck(['devices', 'read-id', '--port', pair.device, '--timeout', '10']);
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  t.match(out, {
    kind: 'resident-id-card',
    name: '陈**',
    idNumber: '4406**********0220',
    gender: 'female',
    nation: '汉',
    birthDate: '1948-03-15',
    validFrom: '2016-05-10',
    validTo: 'long-term',
    problems: [],
    photoBytes: 1024,
  });
  t.notMatch(r.stdout, due.idNumber, 'never the whole number');
  t.notMatch(r.stdout, due.name);

  const expired = testPerson('expired-card').identity;
  emulator.place({ ...expired, birthDate: expired.birthDate!, validTo: expired.validTo! });
  const e = await lifecheck(['devices', 'read-id', '--port', pair.device]);
  t.match(JSON.parse(e.stdout), { validTo: '2025-01-01', problems: ['expired'] });

  const wrong = makeIdNumber('440604', '19480315', 23); // odd sequence: a man's number
  emulator.place({ ...due, idNumber: wrong.slice(0, 17) + (wrong[17] === '1' ? '2' : '1'), birthDate: '1948-03-16' });
  const w = await lifecheck(['devices', 'read-id', '--port', pair.device]);
  t.match(JSON.parse(w.stdout), { problems: ['bad-check-digit', 'birth-date-mismatch', 'gender-mismatch'] });

  emulator.place({ kind: 'foreign-permanent', name: 'x', gender: 'male', idNumber: '', birthDate: '' });
  const f = await lifecheck(['devices', 'read-id', '--port', pair.device]);
  t.equal(f.status, 1);
  t.match(f.stderr, /foreign permanent resident ID card: refused/);
  t.equal(f.stdout, '');

  emulator.remove();
  emulator.misbehave.silent = true;
  const silent = await lifecheck(['devices', 'read-id', '--port', pair.device, '--timeout', '4']);
  t.equal(silent.status, 1);
  t.match(silent.stderr, /no ID card read within 4 s on .*idreader; the reader was not responding/);
});

t.test('read-id without a reader, and usage errors', async (t) => {
  const r = await lifecheck(['devices', 'read-id', '--port', join(tempDir(t), 'nothing'), '--timeout', '0.5']);
  t.equal(r.status, 1);
  t.match(r.stderr, /no ID card read within 0\.5 s .*not found \(.*nothing cannot be opened\)/);
  const bad = await lifecheck(['devices', 'read-id', '--timeout', 'soon']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--timeout must be a number of seconds/);
  const unknown = await lifecheck(['devices', 'read-passport']);
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /unknown devices command 'read-passport'/);
});

t.test('read-ssc and the device list through a private pcscd with vpcd', async (t) => {
  const pcscd = await PrivatePcscd.start({});
  t.teardown(() => pcscd.close());
  const env = { PCSCLITE_CSOCK_NAME: pcscd.socketPath };
  const list = await lifecheck(['devices'], env);
  t.equal(list.status, 0, list.stderr);
  t.match(list.stdout, /Serial ports/);
  t.match(list.stdout, new RegExp(`PC/SC readers \\(pcscd at ${pcscd.socketPath}\\):\\n  ${VPCD_READERS[0]}\\n  ${VPCD_READERS[1]}\\n`));
  t.match(list.stdout, /ID card reader\s+sim\s+\/dev\/lifecheck-idreader at 115200 baud/);

  const card = await VirtualCard.insert(pcscd.port + 1, new SscApplet({ kind: 'ssc', card: sscCardOf('verified', 'B98765432') }));
  t.teardown(() => card.remove());
  const r = await lifecheck(['devices', 'read-ssc', '--reader', '00 01', '--timeout', '10'], env);
  t.equal(r.status, 0, r.stderr);
  t.match(JSON.parse(r.stdout), {
    kind: 'social-security-card',
    name: '李**',
    idNumber: '4406**********031X',
    gender: 'male',
    birthDate: '1950-07-01',
    validFrom: '2018-06-01',
    validTo: '2028-06-01',
    cardNumber: 'B987*5432',
    reader: VPCD_READERS[1],
    apdus: 10,
    problems: [],
  });
  t.notMatch(r.stdout, testPerson('verified').identity.idNumber);

  const none = await lifecheck(['devices', 'read-ssc', '--reader', '00 00', '--timeout', '1'], env);
  t.equal(none.status, 1);
  t.match(none.stderr, /no social security card read within 1 s\n/);
  const noReader = await lifecheck(['devices', 'read-ssc', '--reader', 'Nonexistent', '--timeout', '2.5'], env);
  t.match(noReader.stderr, /no PC\/SC reader named like "Nonexistent"/);
  await pcscd.stop();
  const down = await lifecheck(['devices', 'read-ssc', '--timeout', '0.5'], env);
  t.equal(down.status, 1);
  t.match(down.stderr, /pcscd is not running/);
});

t.test("the list says which of the terminal's own devices are there, and the screen's geometry", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'fb0'), Buffer.alloc(16));
  mkdirSync(join(dir, 'sys-fb0'));
  writeFileSync(join(dir, 'sys-fb0', 'virtual_size'), '1024,600\n');
  writeFileSync(join(dir, 'sys-fb0', 'bits_per_pixel'), '16\n');
  execFileSync('mkfifo', [join(dir, 'event0')]);
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      devices: {
        display: { framebuffer: join(dir, 'fb0'), sysfsDir: join(dir, 'sys-fb0') },
        touch: { device: join(dir, 'event0') },
        camera: { kind: 'device', device: join(dir, 'video0') },
        printer: { device: join(dir, 'lp0') },
      },
    }),
  );
  const list = await lifecheck(['devices', '--config', config], { PCSCLITE_CSOCK_NAME: join(dir, 'no-pcscd') });
  t.equal(list.status, 0, list.stderr);
  t.match(list.stdout, /screen\s+\S+fb0  present, 1024x600 rgb565/);
  t.match(list.stdout, /touchscreen\s+\S+event0  present/);
  t.match(list.stdout, /camera\s+device \S+video0 640x480 MJPG  MISSING/);
  t.match(list.stdout, /receipt printer\s+\S+lp0  MISSING/);

  // A framebuffer whose sysfs folder is not where it is looked for: present, and why it cannot be used.
  writeFileSync(config, JSON.stringify({ devices: { display: { framebuffer: join(dir, 'fb0'), sysfsDir: join(dir, 'elsewhere') } } }));
  const noSysfs = await lifecheck(['devices', '--config', config], { PCSCLITE_CSOCK_NAME: join(dir, 'no-pcscd') });
  t.match(noSysfs.stdout, /screen\s+\S+fb0  present, but framebuffer: \S+elsewhere\/virtual_size is missing/);
});
