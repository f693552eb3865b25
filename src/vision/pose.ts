/**
 * Head pose angles and their sign conventions (degrees), as seen by a camera that is not mirrored:
 * - yaw   > 0: the person turns to their own left (the nose moves to the image's right);
 * - pitch > 0: the person raises the head (chin up, the nose moves up the image);
 * - roll  > 0: the face turns counter-clockwise in the image as displayed.
 * A horizontally mirrored image flips the signs of yaw and roll, pitch stays.
 *
 * Rotation in camera axes (x right, y down, z away from the camera): R = Ryaw · Rpitch · Rroll, i.e.
 * roll about the face's own axis first, then pitch, then yaw about the vertical; a frontal face is
 * R = identity. `eulerFromMatrix` is the exact inverse of `matrixFromEuler`.
 */

export interface HeadPose {
  yaw: number;
  pitch: number;
  roll: number;
}

export type Mat3 = [number, number, number, number, number, number, number, number, number];

const DEG = 180 / Math.PI;

function mul(a: Mat3, b: Mat3): Mat3 {
  const r = new Array<number>(9) as Mat3;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) r[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  return r;
}

function transpose(a: Mat3): Mat3 {
  return [a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]];
}

const rollM = (r: number): Mat3 => [Math.cos(r), Math.sin(r), 0, -Math.sin(r), Math.cos(r), 0, 0, 0, 1];
const pitchM = (p: number): Mat3 => [1, 0, 0, 0, Math.cos(p), Math.sin(p), 0, -Math.sin(p), Math.cos(p)];
const yawM = (y: number): Mat3 => [Math.cos(y), 0, -Math.sin(y), 0, 1, 0, Math.sin(y), 0, Math.cos(y)];

export function matrixFromEuler(pose: HeadPose): Mat3 {
  return mul(yawM(pose.yaw / DEG), mul(pitchM(pose.pitch / DEG), rollM(pose.roll / DEG)));
}

export function eulerFromMatrix(R: Mat3): HeadPose {
  // Where the face points: the model's -z axis (towards the camera when frontal).
  const fx = -R[2], fy = -R[5], fz = -R[8];
  const yaw = Math.atan2(fx, -fz);
  const pitch = Math.atan2(-fy, Math.hypot(fx, fz));
  const rest = mul(transpose(pitchM(pitch)), mul(transpose(yawM(yaw)), R));
  const roll = Math.atan2(-rest[3], rest[0]);
  return { yaw: yaw * DEG, pitch: pitch * DEG, roll: roll * DEG };
}

/** Rodrigues: rotation vector (axis · angle in radians) to matrix. */
export function rodrigues(v: readonly [number, number, number]): Mat3 {
  const theta = Math.hypot(v[0], v[1], v[2]);
  if (theta < 1e-12) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const [x, y, z] = [v[0] / theta, v[1] / theta, v[2] / theta];
  const c = Math.cos(theta), s = Math.sin(theta), t = 1 - c;
  return [
    t * x * x + c, t * x * y - s * z, t * x * z + s * y,
    t * x * y + s * z, t * y * y + c, t * y * z - s * x,
    t * x * z - s * y, t * y * z + s * x, t * z * z + c,
  ];
}

export function applyMat3(R: Mat3, x: number, y: number, z: number): [number, number, number] {
  return [R[0] * x + R[1] * y + R[2] * z, R[3] * x + R[4] * y + R[5] * z, R[6] * x + R[7] * y + R[8] * z];
}

/** Pinhole camera with square pixels and no distortion; focal in pixels. */
export interface Intrinsics {
  focal: number;
  cx: number;
  cy: number;
}

/**
 * Estimated intrinsics when the camera is not calibrated: focal length = `focalFactor` × image width
 * (≈ 1.0 for a typical 60–65° webcam), principal point at the centre.
 */
export function estimateIntrinsics(width: number, height: number, focalFactor = 1.0): Intrinsics {
  return { focal: focalFactor * width, cx: width / 2, cy: height / 2 };
}
