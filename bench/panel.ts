/**
 * bench/panel: the browser panel in Debian's Chromium against a sim-profile daemon.
 *  - click-to-screen latency: from the pointer's release over a button in the page to the first
 *    frame of the new screen painted in the page (requestAnimationFrame after drawImage), p50/p95;
 *  - the panel's cost to the daemon: its event-loop delay (p50/p99/max, from prom-client's
 *    monitorEventLoopDelay through /metrics) and CPU, on the identify screen (its countdown redraws
 *    once a second) with no page, with a page watching, while the debug REPL changes screens with
 *    no page (the terminal's own cost) and while the page clicks through the same screens.
 *
 *  - webcam frames per second reaching the face pipeline (Chromium's fake camera as the webcam).
 *
 *   npm run bench:panel          BENCH_CLICKS=N (default 40), BENCH_SECONDS=S per phase (default 15)
 * Needs `make build` (the daemon runs dist/) and apt chromium.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ReplConnection } from '../src/ops/repl-client.js';
import { freePorts } from '../test/helpers.js';
import { act, chromiumMissing, clickButton, launchChromium, openPanel, startPanelDaemon, state, waitScreen } from '../test/panel/chromium.js';

const CLICKS = Number(process.env.BENCH_CLICKS ?? 40);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function scrape(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(process_cpu_seconds_total|nodejs_eventloop_lag_(?:p50|p99|max|mean)_seconds)\s+([\d.eE+-]+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

interface Phase {
  name: string;
  cpuPct: number;
  lagP50: number;
  lagP99: number;
  lagMax: number;
}

/** CPU share and event-loop delay of the daemon over `body` (the lag histogram resets at each scrape). */
async function phase(port: number, name: string, body: () => Promise<void>): Promise<Phase> {
  const before = await scrape(port);
  const t0 = performance.now();
  await body();
  const after = await scrape(port);
  const wall = (performance.now() - t0) / 1000;
  return {
    name,
    cpuPct: (100 * (after.process_cpu_seconds_total! - before.process_cpu_seconds_total!)) / wall,
    lagP50: after.nodejs_eventloop_lag_p50_seconds! * 1000,
    lagP99: after.nodejs_eventloop_lag_p99_seconds! * 1000,
    lagMax: after.nodejs_eventloop_lag_max_seconds! * 1000,
  };
}

/** Real time passing: the phase's length is what is measured over, not a synchronisation. */
const idle = (s: number) => () => new Promise<void>((resolve) => setTimeout(resolve, s * 1000));

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const [metricsPort] = await freePorts(1);
  const daemon = await startPanelDaemon(['--vision', 'cooperative'], { LIFECHECK_METRICS_LISTEN: `127.0.0.1:${metricsPort}`, LIFECHECK_LOG_LEVEL: 'warn' });
  const browser = await launchChromium();
  try {
    const phases: Phase[] = [];
    // The identify screen: its countdown ticks once a second, drawn (or not) by the mirror.
    let page = await openPanel(browser.context, daemon.url);
    await clickButton(page, 'start');
    await waitScreen(page, 'identify');
    await page.close();
    phases.push(await phase(metricsPort!, 'identify screen, no page', idle(SECONDS)));
    page = await openPanel(browser.context, daemon.url);
    await waitScreen(page, 'identify');
    phases.push(await phase(metricsPort!, 'identify screen, a page watching', idle(SECONDS)));
    await clickButton(page, 'home');
    await waitScreen(page, 'home');
    await page.close();
    // The same screen changes without the panel: through the debug REPL, with no page watching.
    const repl = await ReplConnection.open(daemon.socket);
    phases.push(
      await phase(metricsPort!, `the REPL changing screens (${CLICKS}), no page`, async () => {
        for (let i = 0; i < CLICKS; i++) {
          const [button, next] = i % 2 === 0 ? ['start', 'identify'] : ['home', 'home'];
          await repl.run(`send ui.${button}`);
          await repl.run(`wait ${next}`);
        }
      }),
    );
    repl.close();
    page = await openPanel(browser.context, daemon.url);
    await waitScreen(page, 'home');
    const framesBefore = await state(page);
    phases.push(
      await phase(metricsPort!, `a page clicking (${CLICKS} screen changes)`, async () => {
        for (let i = 0; i < CLICKS; i++) {
          const [button, next] = i % 2 === 0 ? ['start', 'identify'] : ['home', 'home'];
          await clickButton(page, button);
          await waitScreen(page, next);
        }
        await act(page, { t: 'ping' });
      }),
    );
    const s = (await page.evaluate(() => (globalThis as unknown as { panel: { latencies: number[]; frames: number; bytes: number } }).panel)) as { latencies: number[]; frames: number; bytes: number };
    const latencies = s.latencies.slice(-CLICKS);
    const frames = s.frames - framesBefore.frames;
    const date = new Date().toISOString().slice(0, 10);
    const fmt = (n: number) => n.toFixed(1);
    console.log(`bench:panel ${date} — Node ${process.versions.node}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Chromium (Debian) headless, screen 1280x800`);
    console.log('');
    console.log('| click → new screen painted in the page | n | p50 ms | p95 ms | max ms |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(`| home ⇄ identify, pointer release to first frame painted | ${latencies.length} | ${fmt(percentile(latencies, 50))} | ${fmt(percentile(latencies, 95))} | ${fmt(Math.max(...latencies))} |`);
    console.log('');
    console.log(`frames while clicking: ${frames}, ${fmt((s.bytes - (framesBefore as unknown as { bytes: number }).bytes) / 1024 / Math.max(1, frames))} KiB each on average`);
    console.log('');
    console.log(`| daemon, ${SECONDS} s a phase | CPU % | event-loop delay p50 ms | p99 ms | max ms |`);
    console.log('| --- | --- | --- | --- | --- |');
    for (const p of phases) console.log(`| ${p.name} | ${fmt(p.cpuPct)} | ${fmt(p.lagP50)} | ${fmt(p.lagP99)} | ${fmt(p.lagMax)} |`);
  } finally {
    await browser.close();
    await daemon.stop();
  }
  await webcam();
}

/**
 * The webcam route: Chromium's fake camera (its generated 640x480 picture) as the page's webcam,
 * frames sent while the terminal shows the capture screen, decoded and handed to the real face
 * pipeline (vision opencv on the simulated camera). Frames per second reaching the camera.
 */
async function webcam(): Promise<void> {
  const [metricsPort] = await freePorts(1);
  const daemon = await startPanelDaemon(['--vision', 'opencv'], { LIFECHECK_METRICS_LISTEN: `127.0.0.1:${metricsPort}`, LIFECHECK_LOG_LEVEL: 'warn', LIFECHECK_CAMERA: 'sim' });
  const browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
  try {
    const page = await openPanel(browser.context, daemon.url);
    await page.locator('#webcam').check();
    await page.waitForFunction(() => (globalThis as unknown as { panel: { webcam?: boolean } }).panel.webcam === true);
    await clickButton(page, 'start');
    await waitScreen(page, 'identify');
    await act(page, { t: 'card', person: 'due' });
    await waitScreen(page, 'confirm');
    for (const [button, next] of [['enter', 'service'], ['apply', 'consent'], ['agree', 'capture']] as const) {
      await clickButton(page, button);
      await waitScreen(page, next);
    }
    const before = (await act(page, { t: 'ping' })).result.webcam as { received: number; delivered: number; decodeMs: number };
    const t0 = performance.now();
    const p = await phase(metricsPort!, 'capture screen, the webcam streaming', idle(SECONDS));
    const after = (await act(page, { t: 'ping' })).result.webcam as { received: number; delivered: number; decodeMs: number };
    const seconds = (performance.now() - t0) / 1000;
    const screen = (await state(page)).screen;
    const delivered = after.delivered - before.delivered;
    const fmt = (n: number) => n.toFixed(1);
    console.log('');
    console.log(`| webcam (Chromium fake camera, 640x480 asked), ${SECONDS} s on the ${screen} screen | frames/s to the pipeline | decode ms/frame | daemon CPU % | event-loop delay p99 ms | max ms |`);
    console.log('| --- | --- | --- | --- | --- | --- |');
    console.log(`| page → JPEG → daemon → BGR → face pipeline | ${fmt(delivered / seconds)} | ${fmt((after.decodeMs - before.decodeMs) / Math.max(1, delivered))} | ${fmt(p.cpuPct)} | ${fmt(p.lagP99)} | ${fmt(p.lagMax)} |`);
  } finally {
    await browser.close();
    await daemon.stop();
  }
}

await main();
