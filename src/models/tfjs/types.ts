/**
 * The interchange format between model readers and the ONNX compiler: a TF GraphDef in TF.js's
 * JSON form (the `modelTopology.node` list of a model.json) plus decoded weights. TF.js graph
 * models are read into it; face-api nets are rebuilt into it from their weights, so both go
 * through one compiler and one set of op semantics (NHWC, SAME padding).
 */
export type TfAttrValue =
  | { s: string } // base64, as in model.json
  | { i: string }
  | { f: number }
  | { b: boolean }
  | { type: string }
  | { shape: { dim?: { size: string }[]; unknownRank?: boolean } }
  | { list: { i?: string[]; f?: number[]; s?: string[]; type?: string[] } }
  | { tensor: unknown };

export interface TfNodeDef {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
  device?: string;
}

export interface TfTensor {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export interface TfGraphModel {
  /** a label used in error messages */
  name: string;
  nodes: TfNodeDef[];
  /** Const node name -> value */
  weights: Map<string, TfTensor>;
}
