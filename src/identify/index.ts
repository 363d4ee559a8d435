/**
 * 1:N identification on top of the gallery: enroll people from photos, identify every face in a
 * photo. The gallery stores and searches embeddings only; this stage runs the face pipeline
 * (detect -> align -> embed) and takes the decision threshold and confidence map from the
 * calibration of (model, metric).
 *
 * Decision: a person's distance is given by the gallery's rule ('template' by default: the
 * distance to the mean of their unit embeddings; 'min': their nearest enrolled face; 'mean-top2':
 * the mean of their two nearest faces). The best person is a match
 * when that distance is <= the calibrated threshold (chosen for a target FAR of 1e-3 on labelled
 * pairs), else the face is unknown (match null). Confidence is the calibrated P(same person) at
 * that distance.
 */
export {
  enroll, resolveEnrollee, storeEnrollment, type EnrollOptions, type EnrollResult, type EnrolledPhoto, type PersonRef, type Enrollee,
} from './enroll.js';
export {
  identify, matchEmbedding, matchPhotoFaces, matchThreshold, type IdentifyImageOptions, type IdentifyResult, type IdentifiedFace, type PersonMatch, type MatchOptions, type EmbeddingMatch,
} from './identify.js';
export { findPeopleByName, personNamed, findPerson, listAllPeople, peopleWithFaceCounts, describePerson, type PersonSummary, type PersonDetail } from './people.js';
export { galleryDistance, galleryMetric } from './metric.js';
export { keptCropOf, embedKeptCrop, moveToModel } from './collections.js';
export { openGallery, exportGallery, importGallery, Gallery, type ImportConflict, type ImportReport } from '../gallery/index.js';
