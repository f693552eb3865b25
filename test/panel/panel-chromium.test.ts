/**
 * The browser panel in real Chromium (Debian's, driven by playwright-core): what the page shows is
 * what the framebuffer driver draws, clicks are touches through the touch port, the side panel's
 * devices reach the terminal. Skipped only when /usr/bin/chromium is missing (make test installs it).
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { createCanvas, Image } from '@napi-rs/canvas';
import type { Page } from 'playwright-core';
import { BIN } from '../helpers.js';
import { act, chromiumMissing, launchChromium, openPanel, pagePoint, press, settled, startPanelDaemon, state, waitScreen } from './chromium.js';

const missing = chromiumMissing();
if (missing) {
  t.comment(`skipping the browser panel tests: ${missing}`);
  t.pass('skipped: no chromium');
} else {
  run();
}

function rgbaOf(png: Buffer): { width: number; height: number; data: Uint8ClampedArray } {
  const image = new Image();
  image.src = png;
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: ctx.getImageData(0, 0, image.width, image.height).data };
}

/** The canvas as the page shows it, read back losslessly. */
async function canvasPixels(page: Page) {
  const url = await page.evaluate(() => (globalThis as unknown as { document: { getElementById(id: string): { toDataURL(type: string): string } } }).document.getElementById('screen').toDataURL('image/png'));
  return rgbaOf(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'));
}

function screenshotPixels(dir: string, screen: string, fixture: string) {
  const file = join(dir, `${fixture}.png`);
  const r = spawnSync(process.execPath, [BIN, 'screenshot', screen, '--fixture', fixture, '--out', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lifecheck screenshot failed: ${r.stderr}`);
  return rgbaOf(readFileSync(file));
}

/** Pixels whose red, green or blue differ. */
function differing(a: { data: Uint8ClampedArray }, b: { data: Uint8ClampedArray }): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2]) n++;
  return n;
}

function run(): void {
  t.test('the panel in Chromium', async (t) => {
    const daemon = await startPanelDaemon();
    t.teardown(daemon.stop);
    const browser = await launchChromium();
    t.teardown(browser.close);
    const page = await openPanel(browser.context, daemon.url);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await t.test('the canvas shows the pixels `lifecheck screenshot` draws for the same screen', async (t) => {
      await waitScreen(page, 'home');
      await settled(page);
      const shown = await canvasPixels(page);
      const expected = screenshotPixels(daemon.dir, 'home', 'home');
      t.same([shown.width, shown.height], [expected.width, expected.height], 'same size');
      t.equal(differing(shown, expected), 0, 'every pixel of the home screen equal');
    });

    await t.test('a touch outside every button does nothing', async (t) => {
      const before = await state(page);
      const start = before.buttons.find((b) => b.id === 'start')!;
      // Above the start button, on the title text: no button there.
      const at = await pagePoint(page, start.x + start.width / 2, Math.max(0, start.y - 200));
      await page.mouse.click(at.x, at.y);
      await settled(page);
      const after = await state(page);
      t.equal(after.screen, 'home', 'still home');
      t.equal(after.paintedSeq, before.paintedSeq, 'not one pixel redrawn (no button was pressed)');
      // While the same click on the button starts a session.
      await press(page, 'start', 'identify');
      t.pass('the start button starts a session');
      await press(page, 'home', 'home');
    });

    await t.test("the seed's happy path by clicks only, with the receipt and the prompts shown", async (t) => {
      await press(page, 'start', 'identify');
      t.equal((await act(page, { t: 'ping' })).ok, true);
      await page.locator('#person').selectOption('due');
      await page.locator('#tap-card').click();
      await waitScreen(page, 'confirm');
      await press(page, 'enter', 'service');
      await press(page, 'apply', 'consent');
      await press(page, 'agree', 'capture');
      // The simulated person in front of the camera does every action; the terminal takes the photo.
      await waitScreen(page, 'captured', 60_000);
      await press(page, 'submit', 'submitting');
      await waitScreen(page, 'result', 30_000);
      await page.waitForFunction(() => (globalThis as unknown as { panel: { receipt: boolean } }).panel.receipt, null, { timeout: 10_000 });
      const s = await state(page);
      t.ok(s.prompts.includes('回执打印成功，请取走回执。'), 'the receipt prompt is shown as text');
      t.ok(await page.locator('#receipt').isVisible(), 'the printed receipt is shown as a picture');
      t.match(await page.locator('#transcript').innerText(), /屏幕 result/, 'the transcript follows the session');
      await press(page, 'exit', 'home');
      // The voice the page plays: the prompt's WAV from the terminal's voice cache.
      const wav = await fetch(new URL('/voice/receipt.take.wav', daemon.url));
      // espeak-ng is in scripts/apt-packages.txt: where it is installed, the sound must be there.
      if (spawnSync('espeak-ng', ['--version']).status === 0) {
        t.equal(wav.status, 200, 'the prompt sound');
        t.equal(wav.headers.get('content-type'), 'audio/wav');
        t.equal(Buffer.from(await wav.arrayBuffer()).subarray(0, 4).toString('latin1'), 'RIFF', 'a WAV');
      } else t.comment(`no espeak-ng here: no prompt sound (${wav.status})`);
    });

    await t.test('unplugged readers: the home screen says which, then out of service, drawn as the screenshot draws it', async (t) => {
      await waitScreen(page, 'home');
      t.match(await act(page, { t: 'plug', device: 'idReader', plugged: false }), { ok: true });
      await page.waitForFunction(() => (globalThis as unknown as { panel: { devices: Record<string, { ok: boolean }> } }).panel.devices.idReader?.ok === false);
      t.ok((await state(page)).buttons.find((b) => b.id === 'start')?.enabled, 'one reader gone: still serving by the others');
      await act(page, { t: 'plug', device: 'sscReader', plugged: false });
      await act(page, { t: 'plug', device: 'barcode', plugged: false });
      await page.waitForFunction(() => (globalThis as unknown as { panel: { buttons: Array<{ id: string; enabled: boolean }> } }).panel.buttons.find((b) => b.id === 'start')?.enabled === false);
      t.pass('no way to identify: out of service, the start button disabled');
      for (const device of ['idReader', 'sscReader', 'barcode']) await act(page, { t: 'plug', device, plugged: true });
      await page.waitForFunction(() => (globalThis as unknown as { panel: { buttons: Array<{ id: string; enabled: boolean }> } }).panel.buttons.find((b) => b.id === 'start')?.enabled === true);
      // The camera unplugged: the screenshot fixture of exactly that screen.
      await page.locator('#plug-camera').uncheck();
      await page.waitForFunction(() => (globalThis as unknown as { panel: { devices: Record<string, { ok: boolean }> } }).panel.devices.camera?.ok === false);
      await settled(page);
      const shown = await canvasPixels(page);
      t.equal(differing(shown, screenshotPixels(daemon.dir, 'home', 'home-out-of-service')), 0, 'the out-of-service screen, pixel for pixel');
      await page.locator('#plug-camera').check();
      await page.waitForFunction(() => (globalThis as unknown as { panel: { devices: Record<string, { ok: boolean }> } }).panel.devices.camera?.ok === true);
    });

    await t.test("the side panel's SI fault and printer state reach the terminal", async (t) => {
      await waitScreen(page, 'home');
      await page.locator('#printer').selectOption('paper-out');
      await page.waitForFunction(() => (globalThis as unknown as { panel: { devices: Record<string, { ok: boolean }> } }).panel.devices.printer?.ok === false);
      t.pass('paper out: the printer is faulty as the machine sees it');
      await page.locator('#printer').selectOption('ok');
      await page.waitForFunction(() => (globalThis as unknown as { panel: { devices: Record<string, { ok: boolean }> } }).panel.devices.printer?.ok === true);
      // The simulated SI's next look-up fails: armed from the page, as `inject si lookup unreachable`.
      await page.locator('#si-op').selectOption('lookup');
      await page.locator('#si-fault').selectOption('unreachable');
      await page.locator('#si-apply').click();
      await page.waitForFunction(() => (globalThis as unknown as { panel: { answers: Array<{ ok: boolean; result?: { armed?: string } }> } }).panel.answers.some((a) => a.ok && a.result?.armed === 'lookup unreachable'));
      await press(page, 'start', 'identify');
      await page.locator('#tap-card').click();
      await waitScreen(page, 'confirm');
      await press(page, 'enter', 'siProblem');
      t.pass('the look-up failed: the SI problem screen');
      await press(page, 'home', 'home');
    });

    await t.test('what the page may not do', async (t) => {
      t.match(await act(page, { t: 'printer', status: 'on-fire' }), { ok: false, error: /printer status/ });
      t.match(await act(page, { t: 'card', person: 'nobody' }), { ok: false, error: /no test person/ });
      t.match(await act(page, { t: 'screen', file: '/tmp/x.png' }), { ok: false, error: /unknown action/ });
      // Another web site cannot open the terminal's WebSocket from a visitor's browser.
      // (node:http: fetch will not set Host.)
      const status = (headers: Record<string, string>, path = '/') =>
        new Promise<number>((resolve, reject) => {
          const req = get(new URL(path, daemon.url), { headers }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
        });
      t.equal(await status({ host: 'evil.example' }), 421, 'a foreign Host is refused (DNS rebinding)');
      const port = new URL(daemon.url).port;
      const upgrade = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
      t.equal(await status({ ...upgrade, host: `127.0.0.1:${port}`, origin: 'http://evil.example' }, '/ws').catch(() => 403), 403, 'a WebSocket from another origin is refused');
      t.same(errors, [], 'no errors in the page');
    });
  });
}
