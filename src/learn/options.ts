/**
 * The names a training command offers (losses, mining strategies), apart from the training code so
 * that a command line can list them without loading TensorFlow.js.
 */
import { FacekitError } from '../errors/index.js';
import { MINING_STRATEGIES, type MiningStrategy } from './mining.js';

export type HeadLoss = 'triplet' | 'contrastive' | 'siamese';
export const HEAD_LOSSES: readonly HeadLoss[] = ['triplet', 'contrastive', 'siamese'];

/** The CLI's short mining names (hard, semi-hard, all) and the library's. */
export function parseMining(s: string): MiningStrategy {
  const m = ({ hard: 'batch-hard', all: 'batch-all' } as Record<string, MiningStrategy>)[s] ?? s;
  if (!MINING_STRATEGIES.includes(m as MiningStrategy)) throw new FacekitError('BAD_ARGUMENT', `unknown mining "${s}" (use hard, semi-hard or all)`);
  return m as MiningStrategy;
}
