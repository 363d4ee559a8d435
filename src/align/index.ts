export type { Affine } from './affine.ts';
export { applyAffine, invertAffine } from './affine.ts';
export { similarityTransform } from './similarity.ts';
export { warpAffine } from './warp.ts';
export type { WarpOptions } from './warp.ts';
export { ARCFACE_112, arcfaceTemplate, dlibTemplate, scaleTemplate } from './templates.ts';
export type { FaceTemplate } from './templates.ts';
export { alignToTemplate, alignFace, squareCrop } from './align-face.ts';
export type { AlignOptions, AlignFaceOptions, AlignedCrop, SquareCropOptions } from './align-face.ts';
