/**
 * The usblp printer driver against real character devices: a FIFO for the exact bytes of a job,
 * and a pty pair (socat) with an ESC/POS emulator for status, faults, timeouts and health.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { advanceTo, RealClock, SimClock, type Clock } from '../../../src/clock/clock.js';
import { renderEscPos } from '../../../src/drivers/printer/escpos.js';
import { RECEIPT_FIXTURES } from '../../../src/drivers/printer/fixtures.js';
import { PrinterError } from '../../../src/drivers/printer/port.js';
import { UsblpPrinter, type UsblpPrinterOptions } from '../../../src/drivers/printer/usblp.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { DeviceEvent } from '../../../src/machine/types.js';
import { ROOT } from '../../helpers.js';
import { COVER_OPEN, FifoDevice, OFFLINE, PAPER_OUT, PRINTER_READY, PtyPrinter } from './devices.js';

const receipt = RECEIPT_FIXTURES.accepted();
const never = () => new AbortController().signal;

function printer(device: string, over: Partial<UsblpPrinterOptions> = {}) {
  const p = new UsblpPrinter({
    device,
    paper: 80,
    qr: 'native',
    statusQuery: true,
    statusTimeoutMs: 300,
    timeoutMs: 2000,
    pollMs: 0,
    clock: new RealClock(),
    logger: silentLogger(),
    ...over,
  });
  const events: DeviceEvent[] = [];
  p.onStatus((e) => events.push(e));
  return { p, events };
}

/** The PrinterError a print ended with (a print that succeeded fails the test). */
async function failure(promise: Promise<void>): Promise<PrinterError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof PrinterError) return e;
    throw e;
  }
  throw new Error('the receipt was printed');
}

async function problem(t: Test, promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    t.type(e, PrinterError);
    return (e as PrinterError).problem;
  }
  return 'printed';
}

t.test('through a FIFO standing in for /dev/usb/lp0: exactly the receipt’s bytes, the golden ones', async (t) => {
  const fifo = new FifoDevice(join(t.testdir(), 'lp0'));
  t.teardown(() => fifo.close());
  const { p } = printer(fifo.path, { statusQuery: false });
  await p.print(receipt, never());
  const expected = readFileSync(join(ROOT, 'test', 'golden', 'receipts', 'accepted-80.bin'));
  const got = await fifo.received(expected.length);
  t.ok(got.equals(expected), `${got.length} bytes, as golden`);
  t.ok(expected.equals(renderEscPos(receipt, { paper: 80, qr: 'native' })));
  await p.stop();
  t.equal(fifo.bytes.length, expected.length, 'nothing more');
});

t.test('no device, or nobody at the other end: offline, with health reported', async (t) => {
  const dir = t.testdir();
  const { p: absent, events } = printer(join(dir, 'no-such-lp0'));
  const err = await failure(absent.print(receipt, never()));
  t.equal(err.problem, 'offline');
  t.match(err.message, /no-such-lp0 cannot be opened: ENOENT/);
  t.same(events, [{ type: 'device.fault', device: 'printer', reason: 'offline' }]);

  const fifo = new FifoDevice(join(dir, 'lp0'));
  t.teardown(() => fifo.close());
  t.equal(await absent.checkHealth(), 'offline', 'still no device there');
  const { p: present, events: e2 } = printer(fifo.path, { statusQuery: false });
  t.equal(await present.checkHealth(), 'ok');
  t.same(e2, [], 'ok from the start: nothing to report');
});

t.test('a printer that takes nothing: timeout after timeoutMs; an abort ends the wait at once', async (t) => {
  const fifo = new FifoDevice(join(t.testdir(), 'lp0'), true);
  t.teardown(() => fifo.close());
  const { p, events } = printer(fifo.path, { statusQuery: false, timeoutMs: 200 });
  const started = Date.now();
  const err = await failure(p.print(receipt, never()));
  t.equal(err.problem, 'timeout');
  t.match(err.message, /printer timed out: the printer took \d+ of \d+ bytes/);
  t.ok(Date.now() - started >= 200);
  t.same(events, [], 'a timeout is not a health change');

  const { p: slow } = printer(fifo.path, { statusQuery: false, timeoutMs: 60_000 });
  const abort = new AbortController();
  const t0 = Date.now();
  const printing = slow.print(receipt, abort.signal);
  setImmediate(() => abort.abort());
  const aborted = await failure(printing);
  t.match(aborted, { problem: 'timeout', message: 'print aborted' });
  t.ok(Date.now() - t0 < 5_000, 'did not wait for the 60 s timeout');
});

t.test('with status: three DLE EOT questions, then the job; the GS r 1 answer completes it', async (t) => {
  const pty = await PtyPrinter.create(t.testdir());
  t.teardown(() => pty.close());
  const { p, events } = printer(pty.device);
  await p.print(receipt, never());
  t.same(pty.emulator.questions, [1, 2, 4]);
  t.equal(pty.emulator.jobs.length, 1);
  const expected = renderEscPos(receipt, { paper: 80, qr: 'native' });
  t.ok(pty.emulator.jobs[0]!.equals(expected), 'the job’s bytes exactly');
  t.ok(pty.emulator.all.equals(Buffer.concat([Buffer.from([0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 4]), expected])), 'and nothing else');
  t.same(events, []);
});

t.test('paper out, cover open, offline: PrinterError(problem) before anything is printed, health reported', async (t) => {
  const pty = await PtyPrinter.create(t.testdir());
  t.teardown(() => pty.close());
  const { p, events } = printer(pty.device);
  for (const [status, expected] of [
    [PAPER_OUT, 'paper-out'],
    [COVER_OPEN, 'cover-open'],
    [OFFLINE, 'offline'],
  ] as const) {
    pty.emulator.status = status;
    t.equal(await problem(t, p.print(receipt, never())), expected);
  }
  t.equal(pty.emulator.jobs.length, 0, 'no job was sent');
  pty.emulator.status = PRINTER_READY;
  await p.print(receipt, never());
  t.same(
    events.map((e) => (e.type === 'device.fault' ? e.reason : 'ok')),
    ['paper-out', 'cover-open', 'offline', 'ok'],
  );
});

t.test('a printer that does not answer is offline after statusTimeoutMs; a stray byte is an error', async (t) => {
  const pty = await PtyPrinter.create(t.testdir());
  t.teardown(() => pty.close());
  const { p } = printer(pty.device, { statusTimeoutMs: 150 });
  pty.emulator.status = null;
  const err = await failure(p.print(receipt, never()));
  t.match(err, { problem: 'offline', message: 'printer does not answer status requests' });
  pty.emulator.status = { printer: 0xff, offlineCause: 0x12, paper: 0x12 };
  t.match(await failure(p.print(receipt, never())), { problem: 'error', message: /answered 0xff/ });
  // The late answers of before are thrown away, not taken for the next question's.
  pty.emulator.status = PRINTER_READY;
  await p.print(receipt, never());
  t.equal(pty.emulator.jobs.length, 1);
});

t.test('paper running out during the receipt, or no confirmation: the receipt counts as not printed', async (t) => {
  const pty = await PtyPrinter.create(t.testdir());
  t.teardown(() => pty.close());
  const { p } = printer(pty.device, { timeoutMs: 300 });
  pty.emulator.jobAnswer = 0x0c;
  t.equal(await problem(t, p.print(receipt, never())), 'paper-out');
  pty.emulator.jobAnswer = null;
  const err = await failure(p.print(receipt, never()));
  t.match(err, { problem: 'timeout', message: 'printer did not confirm the receipt' });
  t.equal(pty.emulator.jobs.length, 2);
});

t.test('health is polled on the clock while idle and reported on change only', async (t) => {
  const pty = await PtyPrinter.create(t.testdir());
  t.teardown(() => pty.close());
  const clock = new SimClock(0);
  const { p, events } = printer(pty.device, { pollMs: 5000, clock: clock as Clock });
  await p.start();
  const step = async (ms: number) => {
    await advanceTo(clock, clock.now() + ms);
    await p.idle();
  };
  await step(0);
  t.same(pty.emulator.questions, [1, 2, 4], 'asked once at start');
  pty.emulator.status = PAPER_OUT;
  await step(4999);
  t.same(events, [], 'not before the poll');
  await step(1);
  t.same(events, [{ type: 'device.fault', device: 'printer', reason: 'paper-out' }]);
  const asked = pty.emulator.questions.length;
  await step(999);
  t.equal(pty.emulator.questions.length, asked, 'a printer that is down: not asked again before 1 s');
  await step(1);
  t.equal(pty.emulator.questions.length, asked + 3, 'a printer that is down is asked every second (DOWN_POLL_MS)');
  t.equal(events.length, 1, 'unchanged: not reported again');
  pty.emulator.status = PRINTER_READY;
  await step(1000);
  t.same(events.at(-1), { type: 'device.ok', device: 'printer' }, 'paper loaded: seen within a second');
  t.equal(p.status, 'ok');
  const back = pty.emulator.questions.length;
  await step(4999);
  t.equal(pty.emulator.questions.length, back, 'ok again: back to pollMs');
  await step(1);
  t.equal(pty.emulator.questions.length, back + 3);
  await p.stop();
  t.equal(clock.pending(), 0, 'no poll left after stop');
});
