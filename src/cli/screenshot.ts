/** `lifecheck screenshot SCREEN [--fixture NAME] [--size WxH] --out FILE.png`: any screen with sample data. */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { FIXTURE_NAMES, fixtureView } from '../screens/fixtures.js';
import { qrSvg } from '../screens/qr.js';
import { ScreenRenderer } from '../screens/renderer.js';
import { samplePhoto } from '../screens/sample-photo.js';
import { SCREEN_IDS } from '../screens/view.js';

export class ScreenshotUsageError extends Error {}

export function parseSize(text: string): { width: number; height: number } {
  const m = /^(\d{2,5})x(\d{2,5})$/.exec(text);
  if (!m) throw new ScreenshotUsageError(`--size must look like 1280x800 (got '${text}')`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

export async function screenshot(args: string[], out: NodeJS.WritableStream): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { fixture: { type: 'string' }, size: { type: 'string' }, out: { type: 'string' }, list: { type: 'boolean' } } });
  } catch (e) {
    throw new ScreenshotUsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.list) {
    out.write(`screens: ${SCREEN_IDS.join(' ')}\nfixtures: ${FIXTURE_NAMES.join(' ')}\n`);
    return 0;
  }
  const screen = positionals[0];
  if (!screen) throw new ScreenshotUsageError('screenshot needs a SCREEN (see --list)');
  if (!(SCREEN_IDS as readonly string[]).includes(screen)) throw new ScreenshotUsageError(`unknown screen '${screen}' (see --list)`);
  const fixture = values.fixture ?? screen;
  if (!FIXTURE_NAMES.includes(fixture)) throw new ScreenshotUsageError(`unknown fixture '${fixture}' (see --list)`);
  const view = fixtureView(fixture);
  if (view.screen !== screen) throw new ScreenshotUsageError(`fixture '${fixture}' shows screen '${view.screen}', not '${screen}'`);
  if (!values.out) throw new ScreenshotUsageError('screenshot needs --out FILE.png');
  const config = loadConfig({ ignoreSystemFile: true });
  const size = values.size ? parseSize(values.size) : { width: config.devices.display.width, height: config.devices.display.height };
  const renderer = new ScreenRenderer(size);
  const png = renderer.png(view, { photo: samplePhoto(), qrSvg: await qrSvg(config.terminal.qrUrl) });
  await writeFile(values.out, png);
  out.write(`${values.out}: ${screen} (${fixture}) at ${size.width}x${size.height}\n`);
  return 0;
}
