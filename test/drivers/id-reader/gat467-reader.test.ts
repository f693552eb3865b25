/**
 * The GA/T 467 driver against our reader emulator over a real serial line: a socat pty pair,
 * serialport on both ends. Cards, noise, corrupt and split answers, silence, a card pulled in the
 * middle of a read, and the USB cable pulled and put back.
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { RealClock } from '../../../src/clock/clock.js';
import { makeIdNumber } from '../../../src/domain/id-number.js';
import { encodeCardText } from '../../../src/drivers/id-reader/card-text.js';
import { Gat467Emulator } from '../../../src/drivers/id-reader/emulator.js';
import { Gat467Reader, type CardRead, type Gat467ReaderOptions } from '../../../src/drivers/id-reader/gat467-reader.js';
import type { IdReaderEvent } from '../../../src/drivers/id-reader/port.js';
import { PtyPair } from '../../../src/drivers/pty-pair.js';
import { silentLogger } from '../../../src/log/logger.js';
import { testPerson } from '../../../src/si-client/test-persons.js';
import { EventLog, nth } from '../event-log.js';
import { tempDir } from '../temp-dir.js';

const due = testPerson('due').identity;
const dueCard = { ...due, birthDate: due.birthDate! };
const isCard = (e: IdReaderEvent) => e.type === 'identify.idCard';
const isReadError = (reason: string) => (e: IdReaderEvent) => e.type === 'identify.readError' && e.reason === reason;

const FAST: Omit<Gat467ReaderOptions, 'port' | 'clock' | 'logger'> = {
  baudRate: 115_200,
  pollMs: 40,
  answerTimeoutMs: 200,
  readTimeoutMs: 400,
  reopenMs: 60,
  silentPollsForFault: 3,
  missesForLeave: 2,
};

interface Rig {
  dir: string;
  pair: PtyPair;
  emulator: Gat467Emulator;
  reader: Gat467Reader;
  events: EventLog<IdReaderEvent>;
  reads: EventLog<CardRead>;
  /** Resolves after the emulator has answered `n` more find-card polls. */
  polls: (n: number) => Promise<void>;
}

async function rig(t: Test, over: Partial<Gat467ReaderOptions> = {}): Promise<Rig> {
  const dir = tempDir(t);
  const pair = await PtyPair.open(join(dir, 'idreader'), join(dir, 'idreader-far'));
  const emulator = await Gat467Emulator.open(pair.far);
  const reader = new Gat467Reader({ ...FAST, port: pair.device, clock: new RealClock(), logger: silentLogger(), ...over });
  const events = new EventLog<IdReaderEvent>();
  const reads = new EventLog<CardRead>();
  reader.onEvent(events.push);
  reader.onRead(reads.push);
  const r: Rig = {
    dir,
    pair,
    emulator,
    reader,
    events,
    reads,
    polls: (n) => nth((l) => r.emulator.commands.on(l), n, (c) => c === 'findCard'),
  };
  t.teardown(async () => {
    await reader.stop();
    await r.emulator.close();
    await r.pair.close();
  });
  await reader.start();
  return r;
}

t.test('a tapped card is read once, decoded, and read again only after it left', async (t) => {
  const r = await rig(t);
  await r.polls(1);
  const placed = performance.now();
  r.emulator.place(dueCard);
  const event = await r.events.waitFor(isCard, 'card');
  const ms = performance.now() - placed;
  t.same(event.type === 'identify.idCard' && event.identity, { ...due, source: 'id-card' });
  t.comment(`tap to event over the pty: ${ms.toFixed(0)} ms (poll every ${FAST.pollMs} ms)`);
  const read = await r.reads.waitFor((x) => x.outcome === 'card', 'detailed read');
  t.equal(read.outcome === 'card' && read.photo.length, 1024, 'the photo comes along as opaque bytes');
  await r.polls(5);
  t.equal(r.events.count(isCard), 1, 'the card lying on the reader is not read again');
  r.emulator.remove();
  await r.polls(FAST.missesForLeave + 1);
  r.emulator.place(dueCard);
  await r.events.waitFor(isCard, 'second card', { from: 1 });
  t.equal(r.events.count(isCard), 2);
  t.equal(r.events.count((e) => e.type.startsWith('device.')), 0, 'no health changes on a healthy line');
});

t.test('a reader that keeps finding the card that lies there: still one read per tap', async (t) => {
  const r = await rig(t);
  r.emulator.misbehave.stickyFind = true;
  r.emulator.place(dueCard);
  await r.events.waitFor(isCard, 'card');
  await r.polls(6);
  t.equal(r.events.count(isCard), 1);
  t.equal(r.emulator.stats.commands.readBase, 1, 'not even asked for the base information again');
  r.emulator.remove();
  await r.polls(FAST.missesForLeave + 1);
  r.emulator.place({ ...testPerson('due-2').identity, birthDate: testPerson('due-2').identity.birthDate! });
  const second = await r.events.waitFor(isCard, 'the next person', { from: 1 });
  t.equal(second.type === 'identify.idCard' && second.identity.name, '何淑珍');
});

t.test('garbage before every answer, answers in 7-byte pieces, a stale frame merged in', async (t) => {
  const r = await rig(t);
  r.emulator.misbehave.noise = Buffer.from([0x00, 0xaa, 0xaa, 0x13, 0x96, 0xff, 0xaa]);
  r.emulator.misbehave.pieceBytes = 7;
  r.emulator.misbehave.staleFrame = true;
  r.emulator.place(dueCard);
  const event = await r.events.waitFor(isCard, 'card through the noise');
  t.equal(event.type === 'identify.idCard' && event.identity.idNumber, due.idNumber);
  t.equal(r.events.count((e) => e.type !== 'identify.idCard'), 0, 'no errors, no faults');
});

t.test('corrupt checksums: the answer is dropped and asked again', async (t) => {
  const r = await rig(t);
  r.emulator.misbehave.corruptAnswers = 4;
  await r.polls(4);
  r.emulator.place(dueCard);
  await r.events.waitFor(isCard, 'card after corrupt answers');
  t.equal(r.emulator.misbehave.corruptAnswers, 0);
  t.equal(r.events.count((e) => e.type === 'device.fault'), 0, 'corrupt answers are not silence');
});

t.test('a silent reader is reported not responding, and back when it answers', async (t) => {
  const r = await rig(t);
  r.emulator.misbehave.silent = true;
  await r.events.waitFor((e) => e.type === 'device.fault', 'fault');
  t.same(r.events.all.at(-1), { type: 'device.fault', device: 'idReader', reason: 'not-responding' });
  const mark = r.events.mark;
  r.emulator.misbehave.silent = false;
  await r.events.waitFor((e) => e.type === 'device.ok', 'back', { from: mark });
  r.emulator.place(dueCard);
  await r.events.waitFor(isCard, 'card after the silence');
  t.equal(r.events.count((e) => e.type === 'device.fault'), 1, 'one fault, not one per poll');
});

t.test('card pulled in the middle of the base information: removed-too-soon, then a new tap reads', async (t) => {
  const r = await rig(t);
  r.emulator.misbehave.pullDuringRead = 600;
  r.emulator.place(dueCard);
  await r.events.waitFor(isReadError('removed-too-soon'), 'removed-too-soon');
  t.equal(r.events.count(isCard), 0);
  r.emulator.place(dueCard);
  await r.events.waitFor(isCard, 'card on the second tap');
});

t.test('damaged text: unreadable, reported once while the card lies there', async (t) => {
  const r = await rig(t);
  const text = encodeCardText(dueCard);
  text.writeUInt16LE(0x0007, 2); // a control character inside the name
  r.emulator.place({ text });
  await r.events.waitFor(isReadError('unreadable'), 'unreadable');
  const detail = await r.reads.waitFor((x) => x.outcome === 'error', 'detail');
  t.match(detail, { outcome: 'error', reason: 'unreadable', detail: /field name/ });
  await r.polls(4);
  t.equal(r.events.count(isReadError('unreadable')), 1);
});

t.test('foreign permanent resident card refused as unsupported; HMT residence permit read', async (t) => {
  const r = await rig(t);
  r.emulator.place({ kind: 'foreign-permanent', name: 'x', gender: 'male', idNumber: '', birthDate: '' });
  await r.events.waitFor(isReadError('unsupported-card'), 'unsupported');
  t.match(await r.reads.waitFor((x) => x.outcome === 'error', 'detail'), { kind: 'foreign-permanent' });
  r.emulator.remove();
  await r.polls(FAST.missesForLeave + 1);
  const id = makeIdNumber('820000', '19490505', 27);
  r.emulator.place({ kind: 'hmt-residence', name: '何美玲', gender: 'male', idNumber: id, birthDate: '1949-05-05' });
  const event = await r.events.waitFor(isCard, 'HMT permit');
  t.equal(event.type === 'identify.idCard' && event.identity.idNumber, id);
});

t.test('USB unplug and replug: fault, reopened on the same path, reading again', async (t) => {
  const r = await rig(t);
  r.emulator.place(dueCard);
  await r.events.waitFor(isCard, 'card before the unplug');
  let mark = r.events.mark;
  await r.pair.close();
  await r.emulator.close();
  t.same(await r.events.waitFor((e) => e.type === 'device.fault', 'unplug', { from: mark }), { type: 'device.fault', device: 'idReader', reason: 'unplugged' });
  mark = r.events.mark;
  r.pair = await PtyPair.open(join(r.dir, 'idreader'), join(r.dir, 'idreader-far'));
  r.emulator = await Gat467Emulator.open(r.pair.far);
  await r.events.waitFor((e) => e.type === 'device.ok', 'replug', { from: mark });
  r.emulator.place(dueCard);
  await r.events.waitFor(isCard, 'card after the replug', { from: mark });
  t.equal(r.events.count((e) => e.type === 'device.fault'), 1);
});

t.test('started with nothing plugged in: unplugged until the port appears', async (t) => {
  const dir = tempDir(t);
  const reader = new Gat467Reader({ ...FAST, port: join(dir, 'idreader'), clock: new RealClock(), logger: silentLogger() });
  const events = new EventLog<IdReaderEvent>();
  reader.onEvent(events.push);
  await reader.start();
  t.same(await events.waitFor((e) => e.type === 'device.fault', 'fault'), { type: 'device.fault', device: 'idReader', reason: 'unplugged' });
  const pair = await PtyPair.open(join(dir, 'idreader'), join(dir, 'idreader-far'));
  const emulator = await Gat467Emulator.open(pair.far);
  t.teardown(async () => {
    await emulator.close();
    await pair.close();
  });
  await events.waitFor((e) => e.type === 'device.ok', 'ok');
  const after = events.mark;
  await reader.stop();
  t.equal(events.mark, after, 'stopping closes the port without reporting a fault');
});
