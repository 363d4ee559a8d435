/** Bumped whenever optimiseOnnx's output can change, so cached optimised models are rebuilt. Apart
 * from the rewrite so that finding a cached model does not load onnx-proto. */
export const OPTIMISER_VERSION = 2;
