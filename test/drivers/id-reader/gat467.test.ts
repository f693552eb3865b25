import t from 'tap';
import {
  checksum,
  encodeRequest,
  encodeResponse,
  FrameParser,
  joinBaseInfo,
  MAX_BODY,
  parseRequest,
  parseResponse,
  PREAMBLE,
  splitBaseInfo,
  SW3,
  type ParsedItem,
} from '../../../src/drivers/id-reader/gat467.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const bodies = (items: ParsedItem[]) => items.filter((i) => i.kind === 'frame').map((i) => (i as { body: Buffer }).body.toString('hex'));

t.test('requests are the frames readers expect, byte for byte', async (t) => {
  // The well-known request frames: length 3 (CMD PARA CHK), CHK = XOR from the length on.
  t.same(encodeRequest('findCard'), hex('AA AA AA 96 69 00 03 20 01 22'));
  t.same(encodeRequest('selectCard'), hex('AA AA AA 96 69 00 03 20 02 21'));
  t.same(encodeRequest('readBase'), hex('AA AA AA 96 69 00 03 30 01 32'));
  t.same(encodeRequest('samStatus'), hex('AA AA AA 96 69 00 03 11 FF ED'));
});

t.test('responses: SW1 SW2 SW3 data, checksum over length and body', async (t) => {
  const found = encodeResponse(SW3.cardFound, Buffer.alloc(4));
  t.same(found.subarray(0, 5), PREAMBLE);
  t.equal(found.readUInt16BE(5), 3 + 4 + 1);
  t.equal(found.at(-1), checksum(found, 5, found.length - 1));
  const [item] = new FrameParser().push(found);
  t.equal(item!.kind, 'frame');
  t.same(parseResponse((item as { body: Buffer }).body), { sw1: 0, sw2: 0, sw3: 0x9f, data: Buffer.alloc(4) });
  t.equal(parseResponse(Buffer.from([0, 0])), null, 'a body shorter than the three status bytes is no response');
  t.same(parseRequest(hex('2001')), { command: 'findCard', cmd: 0x20, para: 0x01, data: Buffer.alloc(0) });
  t.equal(parseRequest(hex('7777'))!.command, null);
  t.equal(parseRequest(hex('20')), null);
});

t.test('garbage before, between and after frames is skipped and counted', async (t) => {
  const a = encodeResponse(0x90, hex('0102'));
  const b = encodeResponse(0x9f);
  const items = new FrameParser().push(Buffer.concat([hex('00 FF AA 13'), a, hex('AA AA 96'), b, hex('55')]));
  t.same(bodies(items), ['00009001 02'.replace(' ', ''), '00009f']);
  const garbage = items.filter((i) => i.kind === 'garbage').reduce((n, i) => n + (i as { bytes: number }).bytes, 0);
  t.equal(garbage, 4 + 3 + 1);
});

t.test('a frame split at every possible point, and frames merged in one read', async (t) => {
  const frame = encodeResponse(0x90, Buffer.alloc(300, 7));
  for (let cut = 0; cut <= frame.length; cut++) {
    const p = new FrameParser();
    const got = [...p.push(frame.subarray(0, cut)), ...p.push(frame.subarray(cut))];
    if (bodies(got).length !== 1) t.fail(`split at ${cut}`);
  }
  const p = new FrameParser();
  let n = 0;
  for (const byte of Buffer.concat([frame, frame, frame])) n += bodies(p.push(Buffer.from([byte]))).length;
  t.equal(n, 3, 'byte by byte, three frames');
  t.equal(p.pending, 0);
});

t.test('a preamble split across reads is not lost as garbage', async (t) => {
  const p = new FrameParser();
  const frame = encodeResponse(0x90);
  const first = p.push(Buffer.concat([hex('0102'), frame.subarray(0, 3)]));
  t.same(first, [{ kind: 'garbage', bytes: 2 }]);
  t.same(bodies(p.push(frame.subarray(3))), ['000090']);
});

t.test('bad checksum: reported, dropped, and the next frame still comes through', async (t) => {
  const bad = encodeResponse(0x90, Buffer.alloc(8, 1));
  bad[bad.length - 1]! ^= 0x01;
  const good = encodeResponse(0x9f);
  const items = new FrameParser().push(Buffer.concat([bad, good]));
  t.ok(items.some((i) => i.kind === 'bad-checksum'));
  t.same(bodies(items), ['00009f']);
});

t.test('a corrupt length that swallows the next frame: the frame is found inside', async (t) => {
  const good = encodeResponse(0x9f);
  // A preamble whose length (0x0010) covers the good frame that follows; its checksum cannot match.
  const liar = Buffer.concat([PREAMBLE, hex('0010')]);
  const items = new FrameParser().push(Buffer.concat([liar, good, Buffer.alloc(10)]));
  t.ok(items.some((i) => i.kind === 'bad-checksum'));
  t.same(bodies(items), ['00009f']);
});

t.test('impossible lengths are skipped at once; reset drops a half frame', async (t) => {
  const p = new FrameParser();
  const huge = Buffer.concat([PREAMBLE, Buffer.from([(MAX_BODY + 2) >> 8, (MAX_BODY + 2) & 0xff])]);
  const tiny = Buffer.concat([PREAMBLE, hex('0001')]);
  t.same(bodies(p.push(Buffer.concat([huge, tiny, encodeResponse(0x90)]))), ['000090']);
  p.push(encodeResponse(0x90, Buffer.alloc(100)).subarray(0, 50));
  t.equal(p.pending, 50);
  p.reset();
  t.equal(p.pending, 0);
  t.same(bodies(p.push(encodeResponse(0x9f))), ['00009f']);
});

t.test('read-base data: lengths, text, photo', async (t) => {
  const text = Buffer.alloc(256, 0x20);
  const photo = Buffer.alloc(1024, 0xab);
  const data = joinBaseInfo(text, photo);
  t.same(data.subarray(0, 4), hex('0100 0400'));
  const split = splitBaseInfo(data);
  t.ok('text' in split && split.text.equals(text) && split.photo.equals(photo));
  t.match(splitBaseInfo(data.subarray(0, 1000)), { error: /do not match/ });
  t.match(splitBaseInfo(hex('01')), { error: /1 bytes/ });
});
