import { createRng } from '../../src/learn/random.ts';

/** Identities as random centres in `dim` dimensions, `perId` noisy samples each. */
export function toyEmbeddings(ids: number, perId: number, dim: number, noise: number, seed: number): { embeddings: Float32Array[]; labels: number[] } {
  const rng = createRng(seed);
  const embeddings: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < ids; i++) {
    const c = Array.from({ length: dim }, () => rng.normal());
    for (let k = 0; k < perId; k++) {
      embeddings.push(Float32Array.from(c, (v) => v + noise * rng.normal()));
      labels.push(i);
    }
  }
  return { embeddings, labels };
}
