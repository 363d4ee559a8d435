import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ATTRIBUTE_MODELS, ACTIONS, decoders } from '../../src/analyze/index.ts';
import { getModelRecord } from '../../src/models/index.ts';
import defaults from '../../src/analyze/defaults.json' with { type: 'json' };

test('every attribute entry names a registry model, a known decoder, and outputs the record has', () => {
  for (const [id, e] of Object.entries(ATTRIBUTE_MODELS)) {
    const record = getModelRecord(id);
    assert.ok(decoders[e.decoder], `${id}: decoder ${e.decoder}`);
    assert.ok(e.actions.length > 0 && e.actions.every((a) => ACTIONS.includes(a)), `${id}: actions ${e.actions}`);
    const named = Object.entries(e.params)
      .filter(([k]) => k === 'output' || k.endsWith('Output'))
      .map(([, v]) => v as string)
      .concat((e.params.outputs as string[] | undefined) ?? []);
    for (const o of named) assert.ok(o in record.outputs, `${id}: output ${o} not in record outputs ${Object.keys(record.outputs)}`);
    if (Array.isArray(e.params.classes)) assert.ok(new Set(e.params.classes).size === e.params.classes.length, `${id}: duplicate class`);
  }
});

test('defaults list only attribute models that serve the action', () => {
  for (const [action, ids] of Object.entries(defaults)) {
    if (action.startsWith('_')) continue;
    for (const id of ids as string[]) assert.ok(ATTRIBUTE_MODELS[id]?.actions.includes(action as never), `${action}: ${id}`);
  }
});

test('entries framed by a landmark box name an installed 68-point landmark model and a sane padding', () => {
  const framed = Object.entries(ATTRIBUTE_MODELS).filter(([, e]) => typeof e.crop === 'object' && 'landmarkBox' in e.crop);
  assert.ok(framed.length > 0, 'faceapi-age-gender uses face-api\'s landmark framing');
  for (const [id, e] of framed) {
    const spec = e.crop as { landmarkBox: string; padding: number };
    assert.equal(getModelRecord(spec.landmarkBox).task, 'landmarks', `${id}: ${spec.landmarkBox}`);
    assert.ok(spec.padding >= 0 && spec.padding < 1, `${id}: padding ${spec.padding}`);
  }
});
