/**
 * Where verification errors fall: the 10-fold protocol of bench/verify-accuracy.ts (same pairs,
 * seed 1), each pair judged at its fold's threshold and charged to its identities. Shows whether
 * the remaining errors are spread over everyone (the pipeline) or piled on one identity (label
 * noise or a hard subject). Embeddings come from the eval cache. Writes bench/results/verify-errors.json.
 *
 *   npx tsx bench/verify-errors.ts [--set=celebrity-aligned] [--configs=fr_feature/fr_detect,fr_feature/none,fusion:mean(fr_feature/cosine+faceapi-recognition/cosine)/fr_detect]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCURATE_FUSION } from '../src/compare/index.ts';
import { errorsByIdentity } from '../src/eval/index.ts';
import { runVerificationEval } from '../src/eval/run.ts';
import { DATA, verifySets } from './verify-sets.ts';

const args = process.argv.slice(2);
const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const set = arg('set') ?? 'celebrity-aligned';
const FUSION = ACCURATE_FUSION;
// model/detector; the detector is the text after the last slash, as a fusion id holds slashes too
const configs = (arg('configs')?.split(',') ?? ['fr_feature/fr_detect', 'fr_feature/none', `${FUSION}/fr_detect`, `${FUSION}/none`])
  .map((c) => ({ model: c.slice(0, c.lastIndexOf('/')), detector: c.slice(c.lastIndexOf('/') + 1) }));

if (!existsSync(join(DATA, set))) {
  console.log(`evaluation data not found at ${join(DATA, set)}; set FACEKIT_DATA`);
  process.exit(0);
}
const rows = [];
for (const c of configs) {
  const { summary, result } = await runVerificationEval({
    dataset: join(DATA, set), pairsPerClass: verifySets().find((s) => s.name === set)?.pairsPerClass ?? 10, seed: 1, metric: 'cosine',
    model: c.model, detect: c.detector !== 'none', ...(c.detector !== 'none' ? { detector: c.detector } : {}),
  });
  const perIdentity = errorsByIdentity(result);
  // an impostor pair is charged to both its identities
  const wrong = perIdentity.reduce((s, e) => s + e.falseRejects + e.falseAccepts / 2, 0);
  const worst = perIdentity[0];
  console.log(`\n${set}  ${c.model}  detector ${c.detector}: accuracy ${(100 * summary.accuracy.mean).toFixed(2)}%, ${wrong} of ${result.scored.length} pairs wrong`);
  console.log('  identity               false rejects / genuine   false accepts / impostor');
  for (const e of perIdentity) console.log(`  ${e.identity.padEnd(22)} ${String(e.falseRejects).padStart(5)} / ${String(e.genuinePairs).padEnd(12)} ${String(e.falseAccepts).padStart(5)} / ${e.impostorPairs}`);
  console.log(`  worst: ${worst.identity}, ${worst.falseRejects} false rejects = ${(100 * worst.falseRejects / Math.max(1, perIdentity.reduce((s, e) => s + e.falseRejects, 0))).toFixed(0)}% of all false rejects`);
  rows.push({ dataset: set, model: c.model, detector: c.detector, accuracy: summary.accuracy.mean, pairs: result.scored.length, perIdentity, measuredAt: new Date().toISOString() });
}
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
const out = join(import.meta.dirname, 'results/verify-errors.json');
writeFileSync(out, `${JSON.stringify({ generatedBy: 'bench/verify-errors.ts', protocol: '10-fold, pairs of bench/verify-accuracy.ts (seed 1), each pair at its fold threshold', rows }, null, 1)}\n`);
console.log(`wrote ${out}`);
