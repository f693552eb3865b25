/**
 * The PC/SC driver through the real middle layers: a private pcscd with vsmartcard's vpcd reader
 * driver, and our card emulator connected to vpcd as the card. Persons in turn, T=0 style, damaged
 * and foreign cards, a card pulled mid-read, pcscd dying and coming back, pcscd absent at start.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import t, { type Test } from 'tap';
import { RealClock } from '../../../src/clock/clock.js';
import { listPcscReaders, PcscSscReader, type PcscSscReaderOptions, type SscCardRead } from '../../../src/drivers/ssc-reader/pcsc-reader.js';
import type { SscReaderEvent } from '../../../src/drivers/ssc-reader/port.js';
import { PrivatePcscd, VPCD_READERS } from '../../../src/drivers/ssc-reader/private-pcscd.js';
import { SscApplet, type CardProfile } from '../../../src/drivers/ssc-reader/ssc-applet.js';
import { VirtualCard, type VirtualCardOptions } from '../../../src/drivers/ssc-reader/vpcd-card.js';
import { silentLogger } from '../../../src/log/logger.js';
import { EventLog } from '../event-log.js';
import { sscCardOf } from './cards.js';
import { readersEmpty } from './presence.js';

const pcscd = await PrivatePcscd.start({});
// libpcsclite reads its socket from the environment once per process: this file talks to our pcscd only.
process.env.PCSCLITE_CSOCK_NAME = pcscd.socketPath;
t.teardown(() => pcscd.close());

const isSsc = (e: SscReaderEvent) => e.type === 'identify.ssc';
const isReadError = (reason: string) => (e: SscReaderEvent) => e.type === 'identify.readError' && e.reason === reason;

async function driver(t: Test, over: Partial<PcscSscReaderOptions> = {}) {
  const reader = new PcscSscReader({ reader: 'Virtual PCD 00 00', retryMs: 50, readerWaitMs: 500, transmitTimeoutMs: 2_000, clock: new RealClock(), logger: silentLogger(), ...over });
  const events = new EventLog<SscReaderEvent>();
  const reads = new EventLog<SscCardRead>();
  reader.onEvent(events.push);
  reader.onRead(reads.push);
  const presence = new EventLog<{ reader: string; present: boolean }>();
  reader.onPresence(presence.push);
  t.teardown(async () => {
    // Cards out, and seen out by pcscd, before the next test's driver looks at the readers.
    try {
      for (const c of cards.splice(0)) await c.remove();
      await readersEmpty();
    } finally {
      await reader.stop();
    }
  });
  await reader.start();
  /** Takes `card` out and waits until this driver saw it go. */
  const remove = async (card: VirtualCard, slot = 0) => {
    const mark = presence.mark;
    await card.remove();
    if (reader.cardPresent(VPCD_READERS[slot]!)) await presence.waitFor((p) => !p.present, 'card removal', { from: mark });
  };
  return { reader, events, reads, remove };
}

const cards: VirtualCard[] = [];

/** Puts a card into vpcd reader `slot` (0 or 1). */
async function insert(profile: CardProfile, slot = 0, options: VirtualCardOptions = {}): Promise<VirtualCard> {
  const card = await VirtualCard.insert(pcscd.port + slot, new SscApplet(profile), options);
  cards.push(card);
  return card;
}

t.test('persons in turn: each card read once, with its holder', async (t) => {
  const { events, reads, remove } = await driver(t);
  let mark = 0;
  for (const key of ['due', 'verified', 'due-2']) {
    const inserted = performance.now();
    const card = await insert({ kind: 'ssc', card: sscCardOf(key) });
    const e = await events.waitFor(isSsc, `${key}'s card`, { from: mark });
    const person = sscCardOf(key);
    t.match(e, { type: 'identify.ssc', identity: { source: 'ssc', name: person.name, idNumber: person.idNumber, gender: person.gender, birthDate: person.birthDate, nation: '汉', cardNumber: 'A01234567', validTo: '2028-06-01' } });
    const read = reads.all.at(-1)!;
    if (read.outcome === 'card') t.comment(`${key}: insert to event ${(performance.now() - inserted).toFixed(0)} ms; read ${read.ms} ms for ${read.apdus} APDUs (${(read.ms / read.apdus).toFixed(1)} ms each)`);
    await remove(card);
    mark = events.mark;
  }
  t.equal(events.count(isSsc), 3);
  t.equal(events.count((e) => e.type !== 'identify.ssc'), 0, 'no errors, no faults');
});

t.test('a T=0 style card (61xx, 6Cxx) reads through GET RESPONSE and resent commands', async (t) => {
  const { events, reads } = await driver(t);
  await insert({ kind: 'ssc', card: sscCardOf('suspended'), t0Style: true });
  t.match(await events.waitFor(isSsc, 'card'), { identity: { name: '黄丽华' } });
  t.match(reads.all.at(-1), { outcome: 'card', apdus: 20 });
});

t.test('a damaged card is unreadable; a card without the application is unsupported', async (t) => {
  const { events, reads, remove } = await driver(t);
  const damaged = await insert({ kind: 'ssc', card: sscCardOf('due'), damage: 'status' });
  await events.waitFor(isReadError('unreadable'), 'unreadable');
  t.match(reads.all.at(-1), { outcome: 'error', reason: 'unreadable', detail: /SW 6581/, reader: 'Virtual PCD 00 00' });
  await remove(damaged);
  await insert({ kind: 'other' });
  await events.waitFor(isReadError('unsupported-card'), 'unsupported');
  t.equal(events.count(isSsc), 0);
});

t.test('a card pulled out in the middle of the read: removed-too-soon, then read when put back', async (t) => {
  const { events, reads, remove } = await driver(t);
  const pulled = await insert({ kind: 'ssc', card: sscCardOf('due') }, 0, { pullAtApdu: 4 });
  await events.waitFor(isReadError('removed-too-soon'), 'removed-too-soon');
  t.match(reads.all, [{ outcome: 'error', reason: 'removed-too-soon' }]);
  t.same([pulled.apduCount, pulled.inserted], [4, false], 'pulled out at the fourth command');
  await remove(pulled);
  await insert({ kind: 'ssc', card: sscCardOf('due') });
  await events.waitFor(isSsc, 'card put back');
});

t.test('only the configured reader counts', async (t) => {
  const { events, reader } = await driver(t, { reader: '00 01' });
  await insert({ kind: 'ssc', card: sscCardOf('due') }, 0);
  await insert({ kind: 'ssc', card: sscCardOf('verified') }, 1);
  const e = await events.waitFor(isSsc, 'card in reader 00 01');
  t.match(e, { identity: { name: '李建国' } });
  t.same(reader.readerNames, ['Virtual PCD 00 01']);
  const none = await driver(t, { reader: 'No Such Reader', readerWaitMs: 100 });
  t.same(await none.events.waitFor((x) => x.type === 'device.fault', 'no-reader'), { type: 'device.fault', device: 'sscReader', reason: 'no-reader' });
});

t.test('listing readers: both vpcd readers; null when pcscd is down', async (t) => {
  t.same(await listPcscReaders(pcscd.socketPath), [...VPCD_READERS]);
  t.equal(await listPcscReaders(`${pcscd.dir}/nothing.comm`), null);
});

t.test('pcscd dies and comes back: fault, a new context, cards read again; the loop never blocks', async (t) => {
  const { events } = await driver(t);
  await insert({ kind: 'ssc', card: sscCardOf('due') });
  await events.waitFor(isSsc, 'card before');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let mark = events.mark;
  await pcscd.stop('SIGKILL');
  t.same(await events.waitFor((e) => e.type === 'device.fault', 'fault', { from: mark }), { type: 'device.fault', device: 'sscReader', reason: 'pcscd-unavailable' });
  mark = events.mark;
  await pcscd.start();
  await events.waitFor((e) => e.type === 'device.ok', 'back', { from: mark });
  await insert({ kind: 'ssc', card: sscCardOf('verified') });
  t.match(await events.waitFor(isSsc, 'card after the restart', { from: mark }), { identity: { name: '李建国' } });
  delay.disable();
  const worstMs = delay.max / 1e6;
  t.ok(worstMs < 200, `event loop delay at most ${worstMs.toFixed(1)} ms while pcscd was away`);
});

t.test('started while pcscd is down: reported, then readers and cards once it is up', async (t) => {
  await pcscd.stop();
  const { events } = await driver(t);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  t.same(await events.waitFor((e) => e.type === 'device.fault', 'fault'), { type: 'device.fault', device: 'sscReader', reason: 'pcscd-unavailable' });
  await pcscd.start();
  await events.waitFor((e) => e.type === 'device.ok', 'reader appeared');
  delay.disable();
  t.ok(delay.max / 1e6 < 200, `no busy-wait on the loop (${(delay.max / 1e6).toFixed(1)} ms worst)`);
  await insert({ kind: 'ssc', card: sscCardOf('due') });
  await events.waitFor(isSsc, 'card');
});
