/**
 * A disk that fills up under the durable outbox — on a real file system (a small tmpfs mounted for
 * the test; root is needed, as on the terminal and in CI). The submission is refused cleanly,
 * nothing queued is lost, the storage is reported faulty (the terminal goes out of service) until
 * space returns, and the sender does not spin on a disk it cannot write. (A read-only remount cannot
 * be made from userland while the file is open for writing; it fails the same writes, the same way.)
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { DeviceEvent } from '../../src/machine/types.js';
import { SiError } from '../../src/si-client/port.js';
import { memoryLogger } from '../helpers.js';
import { startTestSi } from '../si-dev/helpers.js';
import { openOutbox, outboxConfig, realClockClient, verification } from './outbox-harness.js';

/** A tmpfs of `kib` KiB at a fresh folder, unmounted at the end; null where mounting is not allowed. */
function tmpfs(t: Test, kib: number): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'lc-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  t.teardown(() => {
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Writes a file until the disk says ENOSPC. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16 * 1024, 0x5a);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

/** A photo big enough to need new pages in the file (random bytes: nothing compresses them). */
function bigPhoto(person: string) {
  const v = verification(person);
  const photo = Buffer.alloc(200 * 1024);
  for (let i = 0; i < photo.length; i++) photo[i] = (i * 2654435761) >>> 24;
  return { ...v, photo: Buffer.concat([v.photo, photo]) };
}

t.test('a full disk: the submission is refused, nothing queued is lost, out of service until space returns', async (t) => {
  const disk = tmpfs(t, 4096);
  if (!disk) {
    // As root (a terminal, CI) the drill must run; elsewhere it cannot, and says so.
    if (process.getuid?.() === 0) t.fail('root could not mount a tmpfs: the full-disk drill did not run');
    else t.comment('cannot mount a tmpfs without root: the full-disk drill did not run');
    return;
  }
  const ts = await startTestSi(t);
  const config = outboxConfig(ts, ts.dir, { path: join(disk, 'outbox.sqlite'), minFreeBytes: 64 * 1024 });
  await ts.si.setFaults([{ kind: 'down' }]);
  const { logger, lines } = memoryLogger('info');
  const { outbox, advance, delivered } = openOutbox(config, realClockClient(ts), undefined, logger);
  t.teardown(() => outbox.close());
  const events: DeviceEvent[] = [];
  outbox.onStatus((e) => events.push(e));

  void outbox.submit(bigPhoto('due'));
  void outbox.submit(bigPhoto('due-2'));
  await advance(10_000);
  t.match(outbox.stats(), { pending: 2 }, 'two wait for the SI');
  t.same(events, [], 'storage fine so far');

  fill(join(disk, 'filler'));
  const refused = await outbox.submit(bigPhoto('verified')).catch((e: unknown) => e);
  t.ok(refused instanceof SiError, 'refused');
  t.match(refused, { kind: 'storage', code: 'disk-full' }, 'as a full disk: the person is told it was not saved');
  t.same(events, [{ type: 'device.fault', device: 'storage', reason: 'disk-full' }], 'the storage is reported faulty at once');
  t.match(outbox.stats(), { pending: 2 }, 'the two queued ones are still there');

  // An hour on a disk that takes no write: the sender backs off instead of spinning on it.
  await advance(60 * 60_000);
  t.equal(events.length, 1, 'still faulty while the disk is full, not flapping');
  const complaints = lines.filter((l) => /cannot prepare a delivery/.test(String(l.msg))).length;
  t.ok(complaints <= 2 * 120, `no busy loop (${complaints} failed preparations in an hour)`);
  const sends = ts.si.requests.submit ?? 0;
  rmSync(join(disk, 'filler'));
  await advance(30_000);
  t.same(events.at(-1), { type: 'device.ok', device: 'storage' }, 'back within one poll once space returns');
  await ts.si.setFaults([]);
  await advance(2 * 60_000);
  t.equal(delivered.length, 2, 'both delivered');
  t.equal(ts.store.submissions().length, 2, 'the SI has exactly the two');
  t.ok((ts.si.requests.submit ?? 0) > sends);
  t.notOk(lines.some((l) => l.level >= 60), 'nothing fatal');
});
