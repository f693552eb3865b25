/**
 * Debian's Chromium driven with playwright-core, for the panel's end-to-end tests and its bench.
 * Never a browser downloaded by playwright: the apt package (scripts/apt-packages.txt) only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { BIN, eventually, freePorts } from '../helpers.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing: apt-get install chromium (scripts/apt-packages.txt; make test installs it)`;
}

/** `extraArgs`: e.g. Chromium's fake camera fed a .y4m clip (--use-file-for-fake-video-capture). */
export async function launchChromium(extraArgs: string[] = []): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'lc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...extraArgs],
    viewport: { width: 1700, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface PanelDaemon {
  child: ChildProcess;
  url: string;
  dir: string;
  socket: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** `lifecheck run` on the sim profile with the panel on a free loopback port. */
export async function startPanelDaemon(args: string[] = ['--vision', 'cooperative'], env: Record<string, string> = {}): Promise<PanelDaemon> {
  // A short folder: the REPL's Unix socket path must stay under 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'lc-panel-'));
  const socket = join(dir, 'repl.sock');
  const [port] = await freePorts(1);
  let log = '';
  const child = spawn(process.execPath, [BIN, 'run', ...args], {
    cwd: dir,
    env: { ...process.env, LIFECHECK_REPL_SOCKET: socket, LIFECHECK_PANEL_LISTEN: `127.0.0.1:${port}`, LIFECHECK_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(async () => child.exitCode === null && (await fetch(url)).ok, 30_000, `the panel at ${url}`);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  return { child, url, dir, socket, log: () => log, stop };
}

/** The page's counters (assets/panel/panel.js, window.panel). */
export interface PanelState {
  screen: string | null;
  mode: string | null;
  frames: number;
  paintedSeq?: number;
  screens: string[];
  buttons: Array<{ id: string; enabled: boolean; x: number; y: number; width: number; height: number }>;
  devices: Record<string, { ok: boolean }>;
  prompts: string[];
  receipt: boolean;
  latencies: number[];
  width: number;
  height: number;
}

export function state(page: Page): Promise<PanelState> {
  return page.evaluate(() => (globalThis as unknown as { panel: PanelState }).panel);
}

/** Sends an action as the page's side panel does; resolves with the daemon's answer. */
export function act(page: Page, message: Record<string, unknown>): Promise<{ ok: boolean; result?: any; error?: string }> {
  return page.evaluate((m) => (globalThis as unknown as { panel: { act: (m: unknown) => Promise<any> } }).panel.act(m), message);
}

/** Resolves once the page shows SCREEN (the daemon's screen message), within `ms`. */
export async function waitScreen(page: Page, screen: string, ms = 20_000): Promise<void> {
  await page.waitForFunction((s) => (globalThis as unknown as { panel: PanelState }).panel.screen === s, screen, { timeout: ms });
}

/** Resolves once every draw the daemon made so far is painted in the page. */
export async function settled(page: Page): Promise<void> {
  const answer = await act(page, { t: 'ping' });
  await page.waitForFunction((seq) => ((globalThis as unknown as { panel: PanelState }).panel.paintedSeq ?? 0) >= seq, answer.result.seq as number, { timeout: 10_000 });
}

/** Page coordinates of a point of the terminal's screen (the canvas is scaled to fit). */
export async function pagePoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = await page.locator('#screen').boundingBox();
  const s = await state(page);
  if (!box) throw new Error('no canvas');
  return { x: box.x + ((x + 0.5) * box.width) / s.width, y: box.y + ((y + 0.5) * box.height) / s.height };
}

/**
 * Clicks a button of the screen shown, where it is drawn, as a finger would: after the touch guard
 * (TOUCH_GUARD, touches right after a screen change are ignored) has passed since the page saw
 * the screen appear.
 */
export async function clickButton(page: Page, id: string, guardMs = 300): Promise<void> {
  await page.waitForFunction(
    ([b, guard]) => {
      const p = (globalThis as unknown as { panel: PanelState & { screenAt?: number } }).panel;
      return p.buttons.some((x) => x.id === b && x.enabled) && performance.now() - (p.screenAt ?? 0) > (guard as number) + 50;
    },
    [id, guardMs] as const,
    { timeout: 10_000 },
  );
  const s = await state(page);
  const b = s.buttons.find((x) => x.id === id)!;
  const at = await pagePoint(page, b.x + b.width / 2, b.y + b.height / 2);
  await page.mouse.click(at.x, at.y);
}

/** A click that changes the screen: clicked again if the terminal's touch guard swallowed it. */
export async function press(page: Page, button: string, next: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const seen = (await state(page)).screens.length;
    await clickButton(page, button);
    try {
      // Seen at all since the click: a brief screen (submitting) may be gone by the next look.
      await page.waitForFunction(([s, from]) => (globalThis as unknown as { panel: { screens: string[] } }).panel.screens.slice(from as number).includes(s as string), [next, seen] as const, { timeout: attempt < 3 ? 3_000 : 20_000 });
      return;
    } catch (e) {
      if (attempt >= 3 || (await state(page)).screens.length > seen) throw e;
    }
  }
}

export async function openPanel(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  // The prompts' sound is not what these tests look at.
  await page.goto(url);
  await page.locator('#sound').uncheck();
  await page.waitForFunction(() => {
    const p = (globalThis as unknown as { panel: PanelState & { connected: boolean } }).panel;
    return p.connected && p.frames > 0 && p.screen !== null;
  }, null, { timeout: 20_000 });
  return page;
}
