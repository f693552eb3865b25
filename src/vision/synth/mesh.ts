/**
 * The two geometric pieces of the clip synthesiser: a Delaunay triangulation of the control points
 * (the OpenCV bindings expose no Subdiv2D) and a piecewise-affine warp of a BGR image through that
 * mesh. The warp is done in plain JS rather than per triangle with warpAffine: one pass fills a
 * source-coordinate map with a depth test (a turned head's nose hides part of the far cheek, which a
 * painter's order of warpAffine calls gets wrong), a second pass samples the image once per pixel
 * (the bindings have no remap either).
 */

/** Bowyer–Watson: triangles (vertex index triples, counter-clockwise in image axes) of the points. */
export function delaunay(xs: ArrayLike<number>, ys: ArrayLike<number>): Uint16Array {
  const n = xs.length;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, xs[i]!); maxX = Math.max(maxX, xs[i]!);
    minY = Math.min(minY, ys[i]!); maxY = Math.max(maxY, ys[i]!);
  }
  // A super-triangle far around everything; its three vertices are n, n+1, n+2.
  const d = Math.max(maxX - minX, maxY - minY) * 20 + 1;
  const mx = (minX + maxX) / 2, my = (minY + maxY) / 2;
  const px = [...Array.from(xs), mx - d, mx + d, mx];
  const py = [...Array.from(ys), my - d, my - d, my + d];
  interface Tri { a: number; b: number; c: number; cx: number; cy: number; r2: number }
  const make = (a: number, b: number, c: number): Tri => {
    const ax = px[a]!, ay = py[a]!, bx = px[b]!, by = py[b]!, qx = px[c]!, qy = py[c]!;
    const den = 2 * (ax * (by - qy) + bx * (qy - ay) + qx * (ay - by));
    const a2 = ax * ax + ay * ay, b2 = bx * bx + by * by, c2 = qx * qx + qy * qy;
    const cx = (a2 * (by - qy) + b2 * (qy - ay) + c2 * (ay - by)) / den;
    const cy = (a2 * (qx - bx) + b2 * (ax - qx) + c2 * (bx - ax)) / den;
    return { a, b, c, cx, cy, r2: (ax - cx) ** 2 + (ay - cy) ** 2 };
  };
  let tris: Tri[] = [make(n, n + 1, n + 2)];
  for (let i = 0; i < n; i++) {
    const x = px[i]!, y = py[i]!;
    const bad: Tri[] = [], keep: Tri[] = [];
    for (const t of tris) ((x - t.cx) ** 2 + (y - t.cy) ** 2 < t.r2 ? bad : keep).push(t);
    // The hole's boundary: edges of exactly one bad triangle.
    const edges = new Map<string, [number, number]>();
    for (const t of bad) {
      for (const [u, v] of [[t.a, t.b], [t.b, t.c], [t.c, t.a]] as const) {
        const key = u < v ? `${u},${v}` : `${v},${u}`;
        if (edges.has(key)) edges.delete(key);
        else edges.set(key, [u, v]);
      }
    }
    for (const [u, v] of edges.values()) keep.push(make(u, v, i));
    tris = keep;
  }
  const out: number[] = [];
  for (const t of tris) {
    if (t.a >= n || t.b >= n || t.c >= n) continue;
    const cross = (px[t.b]! - px[t.a]!) * (py[t.c]! - py[t.a]!) - (py[t.b]! - py[t.a]!) * (px[t.c]! - px[t.a]!);
    if (cross > 0) out.push(t.a, t.b, t.c);
    else out.push(t.a, t.c, t.b);
  }
  return Uint16Array.from(out);
}

/** Where each control point is drawn, where its texture comes from and how far it is (for occlusion). */
export interface MeshFrame {
  /** Destination (output pixel) coordinates. */
  dx: Float64Array;
  dy: Float64Array;
  /** Source (base image pixel) coordinates. */
  sx: Float64Array;
  sy: Float64Array;
  /** Camera depth: the nearer triangle wins a pixel. */
  z: Float64Array;
}

/** A BGR image whose pixel (0, 0) stands for frame coordinates (−margin, −margin). */
export interface Canvas {
  data: Uint8Array;
  width: number;
  height: number;
  margin: number;
}

/**
 * Warps `src` into the `width`×`height` BGR `out`: every triangle of `tris` maps its source
 * triangle affinely onto its destination triangle. Pixels no triangle covers keep their own place.
 * `map` and `depth` are scratch buffers of width×height (kept by the caller across frames).
 */
export function warpMesh(
  src: Canvas, out: Uint8Array, width: number, height: number,
  tris: Uint16Array, m: MeshFrame, map: Float32Array, depth: Float32Array,
): void {
  depth.fill(Infinity);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 2) {
      map[i] = x;
      map[i + 1] = y;
    }
  }
  const { dx, dy, sx, sy, z } = m;
  for (let t = 0; t < tris.length; t += 3) {
    const a = tris[t]!, b = tris[t + 1]!, c = tris[t + 2]!;
    const ax = dx[a]!, ay = dy[a]!, bx = dx[b]!, by = dy[b]!, cx = dx[c]!, cy = dy[c]!;
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (Math.abs(area) < 1e-9) continue; // collapsed (a fully closed eye's inside)
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx))), x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx, cx)));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy))), y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by, cy)));
    if (x0 > x1 || y0 > y1) continue;
    // Barycentric weights of b and c as affine functions of (x, y); a's is 1 − both.
    const inv = 1 / area;
    const wbx = (ay - cy) * -inv, wby = (cx - ax) * -inv; // ∂wb/∂x, ∂wb/∂y
    const wcx = (ay - by) * inv, wcy = (bx - ax) * inv;
    const su = [sx[a]!, sx[b]! - sx[a]!, sx[c]! - sx[a]!], sv = [sy[a]!, sy[b]! - sy[a]!, sy[c]! - sy[a]!];
    const za = z[a]!, zb = z[b]! - za, zc = z[c]! - za;
    const eps = -1e-6; // shared edges belong to both triangles: no cracks between them
    for (let y = y0; y <= y1; y++) {
      // Weights along the row are affine in x: step them instead of recomputing.
      let wb = wbx * (x0 - ax) + wby * (y - ay);
      let wc = wcx * (x0 - ax) + wcy * (y - ay);
      for (let x = x0; x <= x1; x++, wb += wbx, wc += wcx) {
        if (wb < eps || wc < eps || wb + wc > 1 - eps) continue;
        const d = za + wb * zb + wc * zc;
        const p = y * width + x;
        if (d >= depth[p]!) continue;
        depth[p] = d;
        map[2 * p] = su[0]! + wb * su[1]! + wc * su[2]!;
        map[2 * p + 1] = sv[0]! + wb * sv[1]! + wc * sv[2]!;
      }
    }
  }
  sample(src, out, width * height, map);
}

/** Bilinear sampling of the canvas at the map's coordinates, clamped to it (its own function: V8 optimises the hot loop alone). */
function sample(canvas: Canvas, out: Uint8Array, size: number, map: Float32Array): void {
  const src = canvas.data, shift = canvas.margin;
  const maxX = canvas.width - 1, maxY = canvas.height - 1, row = canvas.width * 3;
  for (let p = 0, o = 0; p < size; p++, o += 3) {
    let u = map[2 * p]! + shift, v = map[2 * p + 1]! + shift;
    u = u < 0 ? 0 : u > maxX ? maxX : u;
    v = v < 0 ? 0 : v > maxY ? maxY : v;
    const iu = Math.min(maxX - 1, u | 0), iv = Math.min(maxY - 1, v | 0);
    const fu = u - iu, fv = v - iv;
    const i00 = iv * row + iu * 3, i10 = i00 + 3, i01 = i00 + row, i11 = i01 + 3;
    const w00 = (1 - fu) * (1 - fv), w10 = fu * (1 - fv), w01 = (1 - fu) * fv, w11 = fu * fv;
    out[o] = w00 * src[i00]! + w10 * src[i10]! + w01 * src[i01]! + w11 * src[i11]! + 0.5;
    out[o + 1] = w00 * src[i00 + 1]! + w10 * src[i10 + 1]! + w01 * src[i01 + 1]! + w11 * src[i11 + 1]! + 0.5;
    out[o + 2] = w00 * src[i00 + 2]! + w10 * src[i10 + 2]! + w01 * src[i01 + 2]! + w11 * src[i11 + 2]! + 0.5;
  }
}

/**
 * Fills a polygon (closed, any orientation) with a colour in a BGR image, with 4×4 supersampled
 * coverage so its edge is anti-aliased like a real edge, not a staircase.
 */
export function fillPolygon(img: Uint8Array, width: number, height: number, xs: number[], ys: number[], bgr: [number, number, number]): void {
  const n = xs.length;
  const x0 = Math.max(0, Math.floor(Math.min(...xs))), x1 = Math.min(width - 1, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys))), y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)));
  const inside = (x: number, y: number): boolean => {
    let odd = false;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      if (ys[i]! > y !== ys[j]! > y && x < ((xs[j]! - xs[i]!) * (y - ys[i]!)) / (ys[j]! - ys[i]!) + xs[i]!) odd = !odd;
    }
    return odd;
  };
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let hits = 0;
      for (let k = 0; k < 16; k++) if (inside(x - 0.375 + (k & 3) * 0.25, y - 0.375 + (k >> 2) * 0.25)) hits++;
      if (hits === 0) continue;
      const a = hits / 16, o = (y * width + x) * 3;
      for (let ch = 0; ch < 3; ch++) img[o + ch] = Math.round(img[o + ch]! * (1 - a) + bgr[ch]! * a);
    }
  }
}
