import t from 'tap';
import { KEY_CAPSLOCK, KEY_ENTER, KEY_LEFTSHIFT, KEY_TAB, keyFor, typeText, WedgeDecoder } from '../../../src/drivers/barcode/keyboard-wedge.js';
import { checkBytes, checkText, MAX_PAYLOAD, PayloadSplitter, type Scan } from '../../../src/drivers/barcode/payload.js';
import { EV_KEY, EV_SYN, type InputEvent } from '../../../src/drivers/touch/evdev.js';

const ok = (token: string): Scan => ({ ok: true, token });

t.test('serial payloads end at the configured terminator', async (t) => {
  const cr = new PayloadSplitter('CR');
  t.same(cr.push(Buffer.from('ESSC-7Q2M-DUE\r')), [ok('ESSC-7Q2M-DUE')]);
  t.same(cr.push(Buffer.from('AB')), []);
  t.equal(cr.pending, 2);
  t.same(cr.push(Buffer.from('C\rDEF\r\r')), [ok('ABC'), ok('DEF')], 'split and merged payloads; an empty one is no scan');
  t.same(cr.push(Buffer.from('\nGHI\r\n')), [ok('GHI')], 'a CR LF scanner on a CR setting: the LF is dropped as space');
  const crlf = new PayloadSplitter('CRLF');
  t.same(crlf.push(Buffer.from('12\r')), []);
  t.same(crlf.push(Buffer.from('\n34\r\n')), [ok('12'), ok('34')]);
  t.same(new PayloadSplitter('LF').push(Buffer.from('https://example.invalid/essc?t=1\n')), [ok('https://example.invalid/essc?t=1')]);
  t.same(new PayloadSplitter('TAB').push(Buffer.from('X1\t')), [ok('X1')]);
  t.same(new PayloadSplitter('CR').push(Buffer.from('社保码\r')), [ok('社保码')], 'UTF-8 text');
});

t.test('bad payloads are unreadable scans, with the reason', async (t) => {
  const s = new PayloadSplitter('CR');
  t.same(s.push(Buffer.from([0x41, 0xff, 0xfe, 0x0d])), [{ ok: false, problem: 'payload is not UTF-8 text' }]);
  t.same(s.push(Buffer.from('A\u0007B\r')), [{ ok: false, problem: 'payload holds control characters' }]);
  t.same(checkText('x'.repeat(MAX_PAYLOAD + 1)), { ok: false, problem: `payload longer than ${MAX_PAYLOAD} characters` });
  t.equal(checkText('   '), null);
  t.equal(checkBytes(Buffer.alloc(0)), null);
  s.push(Buffer.from('half'));
  t.same(s.flush(), { ok: false, problem: 'payload without terminator' });
  t.equal(s.flush(), null);
  const flood = s.push(Buffer.alloc(MAX_PAYLOAD * 4 + 1, 0x41));
  t.same(flood, [{ ok: false, problem: 'payload longer than the longest code' }]);
  t.equal(s.pending, 0, 'a flood is not held');
});

function decode(events: InputEvent[], terminator: 'CR' | 'TAB' = 'CR'): Array<Scan | null> {
  const d = new WedgeDecoder(terminator);
  return events.map((e) => d.feed(e)).filter((s) => s !== null);
}

t.test('keyboard wedge: every printable ASCII character types and decodes back', async (t) => {
  let all = '';
  for (let c = 0x20; c < 0x7f; c++) all += String.fromCharCode(c);
  const inner = all.trim();
  t.same(decode(typeText(inner, 'CR')), [ok(inner)]);
  t.same(decode(typeText('ESSC-7Q2M-DUE', 'TAB'), 'TAB'), [ok('ESSC-7Q2M-DUE')]);
  t.throws(() => typeText('社', 'CR'), /cannot type/);
  t.equal(keyFor('é'), null);
});

t.test('keyboard wedge: shift, caps lock, keypad, repeats, releases, other event types', async (t) => {
  const key = (code: number, value = 1): InputEvent => ({ type: EV_KEY, code, value });
  const syn: InputEvent = { type: EV_SYN, code: 0, value: 0 };
  t.same(decode([key(KEY_CAPSLOCK), key(KEY_CAPSLOCK, 0), key(30), key(30, 0), key(KEY_LEFTSHIFT), key(30), key(KEY_LEFTSHIFT, 0), key(KEY_CAPSLOCK), key(30), syn, key(KEY_ENTER)]), [ok('Aaa')]);
  t.same(decode([key(79), key(82), key(83), key(98), key(2, 2), key(96)]), [ok('10./1')], 'keypad keys and an auto-repeat; keypad Enter ends it');
  t.same(decode([key(29), key(2), key(56), key(3), key(KEY_ENTER)]), [ok('12')], 'Ctrl and Alt are ignored');
  t.same(decode([key(2), key(183), key(KEY_ENTER)]), [{ ok: false, problem: '1 key(s) outside the scanner layout' }]);
  t.same(decode([key(KEY_ENTER)]), [], 'an empty scan is none');
  t.same(decode([key(2), key(KEY_TAB)], 'CR'), [], 'Tab does not end a scan on a CR scanner');
  t.same(decode([key(2), key(KEY_TAB), key(KEY_ENTER)], 'CR'), [{ ok: false, problem: '1 key(s) outside the scanner layout' }], '…and is no character either');
  const d = new WedgeDecoder('CR');
  d.feed(key(2));
  t.ok(d.typing);
  t.same(d.flush(), { ok: false, problem: 'payload without terminator' });
  t.notOk(d.typing);
  t.equal(d.flush(), null);
});
