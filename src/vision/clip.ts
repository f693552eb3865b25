/**
 * Reads a still image, a folder of images or a video file as timed frames, for `lifecheck vision`
 * and the tests: the same frames the camera would have delivered, without a camera.
 */
import { statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { folderImages, IMAGE_EXTENSIONS } from '../drivers/camera/opencv.js';
import type { CV, Mat } from './cv.js';

export interface ClipFrame {
  index: number;
  /** ms from the clip's start. */
  at: number;
  mat: Mat;
}

export class ClipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClipError';
  }
}

/** What a path holds: 'image', 'folder' (of images, by name) or 'video'. */
export function clipKind(path: string): 'image' | 'folder' | 'video' {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new ClipError(`${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (st.isDirectory()) return 'folder';
  return IMAGE_EXTENSIONS.has(extname(path).toLowerCase()) ? 'image' : 'video';
}

/**
 * Frames of `path` in order. `fps` times a folder's frames (a video has its own rate, an image is
 * one frame at 0). Unreadable images in a folder are skipped and reported through `onSkip`.
 */
export function* readClip(cv: CV, path: string, options: { fps?: number; onSkip?: (file: string, reason: string) => void } = {}): Generator<ClipFrame> {
  const fps = options.fps ?? 15;
  const kind = clipKind(path);
  if (kind === 'image') {
    const mat = cv.imread(path);
    if (mat.empty) throw new ClipError(`${path} is not an image OpenCV can read`);
    yield { index: 0, at: 0, mat };
    return;
  }
  if (kind === 'folder') {
    let files: string[];
    try {
      files = folderImages(path, 'clip folder');
    } catch (e) {
      throw new ClipError((e as Error).message);
    }
    let index = 0;
    for (const file of files) {
      let mat: Mat | null = null;
      try {
        mat = cv.imread(join(path, file));
      } catch (e) {
        options.onSkip?.(file, (e as Error).message);
      }
      if (!mat || mat.empty) {
        if (mat) options.onSkip?.(file, 'not an image');
        continue;
      }
      yield { index, at: Math.round((index * 1000) / fps), mat };
      index++;
    }
    return;
  }
  const capture = new cv.VideoCapture(path);
  try {
    const rate = capture.get(cv.CAP_PROP_FPS) || fps;
    let index = 0;
    for (;;) {
      const mat = capture.read();
      if (mat.empty) break;
      yield { index, at: Math.round((index * 1000) / rate), mat };
      index++;
    }
    if (index === 0) throw new ClipError(`${path} is not a video OpenCV can read (no frames)`);
  } finally {
    capture.release();
  }
}
