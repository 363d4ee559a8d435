export type { Affine } from './affine.js';
export { applyAffine, invertAffine } from './affine.js';
export { similarityTransform } from './similarity.js';
export { warpAffine } from './warp.js';
export type { WarpOptions } from './warp.js';
export { ARCFACE_112, arcfaceTemplate, dlibTemplate, scaleTemplate } from './templates.js';
export type { FaceTemplate } from './templates.js';
export { alignToTemplate, alignFace, cropResize, squareCrop } from './align-face.js';
export type { AlignOptions, AlignFaceOptions, AlignedCrop, SquareCropOptions } from './align-face.js';
