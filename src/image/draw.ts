/** Faces drawn over the image as an SVG overlay composited by sharp, returned as PNG bytes. */
import { loadSharp } from './sharp.js';
import type { Box, Point } from '../face.js';
import type { RgbImage } from './types.js';

export interface DrawableFace {
  box: Box;
  score?: number;
  landmarks5?: readonly Point[];
  landmarks?: readonly Point[];
  /** text written above the box (e.g. a name) */
  label?: string;
  /** this face's colour, over DrawOptions.color (e.g. known and unknown people apart) */
  color?: string;
}

/** Colours for recognised and unrecognised faces (identify --draw; watch --annotate uses them too). */
export const KNOWN_FACE_COLOR = '#00e676';
export const UNKNOWN_FACE_COLOR = '#ff9100';

export interface DrawOptions {
  color?: string;
  /** write the label (or the score when there is none) above each box (default true) */
  labels?: boolean;
  /** draw dense landmarks too when present (default false) */
  denseLandmarks?: boolean;
  /** radius of the dense landmark dots (default: as big as the five-point dots); a 478-point mesh needs small ones */
  denseRadius?: number;
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function facesSvg(width: number, height: number, faces: readonly DrawableFace[], opts: DrawOptions = {}): string {
  const defaultColor = opts.color ?? KNOWN_FACE_COLOR;
  const line = Math.max(2, Math.round(Math.max(width, height) / 400));
  const font = Math.max(12, line * 7);
  const parts: string[] = [];
  for (const f of faces) {
    const color = f.color ?? defaultColor;
    const { x, y, w, h } = f.box;
    parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="none" stroke="${color}" stroke-width="${line}"/>`);
    const dot = (px: number, py: number, r: number) => parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="${r}" fill="${color}"/>`);
    for (const [px, py] of f.landmarks5 ?? []) dot(px, py, line * 1.5);
    if (opts.denseLandmarks) for (const [px, py] of f.landmarks ?? []) dot(px, py, opts.denseRadius ?? line * 1.5);
    const text = f.label ?? (f.score !== undefined ? f.score.toFixed(2) : undefined);
    if (opts.labels !== false && text) {
      const ty = y - line * 2 > font ? y - line * 2 : y + h + font;
      parts.push(`<text x="${x.toFixed(1)}" y="${ty.toFixed(1)}" font-family="sans-serif" font-size="${font}" fill="${color}" stroke="black" stroke-width="${Math.max(1, line / 2)}" paint-order="stroke">${escapeXml(text)}</text>`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** A glyph's advance in em, erring wide: DejaVu Sans (librsvg's usual sans-serif) draws digits 0.64 em wide. */
const GLYPH_EM = 0.66;

export interface CaptionBand {
  /** the band as SVG, ready for sharp's composite */
  svg: Buffer;
  width: number;
  height: number;
}

/**
 * A caption band under a picture `width` pixels wide. `parts` are phrases never split; they are
 * packed onto as few lines as fit, and when one phrase alone is wider than the picture the band is
 * made wider, so no caption is ever cut off (a narrow portrait pair would otherwise lose its verdict).
 */
export function captionBand(parts: readonly string[], width: number, opts: { fontSize?: number; color?: string; background?: string } = {}): CaptionBand {
  const font = opts.fontSize ?? 20;
  const pad = Math.round(font / 2);
  const textWidth = (s: string) => Math.ceil(s.length * font * GLYPH_EM) + 2 * pad;
  const bandWidth = Math.max(width, ...parts.map(textWidth));
  const lines: string[] = [];
  for (const part of parts) {
    const joined = lines.length ? `${lines[lines.length - 1]} · ${part}` : part;
    if (lines.length && textWidth(joined) <= bandWidth) lines[lines.length - 1] = joined;
    else lines.push(part);
  }
  const lineHeight = Math.round(font * 1.4);
  const height = lines.length * lineHeight + pad;
  const text = lines.map((l, i) => `<text x="${pad}" y="${Math.round(pad / 2 + font + i * lineHeight)}" font-family="sans-serif" font-size="${font}" fill="${opts.color ?? '#fff'}">${escapeXml(l)}</text>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${bandWidth}" height="${height}"><rect width="100%" height="100%" fill="${opts.background ?? '#111'}"/>${text.join('')}</svg>`;
  return { svg: Buffer.from(svg), width: bandWidth, height };
}

export async function drawFaces(image: RgbImage, faces: readonly DrawableFace[], opts: DrawOptions = {}): Promise<Buffer> {
  const sharp = await loadSharp();
  const svg = facesSvg(image.width, image.height, faces, opts);
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
}
