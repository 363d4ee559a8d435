export type { FaceOptions } from './options.ts';
export { findFaces, loadAndFindFaces } from './extract.ts';
export { embedFaces, extractFaces, represent, type RepresentResult } from './represent.ts';
export { cropForModel, templateFor } from './crop.ts';
export { headFor, baseModelFor, headCalibration, loadedHead } from './head.ts';
