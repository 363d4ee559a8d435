/**
 * int8 codes of embeddings for the cos metric, and how far a code's direction can be from its
 * vector's. cos is scale-invariant, so each vector gets its own scale (its largest |component|
 * maps to 127, rounded): all ±127 levels are used whatever the vector's norm or spread.
 */

/** writes the codes of src[srcOffset .. +dims) to out[outOffset ..); returns the direction error (see codeError) */
export function quantizeI8(src: Float32Array, srcOffset: number, dims: number, out: Int8Array, outOffset: number): number {
  let max = 0;
  for (let j = 0; j < dims; j++) {
    const a = Math.abs(src[srcOffset + j]);
    if (a > max) max = a;
  }
  const scale = max > 0 ? 127 / max : 0;
  for (let j = 0; j < dims; j++) out[outOffset + j] = Math.round(src[srcOffset + j] * scale);
  return codeError(src, srcOffset, dims, out, outOffset);
}

/**
 * |x/|x| - c/|c||: the distance between the unit directions of a vector and its codes. For unit
 * directions u, v and their code directions û, v̂: |û·v̂ - u·v| <= |û - u| + |v̂ - v|, so the cos
 * distance between two codes is within (error of one + error of the other) of the true one.
 */
export function codeError(src: Float32Array, srcOffset: number, dims: number, codes: Int8Array, codesOffset: number): number {
  let nx = 0;
  let nc = 0;
  for (let j = 0; j < dims; j++) {
    nx += src[srcOffset + j] * src[srcOffset + j];
    nc += codes[codesOffset + j] * codes[codesOffset + j];
  }
  if (nx === 0 || nc === 0) return 2;
  nx = Math.sqrt(nx);
  nc = Math.sqrt(nc);
  let e = 0;
  for (let j = 0; j < dims; j++) {
    const d = src[srcOffset + j] / nx - codes[codesOffset + j] / nc;
    e += d * d;
  }
  return Math.sqrt(e);
}

/** a 32-bit hash of a vector's exact float bits, to find an enrolled vector searched with itself */
export function vectorHash(v: Float32Array): number {
  const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i], 0x01000193) ^ (h >>> 15);
  return h >>> 0;
}
