/**
 * Evaluation library: verification metrics and the 10-fold protocol, pair sampling, the
 * identification protocol, an embedding cache, plots and HTML reports. Distances throughout:
 * lower = more alike, accept when distance <= threshold.
 */
export {
  rocCurve, auc, eer, tarAtFar, accuracyAt, bestAccuracyThreshold, summarize, DEFAULT_FARS,
  type Scores, type RocPoint, type EerResult, type TarAtFar, type BestAccuracy, type VerificationSummary,
} from './metrics.js';
export {
  evaluateVerification, assignFolds, errorsByIdentity, type IdentityErrors,
  type ScoredPair, type FoldResult, type VerificationResult, type VerificationOptions,
} from './verification.js';
export {
  listDataset, samplePairs, readPairsCsv, writePairsCsv, pairImages, IMAGE_EXTENSIONS,
  type Dataset, type Identity, type Pair, type PairList, type SampleOptions,
} from './pairs.js';
export {
  splitIdentification, evaluateIdentification, dirAtFpir, openSetCurve,
  type IdentificationSplit, type IdentificationResult, type IdentificationOptions, type GalleryEntry, type Probe,
  type ProbeOutcome, type OpenSetPoint,
} from './identification.js';
export {
  groupReport, groupLabels, readGroupCsv, groupsFromPattern, bandsOf, renameGroups, formatGroupReport, differentialText,
  type GroupOf, type GroupRates, type GroupReport, type Differential, type GroupLabelOptions,
} from './groups.js';
export { EmbeddingCache, sha256File, configKey, CACHE_FILE, PIPELINE_REVISION } from './cache.js';
export {
  embedImages, scorePairs, metricScorer, fusionPairScorer,
  type Embedder, type EmbedOptions, type EmbeddingMap, type OnProgress,
} from './scoring.js';
export { mulberry32, shuffleInPlace, randInt, type Rng } from './prng.js';
export {
  rocSvg, cmcSvg, openSetSvg, histogramSvg, groupBarsSvg, histogramBins, lineChartSvg, svgToPng, thin, escapeXml,
  type Series, type ChartOptions, type RocSeries, type HistogramOptions, type HistogramBins,
} from './plots.js';
export {
  writeVerificationReport, formatVerification, hardestPairs, writeIdentificationReport, formatIdentification,
  type ReportOptions, type ReportFiles, type IdentificationReportOptions,
} from './report.js';
