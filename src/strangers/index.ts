/**
 * Unknown faces over time: strangers under stable ids, sightings of every decided track, searching
 * back through footage with a photo, and corrections that stick. See README.md here.
 */
export { FootageStore, STRANGER_FACES_KEPT, type SightingQuery } from './store.js';
export { StrangerBook, type StrangerSample, type StrangerMatch, type StrangerBookOptions } from './book.js';
export { correctionsFor, constrainMatches, vetoed, type Candidate, type ConstrainedFace } from './corrections.js';
export {
  nameStranger, listSightings, searchFootage, correctSighting, correctPhoto, correctClusterFace, parseSince,
  type NamedStranger, type SightingFilter, type FootageHit, type FootageSearchOptions, type FootageSearchResult,
} from './footage.js';
export { DEFAULT_COLLECTION, type Stranger, type StrangerFace, type NewStrangerFace, type Sighting, type NewSighting, type Correction, type CorrectionOrigin } from './types.js';
export { merge, unmerge } from './merge.js';
