/**
 * Fuzzing the social security card parsers: response APDUs, TLV records and their value decoders,
 * and whole reads against a card whose answers are mutated. 100,000 inputs for each parser,
 * fixed seeds: nothing throws, nothing hangs, every failure has a reason.
 */
import t from 'tap';
import { exchange, parseResponseApdu } from '../../../src/drivers/ssc-reader/apdu.js';
import { readBasicInfo } from '../../../src/drivers/ssc-reader/basic-info.js';
import { SscApplet } from '../../../src/drivers/ssc-reader/ssc-applet.js';
import {
  decodeCardNumber,
  decodeDate,
  decodeName,
  decodeNation,
  decodeSex,
  decodeSsn,
  encodeRecords,
  encodeTlv,
  parseTlv,
} from '../../../src/drivers/ssc-reader/ssc-records.js';
import { mutate, Rng } from '../fuzz-input.js';
import { sscCardOf } from './cards.js';

const RUNS = 100_000;
const cards = ['due', 'due-2', 'verified', 'not-retiree', 'suspended'].map((k) => sscCardOf(k));
const tlvs = cards.flatMap((c) => [...encodeRecords(c)].map(([tag, value]) => encodeTlv(tag, value)));

t.test(`TLV records and value decoders: ${RUNS} random and mutated`, async (t) => {
  const rng = new Rng(0x55c);
  const started = performance.now();
  let parsed = 0;
  for (let i = 0; i < RUNS; i++) {
    const input = i % 2 ? mutate(rng, rng.pick(tlvs)) : rng.bytes(rng.int(40));
    const tlv = parseTlv(input);
    if (tlv) {
      parsed++;
      if (tlv.value.length > input.length) t.fail(`input ${i}: value longer than its input`);
      for (const decode of [decodeCardNumber, decodeSsn, decodeName, decodeSex, decodeNation, (v: Buffer) => decodeDate(v, 'date')]) {
        const f = decode(tlv.value);
        if (!f.ok && !f.problem) t.fail(`input ${i}: failure without a problem`);
      }
    }
  }
  t.ok(parsed > RUNS / 4, `${parsed} parsed as TLV`);
  t.comment(`TLV + decoders: ${RUNS} inputs in ${(performance.now() - started).toFixed(0)} ms`);
});

t.test(`response APDUs through exchange: ${RUNS} random answers`, async (t) => {
  const rng = new Rng(0x61c);
  const started = performance.now();
  let settled = 0;
  for (let i = 0; i < RUNS; i++) {
    const answers = 1 + rng.int(4);
    let n = 0;
    try {
      const r = await exchange(async () => {
        n++;
        // Status words biased toward the ones exchange follows: 61xx, 6Cxx.
        const sw = rng.int(3) === 0 ? Buffer.from([rng.pick([0x61, 0x6c, 0x90, 0x6a]), rng.int(256)]) : rng.bytes(rng.int(3));
        return n >= answers ? Buffer.concat([rng.bytes(rng.int(20)), Buffer.from([0x90, 0x00])]) : Buffer.concat([rng.bytes(rng.int(20)), sw]);
      }, Buffer.from([0x00, 0xb2, 0x08, 0x04, 0x00]));
      if (typeof r.sw !== 'number') t.fail(`input ${i}: no status word`);
      settled++;
    } catch (e) {
      if ((e as Error).name !== 'MalformedResponse') t.fail(`input ${i}: ${(e as Error).message}`);
    }
    if (n > 9) t.fail(`input ${i}: ${n} exchanges for one command`);
    const raw = rng.bytes(rng.int(6));
    const p = parseResponseApdu(raw);
    if (p && p.data.length !== raw.length - 2) t.fail('data length');
  }
  t.ok(settled > RUNS / 2);
  t.comment(`exchange: ${RUNS} commands in ${(performance.now() - started).toFixed(0)} ms`);
});

const READS = RUNS / 5;
t.test(`whole reads against a card answering mutated responses: ${READS}`, async (t) => {
  const rng = new Rng(0x0ef06);
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  let channelFailures = 0;
  // Each read starts by selecting the application, so one applet per card serves many reads.
  const applets = cards.flatMap((card) => [new SscApplet({ kind: 'ssc', card }), new SscApplet({ kind: 'ssc', card, t0Style: true })]);
  for (let i = 0; i < READS; i++) {
    const applet = rng.pick(applets);
    // Each read mutates one of its answers (at a random position in the sequence).
    const victim = rng.int(12);
    let k = 0;
    const r = await readBasicInfo(async (c) => {
      const answer = applet.process(c);
      return k++ === victim ? mutate(rng, answer) : answer;
    });
    const key = r.ok ? 'ok' : r.reason;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    if (!r.ok && !r.detail) t.fail(`input ${i}: no detail`);
    if (!r.ok && r.detail.startsWith('card channel')) channelFailures++;
    if (r.ok && !/^\d{17}[\dX]$/.test(r.holder.identity.idNumber)) t.fail(`input ${i}: malformed number accepted`);
  }
  t.ok((outcomes.ok ?? 0) > 0 && (outcomes.unreadable ?? 0) > 0, JSON.stringify(outcomes));
  t.equal(channelFailures, 0, 'no exception escaped the decoders (it would read as a channel failure)');
  t.comment(`reads: ${READS} in ${(performance.now() - started).toFixed(0)} ms: ${JSON.stringify(outcomes)}`);
});
