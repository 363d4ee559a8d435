/**
 * Evaluation library: verification metrics and the 10-fold protocol, pair sampling, the
 * identification protocol, an embedding cache, plots and HTML reports. Distances throughout:
 * lower = more alike, accept when distance <= threshold.
 */
export {
  rocCurve, auc, eer, tarAtFar, accuracyAt, bestAccuracyThreshold, summarize, DEFAULT_FARS,
  type Scores, type RocPoint, type EerResult, type TarAtFar, type BestAccuracy, type VerificationSummary,
} from './metrics.ts';
export {
  evaluateVerification, assignFolds, errorsByIdentity, type IdentityErrors,
  type ScoredPair, type FoldResult, type VerificationResult, type VerificationOptions,
} from './verification.ts';
export {
  listDataset, samplePairs, readPairsCsv, writePairsCsv, pairImages, IMAGE_EXTENSIONS,
  type Dataset, type Identity, type Pair, type PairList, type SampleOptions,
} from './pairs.ts';
export {
  splitIdentification, evaluateIdentification, dirAtFpir,
  type IdentificationSplit, type IdentificationResult, type IdentificationOptions, type GalleryEntry, type Probe,
  type ProbeOutcome, type OpenSetPoint,
} from './identification.ts';
export { EmbeddingCache, sha256File, configKey, CACHE_FILE } from './cache.ts';
export {
  embedImages, scorePairs, metricScorer, fusionPairScorer,
  type Embedder, type EmbedOptions, type EmbeddingMap, type OnProgress,
} from './scoring.ts';
export { mulberry32, shuffleInPlace, randInt, type Rng } from './prng.ts';
export {
  rocSvg, cmcSvg, openSetSvg, histogramSvg, histogramBins, lineChartSvg, svgToPng, thin, escapeXml,
  type Series, type ChartOptions, type RocSeries, type HistogramOptions, type HistogramBins,
} from './plots.ts';
export {
  writeVerificationReport, formatVerification, hardestPairs, writeIdentificationReport, formatIdentification,
  type ReportOptions, type ReportFiles, type IdentificationReportOptions,
} from './report.ts';
