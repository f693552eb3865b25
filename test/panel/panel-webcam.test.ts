/**
 * The webcam route in real Chromium: Chromium's fake camera plays a .y4m clip rendered by the clip
 * synthesiser (the astronaut, neutral, turning left, neutral), the page sends its frames to the
 * daemon, and the daemon's real face pipeline (vision opencv on the simulated camera) judges them:
 * the baseline, the asked turn to the left, the photo taken by itself. Then submitted by a click.
 * Skipped only when /usr/bin/chromium is missing (make test installs it).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionScript, liveFrames, neutralScript, pipelineDetector, prepareSource } from '../../src/vision/synth/index.js';
import { MODEL_CACHE, face, testEngine } from '../vision/engine-fixture.js';
import { act, chromiumMissing, launchChromium, openPanel, press, startPanelDaemon, state, waitScreen } from './chromium.js';

const missing = chromiumMissing();
if (missing) {
  t.comment(`skipping the panel's webcam test: ${missing}`);
  t.pass('skipped: no chromium');
} else {
  t.test("the seed's happy path in front of the browser's (fake) webcam, judged by the real face pipeline", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'lc-webcam-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    // The clip: what a person does who turns left when asked (Chromium loops it).
    const engine = testEngine();
    const source = prepareSource(engine.cv, face('astronaut'), pipelineDetector(engine.pipeline()), engine.predictor.model.initialShape);
    const frames = join(dir, 'frames');
    mkdirSync(frames);
    let n = 0;
    for (const part of [liveFrames(source, actionScript('turn_left', { neutralMs: 1500 })), liveFrames(source, neutralScript(2500, { jitter: 0.3 }))]) {
      for (const { mat } of part) {
        engine.cv.imwrite(join(frames, `frame-${String(n++).padStart(5, '0')}.png`), mat);
        mat.release();
      }
    }
    const clip = join(dir, 'turn-left.y4m');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-framerate', '15', '-i', join(frames, 'frame-%05d.png'), '-pix_fmt', 'yuv420p', clip]);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ liveness: { actions: ['turn_left'], count: 1 } }));

    const daemon = await startPanelDaemon(['--vision', 'opencv', '--config', config], { LIFECHECK_VISION_MODEL_CACHE: MODEL_CACHE, LIFECHECK_CAMERA: 'sim' });
    t.teardown(daemon.stop);
    const browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${clip}`]);
    t.teardown(browser.close);
    const page = await openPanel(browser.context, daemon.url);
    await page.locator('#webcam').check();
    await page.waitForFunction(() => (globalThis as unknown as { panel: { webcam?: boolean } }).panel.webcam === true, null, { timeout: 10_000 });

    await press(page, 'start', 'identify');
    await page.locator('#tap-card').click();
    await waitScreen(page, 'confirm');
    for (const [button, next] of [['enter', 'service'], ['apply', 'consent'], ['agree', 'capture']] as const) await press(page, button, next);
    await waitScreen(page, 'captured', 90_000);
    const answer = await act(page, { t: 'ping' });
    const webcam = answer.result.webcam as { received: number; delivered: number };
    t.ok(webcam.delivered > 10, `the webcam's frames reached the terminal's camera (${webcam.delivered} of ${webcam.received})`);
    t.ok((await state(page)).prompts.some((p) => /向左/.test(p)), 'asked to turn left');
    await press(page, 'submit', 'submitting');
    await waitScreen(page, 'result', 30_000);
    t.pass('submitted: the result screen');
  });
}
