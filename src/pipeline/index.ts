export type { FaceOptions } from './options.js';
export { findFaces, loadAndFindFaces } from './extract.js';
export { embedFaces, embedFacesOfImages, embedFacesWithCues, extractFaces, represent, type RepresentResult } from './represent.js';
export { cropForModel, templateFor } from './crop.js';
export { headFor, baseModelFor, headCalibration, loadedHead } from './head.js';
