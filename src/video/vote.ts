/**
 * Who a track is, from several frames. Each embedded frame of the track (a "sample": a face whose
 * quality passed the bar) is matched against the gallery as a photo would be: its nearest person,
 * the distance and the calibrated confidence c = P(same person | distance).
 *
 * The rule: a sample within the calibrated threshold votes for its person with weight c; a sample
 * beyond it votes "unknown" with weight 1 - c. Over the last K samples the identity with the
 * highest summed weight wins; a tie goes to unknown (naming someone wrongly costs more than
 * missing them). No decision is made before `minSamples` samples, so one lucky or blurred frame
 * cannot name a track on its own.
 */
import { distance, type Metric } from '../compare/index.js';

export interface Sample {
  /** the person within the threshold, or null */
  match: { personId: string; name: string } | null;
  /** calibrated confidence of the nearest person, 0..1 */
  confidence: number;
  vector: Float32Array;
  quality: number;
  timeMs: number;
}

export interface Vote {
  /** the winning person, or null for unknown */
  person: { personId: string; name: string } | null;
  /** samples that voted for the winner */
  votes: number;
  /** samples considered */
  frames: number;
  /** mean calibrated confidence of the winner's votes (for unknown: mean 1 - c) */
  confidence: number;
}

export function voteIdentity(samples: readonly Sample[], lastK: number): Vote | null {
  const recent = samples.slice(-lastK);
  if (recent.length === 0) return null;
  const tally = new Map<string | null, { weight: number; votes: number; person: Sample['match'] }>();
  for (const s of recent) {
    const key = s.match?.personId ?? null;
    const w = s.match ? s.confidence : 1 - s.confidence;
    const t = tally.get(key) ?? { weight: 0, votes: 0, person: s.match };
    t.weight += w;
    t.votes += 1;
    tally.set(key, t);
  }
  let bestKey: string | null = null;
  let best = tally.get(null) ?? { weight: -1, votes: 0, person: null };
  for (const [key, t] of tally) {
    if (key !== null && t.weight > best.weight) {
      best = t;
      bestKey = key;
    }
  }
  const won = tally.get(bestKey)!;
  return { person: bestKey === null ? null : won.person, votes: won.votes, frames: recent.length, confidence: won.weight / won.votes };
}

/**
 * Unknown faces seen during one watch: a track that votes unknown gets the id of the stranger it
 * matches (any stored vector within the threshold), else a new one, so the same unknown person
 * leaving and coming back keeps one id.
 */
export class StrangerRegistry {
  private strangers: { id: string; vectors: Float32Array[] }[] = [];
  private next = 1;
  constructor(private readonly metric: Metric, private readonly threshold: number, private readonly keep = 10) {}

  identify(vectors: readonly Float32Array[]): string {
    let bestId: string | null = null;
    let bestD = Infinity;
    for (const s of this.strangers) {
      for (const a of s.vectors) {
        for (const b of vectors) {
          const d = distance(a, b, this.metric);
          if (d < bestD) {
            bestD = d;
            bestId = s.id;
          }
        }
      }
    }
    let entry = bestId !== null && bestD <= this.threshold ? this.strangers.find((s) => s.id === bestId)! : null;
    if (!entry) {
      entry = { id: `stranger-${this.next++}`, vectors: [] };
      this.strangers.push(entry);
    }
    entry.vectors.push(...vectors);
    if (entry.vectors.length > this.keep) entry.vectors.splice(0, entry.vectors.length - this.keep);
    return entry.id;
  }

  get size(): number {
    return this.strangers.length;
  }
}
