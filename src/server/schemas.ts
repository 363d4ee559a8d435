/**
 * JSON schemas shared by the routes, inlined where used so the OpenAPI document is
 * self-contained. Response schemas also make Fastify serialise only the documented fields.
 */
export const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true, description: 'LOW_QUALITY: { image, score, reasons } of the refused photo' },
      },
    },
  },
} as const;

export const errorResponses = {
  400: { description: 'bad input (image, argument, no face)', ...errorBody },
  401: { description: 'missing or unknown API key', ...errorBody },
  403: { description: 'the key lacks the scope this route needs', ...errorBody },
  413: { description: 'body or image too large', ...errorBody },
  422: { description: 'an enrollment photo below the quality bar (error.details: score, reasons); send force: true to enroll it anyway', ...errorBody },
  429: { description: 'rate limit exceeded (see Retry-After)', ...errorBody },
  500: { description: 'server fault', ...errorBody },
  503: { description: 'inference queue full (see Retry-After)', ...errorBody },
} as const;

export const box = {
  type: 'object',
  required: ['x', 'y', 'w', 'h'],
  properties: { x: { type: 'number' }, y: { type: 'number' }, w: { type: 'number' }, h: { type: 'number' } },
} as const;

export const point = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } as const;

/**
 * The face record of every /v1 result (FaceSummary in src/face.ts): pixels to 0.1 px, the score
 * to 4 decimals. The schemas below and those types describe the same shapes; test/service/shapes
 * checks that the library, the CLI and REST agree.
 */
export const face = {
  type: 'object',
  required: ['box', 'score', 'landmarks5'],
  properties: {
    box,
    score: { type: 'number', description: 'detector confidence, 0-1' },
    landmarks5: { type: 'array', items: point, minItems: 5, maxItems: 5, description: 'left eye, right eye (as seen), nose, left and right mouth corner' },
    detector: { type: 'string' },
    quality: {
      type: 'object',
      required: ['score', 'reasons'],
      properties: { score: { type: 'number', minimum: 0, maximum: 1 }, reasons: { type: 'array', items: { type: 'string' } } },
      description: 'face image quality for recognition, 0-1, and the failing cues (blurred, too dark, profile, eyes covered, ...)',
    },
  },
} as const;

/** a decision not made: a face below the minimum quality (verify: verified null; identify: match null) */
export const undecided = {
  type: 'object',
  required: ['reason'],
  properties: { reason: { type: 'string' } },
} as const;

/** calibrated P(same person), 0-1, on every /v1 route (the deepface routes keep deepface's percent) */
export const confidence = { type: 'number', minimum: 0, maximum: 1, description: 'calibrated P(same person), 0-1' } as const;

/** A person a face is matched with (PersonMatch in src/identify). */
export const personMatch = {
  type: 'object',
  required: ['personId', 'name', 'faceId', 'distance', 'confidence'],
  properties: {
    personId: { type: 'string' },
    name: { type: 'string' },
    faceId: { type: 'string', description: "the person's nearest enrolled face" },
    distance: { type: 'number' },
    confidence,
  },
} as const;

/** One face of an identify result (IdentifiedFace in src/identify): the face record, its match and candidates. */
export const identifiedFace = {
  type: 'object',
  required: [...face.required, 'match', 'candidates'],
  properties: {
    ...face.properties,
    match: { ...personMatch, type: ['object', 'null'], description: 'the best candidate when within the threshold; null: not recognised' },
    candidates: { type: 'array', items: personMatch, description: 'the nearest people, best first, whatever the threshold' },
    undecided: { ...undecided, description: 'set when the face is below the minimum quality: match is null, not a guess' },
    spoof: {
      type: 'object',
      required: ['isReal', 'score', 'model'],
      properties: { isReal: { type: 'boolean' }, score: { type: 'number' }, model: { type: 'string' } },
      description: 'set when anti-spoofing ran',
    },
  },
} as const;

/** An image in a JSON body; multipart uploads send the same field as a file part instead. */
export const imageField = {
  type: 'string',
  description: 'the image as base64 or a data URL (data:image/jpeg;base64,...); or send the field as a multipart file',
} as const;

export const imageList = {
  type: 'array',
  items: imageField,
  description: 'images as base64 or data URLs; or repeat the field as multipart files',
} as const;

export const detectorField = { type: 'string', description: "detector id (fr_detect, blazeface-back, faceapi-ssd, faceboxes) or 'skip'" } as const;
export const modelField = { type: 'string', description: 'recognition model id (e.g. fr_feature, faceres, faceapi-recognition)' } as const;

export const person = {
  type: 'object',
  required: ['id', 'name', 'metadata', 'createdAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    metadata: { type: 'object', additionalProperties: true },
    createdAt: { type: 'string' },
    faceCount: { type: 'integer' },
  },
} as const;

export const storedFace = {
  type: 'object',
  required: ['id', 'model', 'createdAt'],
  properties: { id: { type: 'string' }, model: { type: 'string' }, createdAt: { type: 'string' }, box },
} as const;

export const personWithFaces = {
  type: 'object',
  required: [...person.required, 'faceCount', 'faces'],
  properties: { ...person.properties, faces: { type: 'array', items: storedFace } },
} as const;

export const enrolledPerson = {
  type: 'object',
  required: [...personWithFaces.required, 'created'],
  properties: { ...personWithFaces.properties, created: { type: 'boolean', description: 'false: a person of that name existed and the images were added to them' } },
} as const;

export const readSecurity: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];
