/**
 * The social security card read, unit by unit: APDUs, status words (61xx, 6Cxx), TLV, BCD and GBK
 * values, and the whole basic-information sequence against our card applet, without PC/SC.
 */
import t from 'tap';
import {
  exchange,
  getResponse,
  parseResponseApdu,
  readRecord,
  selectByName,
  selectFile,
  swText,
  withLe,
  type Transmit,
} from '../../../src/drivers/ssc-reader/apdu.js';
import { readBasicInfo } from '../../../src/drivers/ssc-reader/basic-info.js';
import { SscApplet, type CardProfile } from '../../../src/drivers/ssc-reader/ssc-applet.js';
import {
  bcdDigits,
  decodeCardNumber,
  decodeDate,
  decodeName,
  decodeNation,
  decodeSex,
  decodeSsn,
  encodeTlv,
  parseTlv,
  SSC_DF_NAME,
  toBcd,
} from '../../../src/drivers/ssc-reader/ssc-records.js';
import { sscCardOf } from './cards.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');


function cardChannel(profile: CardProfile): { transmit: Transmit; sent: Buffer[] } {
  const applet = new SscApplet(profile);
  const sent: Buffer[] = [];
  return {
    sent,
    transmit: async (c) => {
      sent.push(c);
      return applet.process(c);
    },
  };
}

t.test('command APDUs as the card expects them', async (t) => {
  t.same(SSC_DF_NAME, hex('7378312E73682E C9E7 BBE1 B1A3 D5CF'), '"sx1.sh." + GBK 社会保障');
  t.same(selectByName(SSC_DF_NAME), hex('00A404000F 7378312E73682EC9E7BBE1B1A3D5CF'));
  t.same(selectFile(0xef06), hex('00A4020002EF06'));
  t.same(readRecord(7, 5), hex('00B2072C00'), 'record 07 of EF05 by SFI');
  t.same(readRecord(8), hex('00B2080400'), 'record 08 of the current EF');
  t.same(getResponse(0x1a), hex('00C000001A'));
  t.same(withLe(hex('00B2080400'), 0x14), hex('00B2080414'));
  t.same(withLe(hex('00B20804'), 0x14), hex('00B2080414'));
  t.same(withLe(hex('00A4020002EF06'), 0x0a), hex('00A4020002EF060A'));
  t.same(withLe(hex('00A4020002EF0600'), 0x0a), hex('00A4020002EF060A'));
  t.same(parseResponseApdu(hex('01029000')), { data: hex('0102'), sw: 0x9000 });
  t.equal(parseResponseApdu(hex('90')), null);
  t.equal(swText(0x6a82), '6A82');
});

t.test('exchange follows 61xx with GET RESPONSE and 6Cxx with the right Le', async (t) => {
  const answers = [hex('6104'), hex('AABB6102'), hex('CCDD9000')];
  const sent: string[] = [];
  const r = await exchange(async (c) => {
    sent.push(c.toString('hex'));
    return answers.shift()!;
  }, selectFile(0xef06));
  t.same(r, { data: hex('AABBCCDD'), sw: 0x9000 });
  t.same(sent, ['00a4020002ef06', '00c0000004', '00c0000002']);
  const again: string[] = [];
  const six = [hex('6C14'), Buffer.concat([Buffer.alloc(0x14, 1), hex('9000')])];
  const r2 = await exchange(async (c) => {
    again.push(c.toString('hex'));
    return six.shift()!;
  }, readRecord(8));
  t.equal(r2.data.length, 0x14);
  t.same(again, ['00b2080400', '00b2080414']);
  let n = 0;
  const endless = await exchange(async () => (n++, hex('6101')), selectFile(1));
  t.equal(endless.sw, 0x6101, 'a card that never stops asking is cut off');
  t.equal(n, 9);
  await t.rejects(exchange(async () => hex('90'), selectFile(1)), /no status word/);
});

t.test('TLV, BCD, GBK and the field decoders', async (t) => {
  t.same(parseTlv(hex('0803 313233 FF')), { tag: 8, value: hex('313233') });
  t.same(parseTlv(encodeTlv(9, Buffer.alloc(200, 0x41))), { tag: 9, value: Buffer.alloc(200, 0x41) });
  t.same(parseTlv(encodeTlv(9, Buffer.alloc(300, 0x41)))!.value.length, 300);
  for (const bad of ['08', '0805 3132', '0881', '0882 01', '0883 010203', '0881 05 0102']) t.equal(parseTlv(hex(bad)), null, bad);
  t.equal(bcdDigits(hex('19480315')), '19480315');
  t.equal(bcdDigits(hex('194A')), null);
  t.same(toBcd('0315'), hex('0315'));
  t.throws(() => toBcd('123'));
  t.same(decodeDate(hex('19480315'), 'd'), { ok: true, value: '1948-03-15' });
  t.same(decodeDate(hex('00000000'), 'd'), { ok: true, value: null });
  t.same(decodeDate(hex('FFFFFFFF'), 'd'), { ok: true, value: null });
  t.match(decodeDate(hex('19480230'), 'birth date'), { ok: false, problem: 'birth date is not a BCD date' });
  t.match(decodeDate(hex('194803'), 'd'), { ok: false });
  t.same(decodeCardNumber(Buffer.from('A01234567 ')), { ok: true, value: 'A01234567' });
  t.match(decodeCardNumber(hex('41 00 42 43 44 45 46')), { ok: false });
  t.same(decodeSsn(Buffer.from('11010519491231002x')), { ok: true, value: '11010519491231002X' });
  t.match(decodeSsn(Buffer.from('1101051949')), { ok: false });
  t.same(decodeName(hex('B3C2D0E3D3A2 0000')), { ok: true, value: '陈秀英' });
  t.match(decodeName(hex('0000')), { ok: false, problem: 'name is empty' });
  t.match(decodeName(hex('FF01 8100')), { ok: false, problem: 'name is not GBK text' });
  t.same(decodeSex(Buffer.from('2')), { ok: true, value: 'female' });
  t.same(decodeSex(hex('01')), { ok: true, value: 'male' });
  t.same(decodeSex(Buffer.from('9')), { ok: true, value: 'unknown' });
  t.match(decodeSex(hex('3132')), { ok: false });
  t.same(decodeNation(hex('01')), { ok: true, value: '汉' });
  t.same(decodeNation(hex('56')), { ok: true, value: '基诺' });
  t.same(decodeNation(hex('99')), { ok: true, value: null });
  t.same(decodeNation(hex('0A')), { ok: true, value: null });
});

t.test('the basic-information sequence on a social security card', async (t) => {
  const card = sscCardOf('due');
  const { transmit, sent } = cardChannel({ kind: 'ssc', card });
  const r = await readBasicInfo(transmit);
  t.same(r, {
    ok: true,
    apdus: 10,
    holder: {
      cardNumber: 'A01234567',
      identity: { name: '陈秀英', gender: 'female', idNumber: card.idNumber, birthDate: '1948-03-15', nation: '汉', validFrom: '2018-06-01', validTo: '2028-06-01', cardNumber: 'A01234567' },
    },
  });
  t.same(
    sent.map((c) => c.toString('hex').toUpperCase()),
    [
      '00A404000F7378312E73682EC9E7BBE1B1A3D5CF',
      '00B2072C00',
      '00B2052C00',
      '00B2062C00',
      '00A4020002EF06',
      '00B2080400',
      '00B2090400',
      '00B20A0400',
      '00B20B0400',
      '00B20D0400',
    ],
  );
});

t.test('a T=0 style card (61xx on select, 6Cxx on every record) reads the same', async (t) => {
  const { transmit } = cardChannel({ kind: 'ssc', card: sscCardOf('verified'), t0Style: true });
  const r = await readBasicInfo(transmit);
  t.match(r, { ok: true, holder: { identity: { name: '李建国', gender: 'male' } } });
  t.equal(r.apdus, 10 + 2 + 8, 'two GET RESPONSEs, eight resent reads');
});

t.test('a card without validity records still reads; nation absent when unknown', async (t) => {
  const { issuedOn: _i, validTo: _v, ...rest } = sscCardOf('due-2');
  const r = await readBasicInfo(cardChannel({ kind: 'ssc', card: { ...rest, nation: '火星' } }).transmit);
  t.ok(r.ok);
  if (r.ok) {
    t.notOk('validTo' in r.holder.identity);
    t.notOk('nation' in r.holder.identity);
  }
});

t.test('a non-SSC card is unsupported; damaged cards are unreadable with the reason', async (t) => {
  t.match(await readBasicInfo(cardChannel({ kind: 'other' }).transmit), { ok: false, reason: 'unsupported-card', detail: /6A82/ });
  const card = sscCardOf('due');
  t.match(await readBasicInfo(cardChannel({ kind: 'ssc', card, damage: 'status' }).transmit), { ok: false, reason: 'unreadable', detail: /record 8: SW 6581/ });
  t.match(await readBasicInfo(cardChannel({ kind: 'ssc', card, damage: 'tlv' }).transmit), { ok: false, reason: 'unreadable', detail: /record 8: not a TLV/ });
  t.match(await readBasicInfo(cardChannel({ kind: 'ssc', card, damage: 'name' }).transmit), { ok: false, reason: 'unreadable', detail: 'name is not GBK text' });
  t.match(await readBasicInfo(async () => hex('6F00')), { ok: false, reason: 'unreadable', detail: /select application: SW 6F00/ });
  t.match(await readBasicInfo(async () => hex('01')), { ok: false, reason: 'unreadable', detail: /no status word/ });
  t.match(await readBasicInfo(async () => Buffer.alloc(0)), { ok: false, reason: 'removed-too-soon', detail: /went silent/ }, 'no answer at all: the card left');
});

t.test('the card channel failing (card pulled, reader gone) ends the read as removed-too-soon', async (t) => {
  const applet = new SscApplet({ kind: 'ssc', card: sscCardOf('due') });
  let n = 0;
  const r = await readBasicInfo(async (c) => {
    if (++n === 6) throw new Error('SCardTransmit error: Card was removed.(0x80100069)');
    return applet.process(c);
  });
  t.match(r, { ok: false, reason: 'removed-too-soon', detail: /Card was removed/, apdus: 6 });
});

t.test('the applet refuses what a card would refuse', async (t) => {
  const applet = new SscApplet({ kind: 'ssc', card: sscCardOf('due') });
  t.same(applet.process(hex('00B2080400')), hex('6985'), 'no record before the application is selected');
  t.same(applet.process(hex('80A4')), hex('6700'));
  t.same(applet.process(hex('80A40400')), hex('6E00'));
  t.same(applet.process(hex('00CA0000')), hex('6D00'));
  t.same(applet.process(hex('00C0000010')), hex('6985'), 'nothing to GET RESPONSE');
  t.same(applet.process(hex('00A4020002EF06')), hex('6A82'), 'EF06 only inside the application');
  applet.process(selectByName(SSC_DF_NAME));
  t.same(applet.process(hex('00A4010002EF06')), hex('6A86'));
  t.same(applet.process(hex('00B2080400')), hex('6A83'), 'no current EF yet');
  t.same(applet.process(hex('00B2080500')), hex('6A86'));
  t.same(applet.process(hex('00B2082C00')), hex('6A83'), 'record 08 is not in EF05');
  t.same(applet.process(hex('00B2012C00')), hex('6A83'));
  t.same(applet.process(hex('00B2072C05')).subarray(-2), hex('6282'), 'a short Le gets what fits and a warning');
});
