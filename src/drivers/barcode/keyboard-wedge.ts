/**
 * A scanner in HID keyboard-wedge mode "types" its payload: Linux evdev key events (codes of
 * linux/input-event-codes.h, US layout, as scanners default to), then a terminator key. The
 * decoder turns key presses back into text, tracking Shift and Caps Lock; a key it cannot map
 * makes the payload unreadable rather than silently wrong.
 */
import { EV_KEY } from '../touch/evdev.js';
import type { InputEvent } from '../touch/evdev.js';
import { checkText, MAX_PAYLOAD, type Scan, type Terminator } from './payload.js';

export const KEY_TAB = 15;
export const KEY_ENTER = 28;
export const KEY_LEFTSHIFT = 42;
export const KEY_RIGHTSHIFT = 54;
export const KEY_CAPSLOCK = 58;
export const KEY_KPENTER = 96;
/** Ctrl and Alt: scanners never send them inside a payload; ignored. */
const IGNORED = new Set([29, 56, 97, 100]);

/** Key code → [unshifted, shifted]. */
const KEYS: ReadonlyMap<number, readonly [string, string]> = (() => {
  const m = new Map<number, readonly [string, string]>();
  const row = (first: number, plain: string, shifted: string) => {
    for (let i = 0; i < plain.length; i++) m.set(first + i, [plain[i]!, shifted[i]!]);
  };
  row(2, '1234567890-=', '!@#$%^&*()_+');
  row(16, 'qwertyuiop[]', 'QWERTYUIOP{}');
  row(30, "asdfghjkl;'`", 'ASDFGHJKL:"~');
  row(43, '\\zxcvbnm,./', '|ZXCVBNM<>?');
  m.set(57, [' ', ' ']);
  // Keypad: digits and operators whatever Shift says (Num Lock on, as scanners assume).
  const pad: Array<[number, string]> = [[55, '*'], [71, '7'], [72, '8'], [73, '9'], [74, '-'], [75, '4'], [76, '5'], [77, '6'], [78, '+'], [79, '1'], [80, '2'], [81, '3'], [82, '0'], [83, '.'], [98, '/']];
  for (const [code, ch] of pad) m.set(code, [ch, ch]);
  return m;
})();

/** The keys (code and whether Shift is held) that type `ch`; null if the layout has none. */
export function keyFor(ch: string): { code: number; shift: boolean } | null {
  for (const [code, [plain, shifted]] of KEYS) {
    if (code >= 55 && code !== 57) continue; // prefer the main block over the keypad
    if (plain === ch) return { code, shift: false };
    if (shifted === ch) return { code, shift: true };
  }
  return null;
}

export function terminatorKeys(terminator: Terminator): number[] {
  return terminator === 'TAB' ? [KEY_TAB] : [KEY_ENTER, KEY_KPENTER];
}

/** Feeds evdev events one by one; returns a Scan when a terminator key ends a payload. */
export class WedgeDecoder {
  private text = '';
  private unknown = 0;
  private shifts = 0;
  private caps = false;
  private readonly ends: number[];

  constructor(terminator: Terminator) {
    this.ends = terminatorKeys(terminator);
  }

  feed(e: InputEvent): Scan | null {
    if (e.type !== EV_KEY) return null;
    if (e.code === KEY_LEFTSHIFT || e.code === KEY_RIGHTSHIFT) {
      if (e.value === 1) this.shifts++;
      else if (e.value === 0) this.shifts = Math.max(0, this.shifts - 1);
      return null;
    }
    // Only presses (1) and auto-repeats (2) type; releases do not.
    if (e.value === 0) return null;
    if (e.code === KEY_CAPSLOCK) {
      if (e.value === 1) this.caps = !this.caps;
      return null;
    }
    if (this.ends.includes(e.code)) return this.finish();
    if (IGNORED.has(e.code)) return null;
    const key = KEYS.get(e.code);
    if (!key) {
      this.unknown++;
      return null;
    }
    let ch = this.shifts > 0 ? key[1] : key[0];
    if (this.caps && /^[a-z]$/i.test(key[0])) ch = this.shifts > 0 ? key[0] : key[1];
    if (this.text.length <= MAX_PAYLOAD) this.text += ch;
    return null;
  }

  /** Drops a payload whose terminator never came. */
  flush(): Scan | null {
    if (this.text === '' && this.unknown === 0) return null;
    this.reset();
    return { ok: false, problem: 'payload without terminator' };
  }

  get typing(): boolean {
    return this.text !== '' || this.unknown > 0;
  }

  private finish(): Scan | null {
    const unknown = this.unknown;
    const text = this.text;
    this.reset();
    if (unknown > 0) return { ok: false, problem: `${unknown} key(s) outside the scanner layout` };
    return checkText(text);
  }

  private reset(): void {
    this.text = '';
    this.unknown = 0;
  }
}

/** The evdev events a wedge scanner sends for `text` + terminator (emulator, tests). */
export function typeText(text: string, terminator: Terminator): InputEvent[] {
  const events: InputEvent[] = [];
  const syn = { type: 0, code: 0, value: 0 };
  const tap = (code: number) => events.push({ type: EV_KEY, code, value: 1 }, syn, { type: EV_KEY, code, value: 0 }, syn);
  for (const ch of text) {
    const key = keyFor(ch);
    if (!key) throw new RangeError(`a US-layout scanner cannot type '${ch}'`);
    if (key.shift) events.push({ type: EV_KEY, code: KEY_LEFTSHIFT, value: 1 }, syn);
    tap(key.code);
    if (key.shift) events.push({ type: EV_KEY, code: KEY_LEFTSHIFT, value: 0 }, syn);
  }
  tap(terminatorKeys(terminator)[0]!);
  return events;
}
