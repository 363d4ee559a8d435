/**
 * Learning the similarity: losses (triplet, contrastive, Siamese BCE), online triplet mining in
 * P x K batches, projection heads over frozen embeddings (saved as JSON, exported as a TF graph
 * for the ONNX compiler), a small CNN trained from scratch, and held-out verification.
 */
export { useBackend, useCpuBackend, type TrainingBackend } from './backend.ts';
export { tripletLoss, tripletLossOnBatch, contrastiveLoss, contrastiveLossOnBatch, siameseLogits, binaryCrossEntropyWithLogits, selectRows, type Reduction } from './losses.ts';
export { mineTriplets, pairwiseSquaredDistances, MINING_STRATEGIES, type MiningStrategy, type Triplet, type DistanceMatrix, type MinedTriplets } from './mining.ts';
export { PkBatchSampler, type PkBatchSpec } from './sampler.ts';
export { splitIdentities, type IdentitySplit } from './split.ts';
export { createRng, deriveSeed, shuffleInPlace, type Rng } from './random.ts';
export { ProjectionHead, parseHeadSpec, formatHeadSpec, l2Normalize, type HeadSpec, type NamedWeight } from './head.ts';
export { saveHead, loadHead, serializeHead, deserializeHead, writeHeadFile, type HeadFile, type HeadMetadata, type HeadCalibrations } from './head-file.ts';
export { runtimeHead, readRuntimeHead, type RuntimeHead } from './head-runtime.ts';
export { fitHeadOnEmbeddings, embedLabelledFolder, parseMining, HEAD_LOSSES, type HeadLoss, type FitHeadOptions, type FitHeadResult, type EmbeddedFolder } from './fit-head.ts';
export { headToTfGraph, HEAD_INPUT, HEAD_OUTPUT } from './head-graph.ts';
export { trainLoop, type TrainLoopOptions, type TrainLoopResult, type StepInfo, type EmbeddingLoss } from './train.ts';
export { trainHead, type TrainHeadOptions, type TrainHeadResult } from './train-head.ts';
export { pcaHeadWeights } from './pca-init.ts';
export { SiameseHead, trainSiameseHead, type TrainSiameseOptions } from './siamese.ts';
export { EmbeddingCnn, trainCnn, DEFAULT_CNN, conv3x3Same, augment, type AugmentOptions, type CnnSpec, type TrainCnnOptions } from './cnn.ts';
export { CnnEnsemble, trainCnnEnsemble, averageUnitEmbeddings, type TrainCnnEnsembleOptions } from './cnn-ensemble.ts';
export { listLabelledImages, loadResized, loadGreyStandardised, type LabelledImages } from './dataset.ts';
export { heldOutVerification, verificationPairs, verifyDistances, cosineDistance, type HeldOutResult, type IndexPairs } from './verification.ts';
