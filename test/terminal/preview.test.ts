/**
 * The hardware profile's live picture: a frame it cannot draw (malformed) gives the picture up,
 * said once, and every frame still reaches the face pipeline listening on the same camera.
 */
import t from 'tap';
import { SimCamera } from '../../src/drivers/camera/sim.js';
import type { Frame } from '../../src/drivers/camera/port.js';
import { fixtureView } from '../../src/screens/fixtures.js';
import { showPreview } from '../../src/terminal/hardware-profile.js';
import { memoryLogger } from '../helpers.js';
import { fakeFb } from '../drivers/display/fake-fb.js';

const bgr = (at: number, bytes = 64 * 48 * 3): Frame => ({ format: 'bgr', at, width: 64, height: 48, data: Buffer.alloc(bytes, 90) });

t.test('a malformed frame ends the preview, not the capture', async (t) => {
  const fb = fakeFb(t, 32);
  await fb.display.start();
  fb.display.show(fixtureView('capture-acting'));
  const camera = new SimCamera();
  const { logger, lines } = memoryLogger();
  showPreview(camera, fb.display, true, logger);
  // The face pipeline's listener, added after the preview's (as in the composition).
  const judged: number[] = [];
  camera.onFrame((f) => judged.push(f.at));
  await camera.start();
  camera.push(bgr(1));
  t.equal(fb.display.stats.previewBlits, 1, 'a good frame is shown');
  camera.push(bgr(2, 100)); // 100 bytes claiming to be 64x48
  camera.push(bgr(3));
  t.same(judged, [1, 2, 3], 'every frame reached the pipeline');
  t.equal(fb.display.stats.previewBlits, 1, 'no picture after the failure');
  t.equal(lines.filter((l) => l.level === 50).length, 1, 'said once');
  t.match(lines.find((l) => l.level === 50), { msg: /camera preview failed/, err: /not a 64x48 BGR frame/ });
  await fb.display.stop();
});
