import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decoders, softmax, ssrnetValue } from '../../src/analyze/index.ts';
import type { TensorData } from '../../src/runtime/session.ts';

const t = (...v: number[]): TensorData => ({ data: Float32Array.from(v), dims: [1, v.length] });

/** SSR-Net outputs where every stage puts all mass on bin `bin` with no offsets or shifts. */
function ssr(bins: [number, number, number]) {
  const out: Record<string, TensorData> = {};
  bins.forEach((b, k) => {
    const p = [0, 0, 0];
    p[b] = 1;
    out[`prob_stage_${k + 1}`] = t(...p);
    out[`stage${k + 1}_delta_k`] = t(0);
    out[`index_offset_stage${k + 1}`] = t(0, 0, 0);
  });
  return out;
}

test('SSR-Net merge matches the stagewise formula', () => {
  // bins (2, 1, 0): 2/3 + 1/9 + 0/27, times V
  assert.ok(Math.abs(ssrnetValue(ssr([2, 1, 0]), 101, 'm') - (2 / 3 + 1 / 9) * 101) < 1e-4);
  // the largest value, all stages on the last bin: (2/3 + 2/9 + 2/27) * V
  assert.ok(Math.abs(ssrnetValue(ssr([2, 2, 2]), 1, 'm') - (2 / 3 + 2 / 9 + 2 / 27)) < 1e-6);
  const shifted = ssr([1, 0, 0]);
  shifted.stage1_delta_k = t(1); // bin width doubles, value halves
  assert.ok(Math.abs(ssrnetValue(shifted, 101, 'm') - (1 / 6) * 101) < 1e-4);
});

test('SSR-Net gender: the configured end is male', () => {
  const high = decoders['ssrnet-gender'](ssr([2, 2, 2]), { maleValue: 1 }, 'g').gender!;
  assert.equal(high.value, 'male');
  const low = decoders['ssrnet-gender'](ssr([0, 0, 0]), { maleValue: 1 }, 'g').gender!;
  assert.equal(low.value, 'female');
  assert.equal(decoders['ssrnet-gender'](ssr([0, 0, 0]), { maleValue: 0 }, 'g').gender!.value, 'male');
});

test('class decoder returns the dominant class and a distribution', () => {
  const r = decoders.classes({ output: t(0.1, 3, 0.2) }, { action: 'emotion', softmax: true, classes: ['a', 'b', 'c'] }, 'e').emotion!;
  assert.equal(r.value, 'b');
  const sum = Object.values(r.probabilities!).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-6 && r.score! > 0.8);
  assert.throws(() => decoders.classes({ output: t(1, 2) }, { action: 'emotion', classes: ['a', 'b', 'c'] }, 'e'));
});

test('hopenet decoder: a peak at bin 33 is 0 degrees, bin 43 is +30', () => {
  const peak = (bin: number) => t(...Array.from({ length: 66 }, (_, i) => (i === bin ? 50 : 0)));
  const r = decoders.hopenet({ y: peak(43), p: peak(33), r: peak(23) }, { outputs: ['y', 'p', 'r'] }, 'h').pose!;
  assert.ok(Math.abs(r.extra!.yaw - 30) < 0.01 && Math.abs(r.extra!.pitch) < 0.01 && Math.abs(r.extra!.roll + 30) < 0.01, JSON.stringify(r));
});

test('GEAR decoder: age from 7 bins with a spread, gender and race', () => {
  const bins = [15, 23, 28, 35.5, 45.5, 55.5, 65];
  const params = { ageOutput: 'age', genderOutput: 'gender', raceOutput: 'race', ageBins: bins, raceClasses: ['white', 'black', 'asian', 'indian', 'other'] };
  const sure = decoders.gear({ age: t(0, 0, 0, 1, 0, 0, 0), gender: t(0.2, 0.8), race: t(0.1, 0.1, 0.6, 0.1, 0.1) }, params, 'gear');
  assert.equal(sure.age!.value, 35.5);
  assert.equal(sure.age!.spread, 0);
  assert.equal(sure.gender!.value, 'female');
  assert.equal(sure.race!.value, 'asian');
  const split = decoders.gear({ age: t(0, 0, 0, 0.5, 0.5, 0, 0), gender: t(0.9, 0.1), race: t(1, 0, 0, 0, 0) }, params, 'gear');
  assert.ok(Math.abs(Number(split.age!.value) - 40.5) < 1e-6 && Math.abs(split.age!.spread! - 5) < 1e-6);
});

test('spoof decoders: score is the live probability, threshold decides', () => {
  const live = decoders['spoof-classes']({ output: t(2, 0, 0) }, { softmax: true, liveIndex: 0, threshold: 0.3 }, 's').spoof!;
  assert.equal(live.value, 'real');
  const fake = decoders['spoof-classes']({ output: t(-2, 2, 1) }, { softmax: true, liveIndex: 0, threshold: 0.3 }, 's').spoof!;
  assert.equal(fake.value, 'spoof');
  assert.ok(fake.score! < 0.3);
  assert.equal(decoders['spoof-score']({ o: t(0.8) }, {}, 's').spoof!.value, 'real');
  assert.equal(decoders['spoof-score']({ o: t(0.8) }, { invert: true }, 's').spoof!.value, 'spoof');
  assert.ok(Math.abs(softmax([0, 0]).reduce((a, b) => a + b) - 1) < 1e-9);
});
