/**
 * Learning the similarity: losses (triplet, contrastive, Siamese BCE), online triplet mining in
 * P x K batches, projection heads over frozen embeddings (saved as JSON, exported as a TF graph
 * for the ONNX compiler), a small CNN trained from scratch, and held-out verification.
 */
export { useBackend, useCpuBackend, type TrainingBackend } from './backend.js';
export { tripletLoss, tripletLossOnBatch, contrastiveLoss, contrastiveLossOnBatch, siameseLogits, binaryCrossEntropyWithLogits, selectRows, type Reduction } from './losses.js';
export { mineTriplets, pairwiseSquaredDistances, MINING_STRATEGIES, type MiningStrategy, type Triplet, type DistanceMatrix, type MinedTriplets } from './mining.js';
export { PkBatchSampler, type PkBatchSpec } from './sampler.js';
export { splitIdentities, type IdentitySplit } from './split.js';
export { createRng, deriveSeed, shuffleInPlace, type Rng } from './random.js';
export { ProjectionHead, parseHeadSpec, formatHeadSpec, l2Normalize, type HeadSpec, type NamedWeight } from './head.js';
export { saveHead, loadHead, serializeHead, deserializeHead, writeHeadFile, type HeadFile, type HeadMetadata, type HeadCalibrations } from './head-file.js';
export { runtimeHead, readRuntimeHead, type RuntimeHead } from './head-runtime.js';
export { parseMining, HEAD_LOSSES, type HeadLoss } from './options.js';
export { fitHeadOnEmbeddings, embedLabelledFolder, type FitHeadOptions, type FitHeadResult, type EmbeddedFolder } from './fit-head.js';
export { headToTfGraph, HEAD_INPUT, HEAD_OUTPUT } from './head-graph.js';
export { trainLoop, type TrainLoopOptions, type TrainLoopResult, type StepInfo, type EmbeddingLoss } from './train.js';
export { trainHead, type TrainHeadOptions, type TrainHeadResult } from './train-head.js';
export { pcaHeadWeights } from './pca-init.js';
export { SiameseHead, trainSiameseHead, type TrainSiameseOptions } from './siamese.js';
export { EmbeddingCnn, trainCnn, DEFAULT_CNN, conv3x3Same, augment, type AugmentOptions, type CnnSpec, type TrainCnnOptions } from './cnn.js';
export { CnnEnsemble, trainCnnEnsemble, averageUnitEmbeddings, type TrainCnnEnsembleOptions } from './cnn-ensemble.js';
export { listLabelledImages, loadResized, loadGreyStandardised, type LabelledImages } from './dataset.js';
export { heldOutVerification, verificationPairs, verifyDistances, cosineDistance, type HeldOutResult, type IndexPairs } from './verification.js';
