import type { Metric } from '../compare/index.js';
import type { Box, FaceSummary } from '../face.js';
import type { IdentifiedFace, PersonMatch } from '../identify/index.js';
import type { PersonRule } from '../gallery/decision.js';
/**
 * The contract between the HTTP layer and the face library. Routes decode requests into Buffers
 * plus options and call these methods; every result is plain JSON-able data (numbers, strings,
 * arrays, objects; embeddings as number[]). Bad input is reported by throwing FacekitError, which
 * the error plugin turns into a status code. The server never calls the face library itself (it
 * imports only shared vocabulary: errors, metric names, and the library's result records as
 * types, so one TypeScript type describes a face or an identified face in every shell), so it
 * can be built and tested against a test double and bound to the real library by src/service.
 */

export type { FaceSummary, IdentifiedFace };

/** Options every image-taking call receives. */
export interface ImageOptions {
  /** decoder refuses images with more pixels (IMAGE_TOO_LARGE); set from the server's limits */
  maxPixels?: number;
  /** detector id; 'skip' means the whole image is one face (no detection) */
  detector?: string;
  /** run the anti-spoofing model and fail with SPOOF when a face looks presented (photo, screen) */
  antiSpoofing?: boolean;
  /** grow each detected box by this percent of its size before it is reported or cropped (deepface's expand_percentage) */
  expandPercentage?: number;
}

export interface DetectOptions extends ImageOptions {
  maxFaces?: number;
  minScore?: number;
}

export interface DetectResult {
  width: number;
  height: number;
  faces: FaceSummary[];
}

export interface RepresentOptions extends DetectOptions {
  /** recognition model id */
  model?: string;
  align?: boolean;
  /** false: embed the whole image when no face is found instead of failing with NO_FACE */
  enforceDetection?: boolean;
}

export interface RepresentedFace extends FaceSummary {
  embedding: number[];
  model: string;
}

export interface RepresentResult {
  width: number;
  height: number;
  faces: RepresentedFace[];
}

/** the compare stage's metrics, under the name the service contract has always used */
export type DistanceMetric = Metric;

export interface VerifyOptions extends ImageOptions {
  model?: string;
  /** a face below this quality gets no yes/no (verified null, undecided with the reason); default DEFAULT_MIN_QUALITY, as the library's verify; 0: no gate */
  minQuality?: number;
  metric?: DistanceMetric;
  /** distance at or below which the pair is the same person; the model's tuned value when absent */
  threshold?: number;
  align?: boolean;
  /** false: verify with the whole image when no face is found instead of failing with NO_FACE */
  enforceDetection?: boolean;
}

export interface VerifyResult {
  /** null when a face is below the minimum quality (see undecided) */
  verified: boolean | null;
  undecided?: { reason: string };
  distance: number;
  threshold: number;
  /** calibrated probability in [0, 1] that the pair is the same person */
  confidence: number;
  /** 'fused' for a fusion model: its distance is 1 - P(same) averaged over the members */
  metric: DistanceMetric | 'fused';
  model: string;
  detector: string;
  /** the face used from each image (the most prominent one) */
  faces: [FaceSummary, FaceSummary];
}

export interface CompareOptions {
  model?: string;
  metric?: DistanceMetric;
  /** distance at or below which the pair is the same person; the model's calibrated value when absent */
  threshold?: number;
}

/** The decision on the closest pair of two sets of embeddings. */
export interface CompareResult {
  verified: boolean;
  distance: number;
  threshold: number;
  confidence?: number;
  /** indexes of the closest pair: [in the first set, in the second] */
  pair: [number, number];
}

export interface IdentifyOptions extends ImageOptions {
  model?: string;
  /** people listed as candidates per face (default 5) */
  topK?: number;
  /** a face farther than this from everyone is unknown (match null); the calibrated value when absent */
  threshold?: number;
  maxFaces?: number;
  /** per-person decision rule (default 'template'; 'min' = nearest face) */
  rule?: PersonRule;
  /** a face below this quality is not matched (match null, undecided with the reason); default DEFAULT_MIN_QUALITY, as the library's identify; 0: no gate */
  minQuality?: number;
}

export interface GallerySearchOptions {
  model?: string;
  /** people returned (default 5) */
  topK?: number;
  /** the threshold reported with the candidates; the model's calibrated value when absent */
  threshold?: number;
}

export interface GallerySearchResult {
  /** nearest people first, whatever their distance (cosine) */
  candidates: PersonMatch[];
  threshold: number;
}

/** The gallery's vector index for one recognition model. */
export interface GalleryIndexJson {
  model: string;
  dims: number;
  faces: number;
  /** an approximate (HNSW) graph is in use; else exact search */
  hnsw: boolean;
}

/** The library's identify result without its timing and image size: the same face records. */
export interface IdentifyResult {
  faces: IdentifiedFace[];
  model: string;
  metric: DistanceMetric;
  threshold: number;
}

export type AnalyzeAction = 'age' | 'gender' | 'emotion' | 'race';

export interface AnalyzeOptions extends ImageOptions {
  actions?: AnalyzeAction[];
  maxFaces?: number;
  enforceDetection?: boolean;
}

export interface FaceAttributes {
  age?: number;
  /** probabilities in [0, 1] */
  gender?: { female: number; male: number };
  /** probabilities in [0, 1] keyed by emotion name (angry, disgust, fear, happy, sad, surprise, neutral) */
  emotion?: Record<string, number>;
  race?: Record<string, number>;
}

export interface AnalyzeResult {
  faces: Array<FaceSummary & { attributes: FaceAttributes }>;
}

export interface StoredFace {
  id: string;
  model: string;
  createdAt: string;
  box?: Box;
}

export interface Person {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  /** optional in lists, where counting may cost a query per person */
  faceCount?: number;
}

export interface PersonWithFaces extends Person {
  faceCount: number;
  faces: StoredFace[];
}

/** POST /v1/people: the person the images were enrolled for, and whether this request created them. */
export interface EnrolledPerson extends PersonWithFaces {
  /** false when a person of that name existed and the images were added to them */
  created: boolean;
}

export interface PeoplePage {
  people: Person[];
  total: number;
  /** faces stored over all people, when the store can tell cheaply */
  totalFaces?: number;
}

export interface EnrollOptions extends ImageOptions {
  model?: string;
  /** refuse a photo below the enrollment quality bar with LOW_QUALITY (422) and its reasons; /v1/people sets it unless the client sends force: true */
  qualityReview?: boolean;
}

export interface PeopleService {
  list(opts: { offset: number; limit: number }): Promise<PeoplePage>;
  /** NOT_FOUND when absent */
  get(id: string): Promise<PersonWithFaces>;
  /**
   * enrolls the given images (one face each) for the one person of that name, or a new person when
   * nobody has it (metadata is set on a new person only); several of that name: CONFLICT
   */
  create(input: { name: string; metadata?: Record<string, unknown>; images?: Buffer[] }, opts: EnrollOptions): Promise<EnrolledPerson>;
  rename(id: string, name: string): Promise<Person>;
  setMetadata(id: string, metadata: Record<string, unknown>): Promise<Person>;
  delete(id: string): Promise<void>;
  addFaces(id: string, images: Buffer[], opts: EnrollOptions): Promise<{ faces: StoredFace[] }>;
  deleteFace(id: string, faceId: string): Promise<void>;
}

/** 'turn': either direction; left/right are in the frames' image coordinates (see `mirrored`). */
export type LivenessChallengeName = 'blink' | 'turn-left' | 'turn-right' | 'turn';

export interface LivenessRequestOptions extends ImageOptions {
  challenge: LivenessChallengeName;
  /** verify the best frame against this enrolled person; absent: identify it against the gallery */
  personId?: string;
  model?: string;
  /** frames come from a mirrored preview: flips the turn directions */
  mirrored?: boolean;
}

export interface LivenessCheckJson {
  requested: boolean;
  passed: boolean;
  count: number;
}

export interface LivenessMatchJson {
  personId: string;
  name: string;
  distance: number;
  threshold: number;
  verified: boolean;
  confidence?: number;
}

export interface LivenessResponse {
  /** the challenge was met (a static photo cannot blink or turn) */
  live: boolean;
  checks: { blink: LivenessCheckJson; turnLeft: LivenessCheckJson; turnRight: LivenessCheckJson };
  /** per frame: eye aspect ratio and yaw (degrees); null figures where no face was found */
  trace: Array<{ frame: number; ear: number | null; yaw: number | null }>;
  /** frames received, and those in which a face was found */
  frames: number;
  framesWithFace: number;
  /** index of the frame used for recognition (the most frontal) */
  bestFrame: number;
  face: FaceSummary;
  /** with personId: that person's closest enrolled face; without: the gallery's best match within the threshold */
  match: LivenessMatchJson | null;
}

export interface FaceService {
  detect(image: Buffer, opts?: DetectOptions): Promise<DetectResult>;
  represent(image: Buffer, opts?: RepresentOptions): Promise<RepresentResult>;
  verify(image1: Buffer, image2: Buffer, opts?: VerifyOptions): Promise<VerifyResult>;
  /** 1:1 on embeddings already computed (represent's, or a client's): the closest pair decides, as in deepface's verify */
  compare(set1: number[][], set2: number[][], opts: CompareOptions): Promise<CompareResult>;
  identify(image: Buffer, opts?: IdentifyOptions): Promise<IdentifyResult>;
  analyze(image: Buffer, opts?: AnalyzeOptions): Promise<AnalyzeResult>;
  people: PeopleService;
  /** 1:N on an embedding already computed (deepface's /search runs represent, then this) */
  searchGallery?(embedding: number[], opts: GallerySearchOptions): Promise<GallerySearchResult>;
  /** waits until the gallery's index holds every stored face (other servers' writes too), then describes it */
  indexGallery?(): Promise<GalleryIndexJson[]>;
  /** active liveness over a burst of frames, then recognition of the best frame (optional: test doubles may lack it) */
  liveness?(frames: Buffer[], opts: LivenessRequestOptions): Promise<LivenessResponse>;
  /** releases stores and sessions on shutdown */
  close?(): Promise<void>;
  /** gallery collections (optional: a service without them serves the default collection only) */
  collections?: CollectionsService;
  /** this service on another collection of the gallery (people, identify, search and index go there); NOT_FOUND when it does not exist */
  inCollection?(name: string): Promise<FaceService>;
}

/** A collection as REST shows it: its model, whether it keeps crops, its fitted calibrations. */
export interface CollectionJson {
  name: string;
  model: string | null;
  createdAt: string;
  keepCrops: boolean;
  /** calibrations fitted on site, by model.metric: threshold, target FAR, pairs, source, when */
  calibrations: Record<string, { threshold: number; targetFar: number; pairs: { genuine: number; impostor: number }; source: string; fittedAt: string }>;
  people?: number;
  faces?: number;
}

export interface CollectionsService {
  list(): Promise<CollectionJson[]>;
  get(name: string): Promise<CollectionJson>;
  create(input: { name: string; model?: string | null; keepCrops?: boolean }): Promise<CollectionJson>;
  update(name: string, patch: { keepCrops?: boolean }): Promise<CollectionJson>;
  /** removes the collection with its people and faces */
  delete(name: string): Promise<{ people: number; faces: number }>;
}

/** The service calls this after each model run so /metrics can show inference times. */
export type InferenceReporter = (model: string, seconds: number) => void;

export interface ServiceOptions {
  /** gallery store: a SQLite file path, a postgres:// URL or :memory:; default gallery.db in the data dir ($FACEKIT_DATA_DIR, else $XDG_DATA_HOME/facekit) */
  db?: string;
  onInference?: InferenceReporter;
  /** ms one image's work may take before it fails with TIMEOUT and its worker is replaced; 0: none (default 20 s, DEFAULT_DEADLINE_MS) */
  deadlineMs?: number;
  /** inference worker threads (default: one per core, up to 4, each with its share of the cores for ONNX Runtime) */
  workers?: number;
}

/** Provided by the integrator from the library; `facekit serve` receives it. */
export type CreateService = (opts: ServiceOptions) => Promise<FaceService>;
