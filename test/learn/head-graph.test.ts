import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { useCpuBackend } from '../../src/learn/backend.ts';
import { parseHeadSpec, ProjectionHead } from '../../src/learn/head.ts';
import { headToTfGraph, HEAD_INPUT, HEAD_OUTPUT } from '../../src/learn/head-graph.ts';
import type { TfGraphModel } from '../../src/models/tfjs/types.ts';
import { toyEmbeddings } from './toy.ts';
import { tfGraphArtifacts } from '../models/tfjs-reference.ts';

await useCpuBackend();

/** Runs a TfGraphModel with tfjs-converter's own executor: checks the graph means what the head does. */
async function runWithConverter(g: TfGraphModel, input: tf.Tensor2D): Promise<Float32Array> {
  const model = await loadGraphModel(tf.io.fromMemory(tfGraphArtifacts(g)));
  const out = model.execute({ [HEAD_INPUT]: input }, HEAD_OUTPUT) as tf.Tensor;
  return out.dataSync() as Float32Array;
}

for (const spec of ['linear:6', 'mlp:10:6']) {
  test(`the ${spec} head exported as a TF graph computes the same embeddings as the tfjs head`, async () => {
    const { embeddings } = toyEmbeddings(3, 3, 12, 0.3, 2);
    const head = ProjectionHead.create(parseHeadSpec(spec), 12, 5);
    const g = headToTfGraph(head);
    assert.equal(g.nodes.filter((n) => n.op === 'Placeholder').length, 1);
    const want = head.embed(embeddings);
    const got = await runWithConverter(g, tf.tensor2d(embeddings.flatMap((e) => [...e]), [embeddings.length, 12]));
    want.forEach((w, i) => w.forEach((v, k) => assert.ok(Math.abs(got[i * 6 + k] - v) < 1e-5, `row ${i} col ${k}: ${got[i * 6 + k]} vs ${v}`)));
  });
}
