/**
 * Netpbm (PBM/PGM/PPM, ASCII and binary) decoded by hand: sharp's prebuilt libvips has no ppm
 * loader, and the format is a tiny header followed by samples. Used for the ORL-style .pgm sets.
 */
import { FacekitError } from '../errors/index.js';

export interface NetpbmImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** True when the bytes start like a netpbm file (P1..P6). */
export function isNetpbm(buf: Uint8Array): boolean {
  return buf.length >= 3 && buf[0] === 0x50 && buf[1] >= 0x31 && buf[1] <= 0x36 && /\s/.test(String.fromCharCode(buf[2]));
}

export function decodeNetpbm(buf: Uint8Array): NetpbmImage {
  const kind = buf[1] - 0x30;
  let pos = 2;
  const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
  const readToken = (): number => {
    for (;;) {
      while (pos < buf.length && isSpace(buf[pos])) pos++;
      if (buf[pos] === 0x23) { while (pos < buf.length && buf[pos] !== 0x0a) pos++; continue; }
      break;
    }
    const start = pos;
    while (pos < buf.length && buf[pos] >= 0x30 && buf[pos] <= 0x39) pos++;
    if (start === pos) throw new FacekitError('BAD_IMAGE', 'netpbm image: malformed header');
    return Number(Buffer.from(buf.subarray(start, pos)).toString('ascii'));
  };
  const width = readToken();
  const height = readToken();
  const bitmap = kind === 1 || kind === 4;
  const maxval = bitmap ? 1 : readToken();
  if (!(width > 0 && height > 0 && maxval > 0 && maxval < 65536)) {
    throw new FacekitError('BAD_IMAGE', `netpbm image: bad header (${width}x${height}, maxval ${maxval})`);
  }
  const channels: 1 | 3 = kind === 3 || kind === 6 ? 3 : 1;
  const n = width * height * channels;
  const out = new Uint8Array(n);
  const scale = 255 / maxval;
  if (kind <= 3) {
    for (let i = 0; i < n; i++) {
      if (kind === 1) {
        while (pos < buf.length && (isSpace(buf[pos]) || buf[pos] === 0x23)) {
          if (buf[pos] === 0x23) while (pos < buf.length && buf[pos] !== 0x0a) pos++;
          else pos++;
        }
        if (pos >= buf.length) throw new FacekitError('BAD_IMAGE', 'netpbm image: truncated pixel data');
        out[i] = buf[pos++] === 0x31 ? 0 : 255;
      } else {
        if (pos >= buf.length) throw new FacekitError('BAD_IMAGE', 'netpbm image: truncated pixel data');
        out[i] = Math.round(readToken() * scale);
      }
    }
  } else {
    pos++; // exactly one whitespace byte separates the header from binary samples
    if (kind === 4) {
      const rowBytes = Math.ceil(width / 8);
      if (buf.length - pos < rowBytes * height) throw new FacekitError('BAD_IMAGE', 'netpbm image: truncated pixel data');
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) out[y * width + x] = (buf[pos + y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1 ? 0 : 255;
      }
    } else {
      const bytes = maxval > 255 ? 2 : 1;
      if (buf.length - pos < n * bytes) throw new FacekitError('BAD_IMAGE', 'netpbm image: truncated pixel data');
      for (let i = 0; i < n; i++) {
        const v = bytes === 2 ? (buf[pos + 2 * i] << 8) | buf[pos + 2 * i + 1] : buf[pos + i];
        out[i] = Math.round(v * scale);
      }
    }
  }
  return { data: out, width, height, channels };
}
