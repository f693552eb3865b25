/**
 * Shared by the OpenCV camera tests: clips made with ffmpeg at test time, an image folder written
 * with cv.imwrite, a driver with its events recorded, and a logger whose lines can be read back.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { settle, type Clock } from '../../../src/clock/clock.js';
import { OpenCvCamera, type OpenCvCameraOptions } from '../../../src/drivers/camera/opencv.js';
import type { BgrFrame, Frame } from '../../../src/drivers/camera/port.js';
import { createLogger } from '../../../src/log/logger.js';
import type { DeviceEvent } from '../../../src/machine/types.js';
import { opencv } from '../../../src/vision/cv.js';

/** testsrc2 through ffmpeg: `codec` 'h264' (yuv420p .mp4) or 'mjpeg' (.avi). */
export function makeClip(dir: string, name: string, o: { size: string; rate: number; seconds: number; codec: 'h264' | 'mjpeg' }): string {
  const path = join(dir, name);
  const codec = o.codec === 'h264' ? ['-pix_fmt', 'yuv420p'] : ['-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p'];
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${o.size}:rate=${o.rate}`, '-t', String(o.seconds), ...codec, path]);
  return path;
}

/** The colour (B, G, R) of the folder image numbered `i`. */
export function colourOf(i: number): [number, number, number] {
  return [10 + i * 40, 200 - i * 30, 5 + i * 7];
}

/**
 * A folder of 32x24 images in one colour each, by name: 01.png, 02.jpg, 03.jpg (not an image),
 * 04.jpeg, 05.PNG, 06.jpg (empty file), plus notes.txt (not an image name). PNGs are lossless, so
 * their colour comes back exactly; the JPEGs' nearly.
 */
export function makeFolder(dir: string): { path: string; good: string[]; bad: string[] } {
  const cv = opencv();
  const path = join(dir, 'frames');
  mkdirSync(path);
  const write = (name: string, i: number) => {
    const mat = new cv.Mat(24, 32, cv.CV_8UC3, colourOf(i));
    cv.imwrite(join(path, name), mat);
    mat.release();
  };
  write('01.png', 1);
  write('02.jpg', 2);
  writeFileSync(join(path, '03.jpg'), Buffer.from('this is not a JPEG\n'));
  write('04.jpeg', 4);
  write('05.PNG', 5);
  writeFileSync(join(path, '06.jpg'), Buffer.alloc(0));
  writeFileSync(join(path, 'notes.txt'), 'ignored\n');
  return { path, good: ['01.png', '02.jpg', '04.jpeg', '05.PNG'], bad: ['03.jpg', '06.jpg'] };
}

export interface Recorded {
  cam: OpenCvCamera;
  frames: BgrFrame[];
  errors: string[];
  statuses: DeviceEvent[];
  /** Log lines, parsed. */
  logs: Array<Record<string, unknown> & { msg: string }>;
}

/** A camera with everything it says recorded; stopped at the end of the test. */
export function recorded(t: Test, source: OpenCvCameraOptions['source'], clock: Clock, over: Partial<OpenCvCameraOptions> = {}): Recorded {
  const logs: Recorded['logs'] = [];
  const logger = createLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line) as Recorded['logs'][number]) });
  const cam = new OpenCvCamera({ source, clock, logger, ...over });
  const r: Recorded = { cam, frames: [], errors: [], statuses: [], logs };
  cam.onFrame((f: Frame) => {
    if (f.format !== 'bgr') throw new Error(`a ${f.format} frame from the OpenCV camera`);
    r.frames.push(f);
  });
  cam.onError((e) => r.errors.push(e));
  cam.onStatus((e) => r.statuses.push(e));
  t.teardown(() => cam.stop());
  return r;
}

/** Lets the driver run `n` macrotask turns (native reads finishing, promise chains). */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await settle();
}
