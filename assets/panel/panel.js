// The terminal's panel in a browser: draws the screen updates the daemon sends (PNG rectangles of
// the framebuffer), sends the pointer as touches, and drives the simulated devices. Plain browser
// JavaScript, no build step. `window.panel` exposes counters the tests and the bench read.

const $ = (id) => document.getElementById(id);
const canvas = $('screen');
const ctx = canvas.getContext('2d', { alpha: false });

const panel = {
  connected: false,
  width: 0,
  height: 0,
  /** Frames drawn, and the last one's sequence number. */
  frames: 0,
  /** Bytes of frames received. */
  bytes: 0,
  seq: 0,
  screen: null,
  mode: null,
  buttons: [],
  /** Every screen shown since the page opened, in order (a brief one is not missed). */
  screens: [],
  devices: {},
  prompts: [],
  receipt: false,
  /** Pointer-up to the first frame painted after the screen changed, in ms (the bench reads it). */
  latencies: [],
  answers: [],
};
window.panel = panel;

let ws = null;
let nextId = 1;
const waiting = new Map();
let upAt = null;
let screenChangedAfterUp = false;

function connect() {
  ws = new WebSocket(`ws://${location.host}/ws`);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => {
    panel.connected = true;
    $('status').textContent = 'connected';
  };
  ws.onclose = () => {
    panel.connected = false;
    $('status').textContent = 'disconnected — reconnecting…';
    setTimeout(connect, 1000);
  };
  ws.onmessage = (event) => {
    if (typeof event.data !== 'string') {
      const buf = event.data;
      panel.bytes += buf.byteLength;
      // Frames are decoded in parallel but drawn in the order they came.
      const decoded = decode(buf);
      drawing = drawing.then(() => decoded).then(draw, () => {});
      return;
    }
    const m = JSON.parse(event.data);
    const handle = handlers[m.t];
    if (handle) handle(m);
  };
}

let drawing = Promise.resolve();

async function decode(buf) {
  const view = new DataView(buf);
  const header = { seq: view.getUint32(0, true), x: view.getUint16(4, true), y: view.getUint16(6, true) };
  const blob = new Blob([new Uint8Array(buf, 12)], { type: 'image/png' });
  // The daemon's pixels as they are: no colour management, no premultiplication.
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  return { ...header, bitmap };
}

function draw(frame) {
  ctx.drawImage(frame.bitmap, frame.x, frame.y);
  frame.bitmap.close();
  panel.frames++;
  panel.seq = frame.seq;
  const measure = screenChangedAfterUp && upAt !== null;
  requestAnimationFrame(() => {
    panel.paintedSeq = frame.seq;
    if (measure && upAt !== null) {
      panel.latencies.push(performance.now() - upAt);
      upAt = null;
      screenChangedAfterUp = false;
    }
  });
}

const handlers = {
  hello(m) {
    panel.width = m.width;
    panel.height = m.height;
    canvas.width = m.width;
    canvas.height = m.height;
    document.body.classList.toggle('off', !m.injection);
    const person = $('person');
    person.replaceChildren(...m.persons.map((p) => option(p.key, `${p.key} · ${p.name} (${p.eligibility})`)));
    const token = m.persons.find((p) => p.token);
    if (token) $('token').value = token.token;
    $('printer').replaceChildren(...m.printerStates.map((s) => option(s, s)));
    siChoices(m.si);
    $('camera').hidden = !m.webcam;
    $('transcript').replaceChildren();
    for (const line of m.transcript) addLine(line);
    panel.injection = m.injection;
  },
  screen(m) {
    // When the page saw it: touches right after a change are ignored by the terminal (its touch guard).
    panel.screenAt = performance.now();
    if (m.screen !== panel.screen) panel.screens.push(m.screen);
    panel.screen = m.screen;
    panel.mode = m.mode;
    panel.overlay = m.overlay;
    panel.buttons = m.buttons;
    const name = $('screen-name');
    name.textContent = `${m.screen}${m.mode ? '/' + m.mode : ''}${m.overlay ? ' +' + m.overlay : ''}`;
    name.dataset.screen = m.screen;
    if (upAt !== null) screenChangedAfterUp = true;
  },
  devices(m) {
    panel.devices = m.devices;
    $('devices').replaceChildren(
      ...Object.entries(m.devices).map(([d, h]) => {
        const li = document.createElement('li');
        li.className = h.ok ? 'ok' : 'bad';
        li.dataset.device = d;
        li.textContent = `${d} ${h.ok ? '✓' : '✗'}`;
        return li;
      }),
    );
    for (const [d, h] of Object.entries(m.devices)) {
      const box = document.getElementById(`plug-${d}`);
      if (box) box.checked = h.ok;
    }
  },
  line(m) {
    addLine(m.text);
  },
  prompt(m) {
    panel.prompts.push(m.text);
    $('prompt').textContent = `「${m.text}」`;
    if (m.audio && $('sound').checked) new Audio(m.audio).play().catch(() => {});
  },
  receipt(m) {
    const img = $('receipt');
    panel.receipt = !!m.svg;
    img.hidden = !m.svg;
    img.src = m.svg ? `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(m.svg)))}` : '';
  },
  answer(m) {
    panel.answers.push(m);
    const done = waiting.get(m.id);
    if (done) {
      waiting.delete(m.id);
      done(m);
    }
    $('answer').textContent = m.ok ? '' : m.error;
  },
};

function option(value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}

function addLine(text) {
  const li = document.createElement('li');
  li.textContent = text;
  const list = $('transcript');
  list.append(li);
  while (list.children.length > 200) list.firstChild.remove();
  list.scrollTop = list.scrollHeight;
}

function siChoices(kind) {
  $('si-none').hidden = kind !== 'none';
  $('si-controls').hidden = kind === 'none';
  const ops = kind === 'https' ? ['', 'lookup', 'resolveToken', 'history', 'submit'] : ['lookup', 'resolveToken', 'history', 'submit'];
  const faults = kind === 'https' ? ['down', 'error', 'latency', 'blackhole', 'malformed', 'clear'] : ['unreachable', 'timeout', 'server', 'hang'];
  $('si-op').replaceChildren(...ops.map((o) => option(o, o || 'every call')));
  $('si-fault').replaceChildren(...faults.map((f) => option(f, f)));
  panel.si = kind;
}

/** Sends an action; resolves with the daemon's answer. */
function act(message) {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    ws.send(JSON.stringify({ ...message, id }));
  });
}
panel.act = act;

// The pointer as the touchscreen: down and up in screen pixels; the daemon hit-tests.
function at(event) {
  const r = canvas.getBoundingClientRect();
  return { x: ((event.clientX - r.left) * canvas.width) / r.width, y: ((event.clientY - r.top) * canvas.height) / r.height };
}
canvas.addEventListener('pointerdown', (event) => {
  if (!event.isPrimary || !ws || ws.readyState !== 1) return;
  canvas.setPointerCapture(event.pointerId);
  ws.send(JSON.stringify({ t: 'down', ...at(event) }));
});
canvas.addEventListener('pointerup', (event) => {
  if (!event.isPrimary || !ws || ws.readyState !== 1) return;
  upAt = performance.now();
  screenChangedAfterUp = false;
  ws.send(JSON.stringify({ t: 'up', ...at(event) }));
});

function selectedPerson() {
  return $('person').value;
}
$('tap-card').onclick = () => act({ t: 'card', person: selectedPerson() });
$('insert-ssc').onclick = () => act({ t: 'ssc', person: selectedPerson() });
$('tap-custom').onclick = () => act({ t: 'card', person: { name: $('custom-name').value, idNumber: $('custom-id').value } });
$('scan').onclick = () => act({ t: 'barcode', token: $('token').value });
$('printer').onchange = () => act({ t: 'printer', status: $('printer').value });
$('si-apply').onclick = () => {
  const op = $('si-op').value;
  act({ t: 'si', fault: $('si-fault').value, ...(op ? { op } : {}) });
};
for (const device of ['idReader', 'sscReader', 'barcode', 'camera']) {
  const label = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.id = `plug-${device}`;
  box.checked = true;
  box.onchange = () => act({ t: 'plug', device, plugged: box.checked });
  label.append(box, ` ${device} plugged in`);
  $('plug-boxes').append(label);
}

// The browser's webcam as the terminal's camera: while the terminal shows the capture screen,
// each new video frame (640x480) goes to the daemon as a JPEG, one at a time (a slow link drops
// frames instead of queueing them). The daemon's face pipeline judges them and its preview draws
// them, mirrored like the real preview.
const webcam = { stream: null, inFlight: false };
panel.webcamSent = 0;
const grab = document.createElement('canvas');
grab.width = 640;
grab.height = 480;
const grabCtx = grab.getContext('2d');
const video = $('webcam-video');

async function startWebcam() {
  try {
    webcam.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, frameRate: { ideal: 20 } }, audio: false });
  } catch (e) {
    $('answer').textContent = `webcam: ${e.message}`;
    $('webcam').checked = false;
    return;
  }
  video.srcObject = webcam.stream;
  await video.play();
  panel.webcam = true;
  video.requestVideoFrameCallback(onVideoFrame);
}

function stopWebcam() {
  for (const track of webcam.stream?.getTracks() ?? []) track.stop();
  webcam.stream = null;
  video.srcObject = null;
  panel.webcam = false;
}

function onVideoFrame() {
  if (!webcam.stream) return;
  video.requestVideoFrameCallback(onVideoFrame);
  if (panel.screen !== 'capture' || webcam.inFlight || !ws || ws.readyState !== 1 || ws.bufferedAmount > 256 * 1024) return;
  webcam.inFlight = true;
  grabCtx.drawImage(video, 0, 0, grab.width, grab.height);
  grab.toBlob(
    async (blob) => {
      try {
        if (blob && ws.readyState === 1) {
          ws.send(await blob.arrayBuffer());
          panel.webcamSent++;
        }
      } finally {
        webcam.inFlight = false;
      }
    },
    'image/jpeg',
    0.85,
  );
}

$('webcam').onchange = () => ($('webcam').checked ? startWebcam() : stopWebcam());

connect();
