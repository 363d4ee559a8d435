/**
 * What an encoded image is, judged from its first bytes before any decoder sees it. Only the
 * formats named here reach libvips: it has loaders for more (SVG, gzipped SVG, whatever a build
 * carries), and an untrusted upload should not choose which parser runs on it.
 */
import { crc32 } from 'node:zlib';
import { isNetpbm } from './netpbm.js';

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'heif' | 'netpbm';

/** Each format as messages name it. */
export const FORMAT_NAMES: Record<ImageFormat, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF', tiff: 'TIFF', heif: 'HEIF/AVIF', netpbm: 'PGM/PPM' };

/** The formats facekit reads, as messages name them. */
export const READABLE_FORMATS = 'JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF, PGM/PPM';

const ascii = (buf: Uint8Array, from: number, to: number): string => Buffer.from(buf.subarray(from, to)).toString('latin1');

const startsWith = (buf: Uint8Array, bytes: number[]): boolean => bytes.every((b, i) => buf[i] === b);

/** Text that opens like XML and holds an <svg element near its start. */
function isSvg(buf: Uint8Array): boolean {
  // a UTF-8 byte-order mark, read as latin1, may come first
  const head = ascii(buf, 0, 4096).replace(/^\xef\xbb\xbf/, '').trimStart();
  return head.startsWith('<') && /<svg[\s>]/i.test(head);
}

/** The format by magic number; 'svg' is told apart so it can be refused by name; null: none facekit reads. */
export function sniffFormat(buf: Uint8Array): ImageFormat | 'svg' | null {
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(buf, 0, 4) === 'GIF8') return 'gif';
  if (ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 12) === 'WEBP') return 'webp';
  if (startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (ascii(buf, 4, 8) === 'ftyp') return 'heif';
  if (isNetpbm(buf)) return 'netpbm';
  if (isSvg(buf)) return 'svg';
  return null;
}

/** HEIF container holding HEVC: sharp's prebuilt libheif decodes AVIF only (HEVC is patent-encumbered). */
export function isHeic(buf: Uint8Array): boolean {
  return /^ftyp(heic|heix|hevc|hevx|heim|heis)/.test(ascii(buf, 4, 12));
}

/**
 * The fewest bytes a Huffman-coded JPEG of this size can have: every 8x8 luma block costs at
 * least one bit in the first scan (baseline spends two: DC difference and end-of-block). A header
 * claiming more pixels than its data could hold is truncated or lying, and libjpeg would pad the
 * missing blocks with grey at full decoding cost. (Arithmetic-coded JPEGs could go lower; almost
 * nothing writes or reads them.)
 */
export function minJpegBytes(width: number, height: number): number {
  return Math.ceil(Math.ceil(width / 8) * Math.ceil(height / 8) / 8);
}

/**
 * A GIF's logical screen, the canvas its frames are drawn on (bytes 6-9). libvips sizes a GIF by
 * its frames, but the screen is what the file declares and what a frame-compositing decoder
 * allocates, so a screen over the pixel limit is refused like any other header; null when too short.
 */
export function gifScreen(buf: Uint8Array): { width: number; height: number } | null {
  if (buf.length < 10) return null;
  return { width: buf[6] | (buf[7] << 8), height: buf[8] | (buf[9] << 8) };
}

/**
 * What is wrong with a PNG's chunk structure, or null when every chunk up to IEND is intact.
 * Checked before decoding: libpng reports a bad CRC in a critical chunk as an error without a
 * message, and reads a file that stops after its image data without complaint, though a missing
 * IEND means the file was cut (a download or upload stopped early).
 */
export function pngDamage(buf: Uint8Array): string | null {
  let pos = 8;
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  while (pos + 8 <= view.length) {
    const length = view.readUInt32BE(pos);
    const type = ascii(view, pos + 4, pos + 8);
    const end = pos + 8 + length + 4;
    if (end > view.length) return `PNG chunk ${type} at byte ${pos} runs past the end of the data (truncated)`;
    if (crc32(view.subarray(pos + 4, end - 4)) !== view.readUInt32BE(end - 4)) return `PNG chunk ${type} at byte ${pos} has a bad CRC (corrupt data)`;
    if (type === 'IEND') return null;
    pos = end;
  }
  return 'PNG data ends before its IEND chunk (truncated)';
}
