/**
 * Fusions of two and three recognizers against each member alone, through the default detector
 * (fr_detect), 10-fold, on every verification set. A fusion averages its members' calibrated
 * P(same) (src/compare/fusion.ts); the member calibrations were fitted on celebrity-aligned seed 1
 * (300 pairs per class), so that set is scored twice: on its fitting pairs (seed 1) and on fresh
 * pairs (seed 2, same photos, other pairs), and orl / yale / sitcom-cast are the held-out sets the
 * choice rests on. Writes bench/results/fusion.json.
 *
 *   npx tsx bench/fusion.ts [--quick] [--sets=orl,yale]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fusionId, type FusionMember } from '../src/compare/index.ts';
import { runVerificationEval } from '../src/eval/run.ts';
import { DATA, verifySets } from './verify-sets.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const setsArg = args.find((a) => a.startsWith('--sets='))?.slice(7).split(',');

// the three recognizers with the best single-model accuracy through detection
const MODELS = ['fr_feature', 'faceapi-recognition', 'mobilefacenet'];
const member = (model: string): FusionMember => ({ model, metric: 'cosine' });
const CONFIGS: string[] = [
  ...MODELS,
  ...MODELS.flatMap((a, i) => MODELS.slice(i + 1).map((b) => fusionId('mean', [member(a), member(b)]))),
  fusionId('mean', MODELS.map(member)),
];

const runs = verifySets(quick)
  .filter((s) => !setsArg || setsArg.includes(s.name))
  .flatMap((s) => (s.name === 'celebrity-aligned' ? [{ ...s, seed: 1, role: 'calibration pairs' }, { ...s, seed: 2, role: 'fresh pairs' }] : [{ ...s, seed: 1, role: 'held out' }]));

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const rows: Record<string, unknown>[] = [];
const outFile = join(import.meta.dirname, 'results/fusion.json');
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
for (const run of runs) {
  for (const model of CONFIGS) {
    const { summary } = await runVerificationEval({
      dataset: join(DATA, run.name), pairsPerClass: run.pairsPerClass, seed: run.seed, model, detect: true, detector: 'fr_detect',
      ...(model.startsWith('fusion:') ? {} : { metric: 'cosine' as const }),
    });
    const row = {
      dataset: run.name, seed: run.seed, role: run.role, model, detector: 'fr_detect', pairs: summary.pairs,
      accuracy: summary.accuracy.mean, std: summary.accuracy.std, auc: summary.auc, eer: summary.eer,
      tarAt1e2: summary.tarAtFar['0.01'], tarAt1e3: summary.tarAtFar['0.001'], noFace: summary.noFace,
    };
    rows.push(row);
    console.log(`${run.name.padEnd(20)} seed ${run.seed} ${model.padEnd(82)} acc ${pct(row.accuracy)} +- ${pct(row.std)}  auc ${row.auc.toFixed(4)}  eer ${pct(row.eer)}  tar@1e-2 ${pct(row.tarAt1e2)}  tar@1e-3 ${pct(row.tarAt1e3)}`);
    writeFileSync(outFile, `${JSON.stringify({ generatedBy: 'bench/fusion.ts', quick, rows }, null, 1)}\n`);
  }
}
console.log(`wrote ${outFile}`);
