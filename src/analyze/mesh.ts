/**
 * MediaPipe FaceMesh (468 points) refined by MediaPipe Iris (eye contours + 5 points per iris),
 * 478 points in all, run as Human 3.x runs them (src/face/facemesh.ts, facemeshutil.ts, iris.ts)
 * with Human's default config (no rotation correction, detector box scale 1.4, iris scale 2.3):
 * - the face box grown 1.4x and made square (Human's blazeface box handling) is cut out with
 *   tf.image.cropAndResize semantics (bilinear, corners on pixel centres, black outside) to
 *   192x192, /255;
 * - each eye: the two eye corners' bounding box grown 2.3x and made square, cut from that 192
 *   crop to 64x64. Only the left eye crop is mirrored (as in MediaPipe's tfjs-models pipeline,
 *   which Human's iris.ts derives from; Human's own call also asks to mirror the right crop but
 *   never mirrors its coordinates back, which on a browser backend misplaces the right eye);
 * - iris points replace the mesh's eye contours when the eyes' depth differs by < 30 (looking
 *   ahead), else only the nearer eye's lid contours; iris z comes from the lids;
 * - mesh coordinates map back from the 192 crop to the image (Human then truncates to integers;
 *   these stay fractional).
 * The face box is the detector's: Human feeds its blazeface box, other detectors frame the face
 * a little differently (fr_detect's boxes are similar in size).
 */
import type { Face } from '../face.js';
import type { RgbImage } from '../image/types.js';
import { FacekitError } from '../errors/index.js';
import { loadModel } from '../models/index.js';

export type Point3 = [number, number, number];

export interface FaceMesh {
  /** 468 mesh points, then the left iris (468-472: centre, then 4 around) and the right (473-477); x, y in image pixels, z relative depth */
  points: Point3[];
  /** the model's face-presence confidence for this crop */
  faceScore: number;
  /** the square region fed to the mesh model */
  region: { x: number; y: number; w: number; h: number };
}

/** A box as MediaPipe/Human keep it: two corners. */
interface Corners { start: [number, number]; end: [number, number] }

const MESH_SIZE = 192;
const IRIS_SIZE = 64;
const DETECTOR_SCALE = 1.4;
const IRIS_SCALE = 2.3;

// facemeshcoords.ts: meshAnnotations rows the iris model refines, and irisIndices (iris model point -> row position)
const EYE: Record<'left' | 'right', Record<string, number[]>> = {
  left: {
    EyeUpper0: [466, 388, 387, 386, 385, 384, 398],
    EyeLower0: [263, 249, 390, 373, 374, 380, 381, 382, 362],
    EyeUpper1: [467, 260, 259, 257, 258, 286, 414],
    EyeLower1: [359, 255, 339, 254, 253, 252, 256, 341, 463],
    EyeUpper2: [342, 445, 444, 443, 442, 441, 413],
    EyeLower2: [446, 261, 448, 449, 450, 451, 452, 453, 464],
    EyeLower3: [372, 340, 346, 347, 348, 349, 350, 357, 465],
    EyebrowUpper: [383, 300, 293, 334, 296, 336, 285, 417],
    EyebrowLower: [265, 353, 276, 283, 282, 295],
  },
  right: {
    EyeUpper0: [246, 161, 160, 159, 158, 157, 173],
    EyeLower0: [33, 7, 163, 144, 145, 153, 154, 155, 133],
    EyeUpper1: [247, 30, 29, 27, 28, 56, 190],
    EyeLower1: [130, 25, 110, 24, 23, 22, 26, 112, 243],
    EyeUpper2: [113, 225, 224, 223, 222, 221, 189],
    EyeLower2: [226, 31, 228, 229, 230, 231, 232, 233, 244],
    EyeLower3: [143, 111, 117, 118, 119, 120, 121, 128, 245],
    EyebrowUpper: [156, 70, 63, 105, 66, 107, 55, 193],
    EyebrowLower: [35, 124, 46, 53, 52, 65],
  },
};
const IRIS_INDICES: Record<string, number[]> = {
  EyeUpper0: [9, 10, 11, 12, 13, 14, 15],
  EyeUpper1: [25, 26, 27, 28, 29, 30, 31],
  EyeUpper2: [41, 42, 43, 44, 45, 46, 47],
  EyeLower0: [0, 1, 2, 3, 4, 5, 6, 7, 8],
  EyeLower1: [16, 17, 18, 19, 20, 21, 22, 23, 24],
  EyeLower2: [32, 33, 34, 35, 36, 37, 38, 39, 40],
  EyeLower3: [54, 55, 56, 57, 58, 59, 60, 61, 62],
  EyebrowUpper: [63, 64, 65, 66, 67, 68, 69, 70],
  EyebrowLower: [48, 49, 50, 51, 52, 53],
};
const IRIS_POINTS = 76; // 71 eye-region points, then 5 iris points
const IRIS_FIRST = 71;

const size = (b: Corners): [number, number] => [Math.abs(b.end[0] - b.start[0]), Math.abs(b.end[1] - b.start[1])];
const centre = (b: Corners): [number, number] => [b.start[0] + (b.end[0] - b.start[0]) / 2, b.start[1] + (b.end[1] - b.start[1]) / 2];

function enlarge(b: Corners, factor: number): Corners {
  const [cx, cy] = centre(b);
  const [w, h] = size(b);
  return { start: [cx - (factor * w) / 2, cy - (factor * h) / 2], end: [cx + (factor * w) / 2, cy + (factor * h) / 2] };
}

function squarify(b: Corners): Corners {
  const [cx, cy] = centre(b);
  const half = Math.max(...size(b)) / 2;
  return { start: [Math.round(cx - half), Math.round(cy - half)], end: [Math.round(cx + half), Math.round(cy + half)] };
}

/**
 * tf.image.cropAndResize for one box on an HWC image with 3 channels, bilinear: output row i
 * samples y1*(H-1) + i*(y2-y1)*(H-1)/(outH-1) (box corners land on pixel centres); samples
 * outside the image are 0. `box` is in normalised [y1, x1, y2, x2]; `scale` multiplies values.
 */
export function cropAndResize(src: ArrayLike<number>, W: number, H: number, box: [number, number, number, number], outW: number, outH: number, scale = 1, mirror = false): Float32Array {
  const [y1, x1, y2, x2] = box;
  const out = new Float32Array(outW * outH * 3);
  const sy = outH > 1 ? ((y2 - y1) * (H - 1)) / (outH - 1) : 0;
  const sx = outW > 1 ? ((x2 - x1) * (W - 1)) / (outW - 1) : 0;
  for (let i = 0; i < outH; i++) {
    const y = outH > 1 ? y1 * (H - 1) + i * sy : 0.5 * (y1 + y2) * (H - 1);
    if (y < 0 || y > H - 1) continue;
    const y0 = Math.floor(y);
    const yb = Math.ceil(y);
    const fy = y - y0;
    for (let j = 0; j < outW; j++) {
      const x = outW > 1 ? x1 * (W - 1) + j * sx : 0.5 * (x1 + x2) * (W - 1);
      if (x < 0 || x > W - 1) continue;
      const x0 = Math.floor(x);
      const xb = Math.ceil(x);
      const fx = x - x0;
      const o = 3 * (i * outW + (mirror ? outW - 1 - j : j));
      for (let c = 0; c < 3; c++) {
        const tl = src[3 * (y0 * W + x0) + c];
        const tr = src[3 * (y0 * W + xb) + c];
        const bl = src[3 * (yb * W + x0) + c];
        const br = src[3 * (yb * W + xb) + c];
        const top = tl + (tr - tl) * fx;
        const bottom = bl + (br - bl) * fx;
        out[o + c] = (top + (bottom - top) * fy) * scale;
      }
    }
  }
  return out;
}

/** The square region Human feeds the mesh for a detector box. */
export function meshRegion(face: Pick<Face, 'box'>): Corners {
  const { x, y, w, h } = face.box;
  return squarify(enlarge({ start: [x, y], end: [x + w, y + h] }, DETECTOR_SCALE));
}

async function refineWithIris(raw: Point3[], faceCrop: Float32Array): Promise<Point3[]> {
  const { record, session } = await loadModel('iris');
  const eye = async (side: 'left' | 'right', mirror: boolean) => {
    const corners = [raw[EYE[side].EyeLower0[0]], raw[EYE[side].EyeLower0.at(-1)!]];
    const bounds: Corners = {
      start: [Math.min(corners[0][0], corners[1][0]), Math.min(corners[0][1], corners[1][1])],
      end: [Math.max(corners[0][0], corners[1][0]), Math.max(corners[0][1], corners[1][1])],
    };
    const box = squarify(enlarge(bounds, IRIS_SCALE));
    const norm: [number, number, number, number] = [box.start[1] / MESH_SIZE, box.start[0] / MESH_SIZE, box.end[1] / MESH_SIZE, box.end[0] / MESH_SIZE];
    const crop = cropAndResize(faceCrop, MESH_SIZE, MESH_SIZE, norm, IRIS_SIZE, IRIS_SIZE, 1, mirror);
    const out = await session.run({ [record.input.name]: { data: crop, dims: [1, IRIS_SIZE, IRIS_SIZE, 3] } });
    const v = Object.values(out)[0].data as Float32Array;
    if (v.length < IRIS_POINTS * 3) throw new FacekitError('INTERNAL', `iris model gave ${v.length} values, expected ${IRIS_POINTS * 3}`);
    const [bw, bh] = size(box);
    const pts: Point3[] = [];
    for (let i = 0; i < IRIS_POINTS; i++) {
      const px = v[3 * i] / IRIS_SIZE;
      pts.push([(mirror ? 1 - px : px) * bw + box.start[0], (v[3 * i + 1] / IRIS_SIZE) * bh + box.start[1], v[3 * i + 2]]);
    }
    return pts;
  };
  const left = await eye('left', true);
  const right = await eye('right', false);
  const replace = (side: 'left' | 'right', pts: Point3[], keys: string[]) => {
    for (const key of keys) {
      EYE[side][key].forEach((row, j) => {
        const p = pts[IRIS_INDICES[key][j]];
        raw[row] = [p[0], p[1], (p[2] + raw[row][2]) / 2];
      });
    }
  };
  const depthDifference = raw[EYE.left.EyeLower0[0]][2] - raw[EYE.right.EyeLower0[0]][2];
  if (Math.abs(depthDifference) < 30) {
    replace('left', left, Object.keys(IRIS_INDICES));
    replace('right', right, Object.keys(IRIS_INDICES));
  } else if (depthDifference < 1) {
    replace('left', left, ['EyeUpper0', 'EyeLower0']);
  } else {
    replace('right', right, ['EyeUpper0', 'EyeLower0']);
  }
  // iris z is unreliable: take it from the lids above and below
  const irisWithZ = (side: 'left' | 'right', pts: Point3[]): Point3[] => {
    const upper = raw[EYE[side].EyeUpper0[3]][2];
    const lower = raw[EYE[side].EyeLower0[4]][2];
    return pts.slice(IRIS_FIRST).map(([x, y], i) => [x, y, i === 2 ? upper : i === 4 ? lower : (upper + lower) / 2]);
  };
  return [...raw, ...irisWithZ('left', left), ...irisWithZ('right', right)];
}

/** 478 landmarks (468 mesh + 2 x 5 iris) for a detected face. */
export async function predictMesh(image: RgbImage, face: Pick<Face, 'box'>, opts: { iris?: boolean } = {}): Promise<FaceMesh> {
  const { x, y, w, h } = face.box ?? {};
  if (![x, y, w, h].every(Number.isFinite) || !(w > 0 && h > 0)) throw new FacekitError('BAD_ARGUMENT', `face box ${JSON.stringify(face.box)} is empty or not finite`);
  const region = meshRegion(face);
  const { record, session } = await loadModel('facemesh');
  const { width: W, height: H } = image;
  const norm: [number, number, number, number] = [region.start[1] / H, region.start[0] / W, region.end[1] / H, region.end[0] / W];
  const crop = cropAndResize(image.data, W, H, norm, MESH_SIZE, MESH_SIZE, 1 / 255);
  const out = await session.run({ [record.input.name]: { data: crop, dims: [1, MESH_SIZE, MESH_SIZE, 3] } });
  const mesh = Object.values(out).find((t) => t.data.length === 468 * 3);
  const flag = Object.values(out).find((t) => t.data.length === 1);
  if (!mesh || !flag) throw new FacekitError('INTERNAL', `facemesh outputs have unexpected sizes: ${Object.values(out).map((t) => t.data.length).join(', ')}`);
  let raw: Point3[] = [];
  for (let i = 0; i < 468; i++) raw.push([Number(mesh.data[3 * i]), Number(mesh.data[3 * i + 1]), Number(mesh.data[3 * i + 2])]);
  if (opts.iris !== false) raw = await refineWithIris(raw, crop);
  // back from the 192 crop to the image (Human's transformRawCoords without rotation)
  const [bw, bh] = size(region);
  const [cx, cy] = centre(region);
  const points = raw.map(([px, py, pz]) => [cx + (bw / MESH_SIZE) * (px - MESH_SIZE / 2), cy + (bh / MESH_SIZE) * (py - MESH_SIZE / 2), pz] as Point3);
  return {
    points,
    faceScore: Number(flag.data[0]),
    region: { x: region.start[0], y: region.start[1], w: bw, h: bh },
  };
}
