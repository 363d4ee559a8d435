/**
 * Netpbm (PBM/PGM/PPM, ASCII and binary) decoded by hand: sharp's prebuilt libvips has no ppm
 * loader, and the format is a tiny header followed by samples. Used for the ORL-style .pgm sets.
 * The header is read on its own so a caller can refuse the declared size before any pixel
 * memory is allocated: a 30-byte file can claim 200000x200000.
 */
import { FacekitError } from '../errors/index.js';

export interface NetpbmHeader {
  /** the digit after 'P': 1-3 ASCII, 4-6 binary; 1/4 bitmap, 2/5 grey, 3/6 colour */
  kind: 1 | 2 | 3 | 4 | 5 | 6;
  width: number;
  height: number;
  maxval: number;
  channels: 1 | 3;
  /** offset of the first sample */
  dataStart: number;
}

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

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;

/** Reads decimal tokens from `pos`, skipping whitespace and # comments. */
class TokenReader {
  constructor(private readonly buf: Uint8Array, public pos: number) {}
  next(): number {
    const { buf } = this;
    for (;;) {
      while (this.pos < buf.length && isSpace(buf[this.pos])) this.pos++;
      if (buf[this.pos] === 0x23) { while (this.pos < buf.length && buf[this.pos] !== 0x0a) this.pos++; continue; }
      break;
    }
    const start = this.pos;
    while (this.pos < buf.length && buf[this.pos] >= 0x30 && buf[this.pos] <= 0x39) this.pos++;
    if (start === this.pos || this.pos - start > 9) throw new FacekitError('BAD_IMAGE', `netpbm image: malformed (expected a number of at most 9 digits at byte ${start})`);
    return Number(Buffer.from(buf.subarray(start, this.pos)).toString('ascii'));
  }
}

export function readNetpbmHeader(buf: Uint8Array): NetpbmHeader {
  const kind = (buf[1] - 0x30) as NetpbmHeader['kind'];
  const tokens = new TokenReader(buf, 2);
  const width = tokens.next();
  const height = tokens.next();
  const bitmap = kind === 1 || kind === 4;
  const maxval = bitmap ? 1 : tokens.next();
  if (!(width > 0 && height > 0 && maxval > 0 && maxval < 65536)) {
    throw new FacekitError('BAD_IMAGE', `netpbm image: bad header (${width}x${height}, maxval ${maxval})`);
  }
  // binary samples start after exactly one whitespace byte; ASCII ones after any amount
  const dataStart = kind >= 4 ? tokens.pos + 1 : tokens.pos;
  return { kind, width, height, maxval, channels: kind === 3 || kind === 6 ? 3 : 1, dataStart };
}

/**
 * The fewest bytes the samples can take: binary sizes are exact; an ASCII bitmap needs a digit
 * per pixel and ASCII grey or colour a digit and a separator per sample.
 */
function minSampleBytes(h: NetpbmHeader): number {
  const samples = h.width * h.height * h.channels;
  if (h.kind === 4) return Math.ceil(h.width / 8) * h.height;
  if (h.kind >= 5) return samples * (h.maxval > 255 ? 2 : 1);
  return h.kind === 1 ? samples : 2 * samples - 1;
}

/** Decodes the samples; the pixel memory is allocated only once the data is known to be long enough. */
export function decodeNetpbm(buf: Uint8Array, header: NetpbmHeader = readNetpbmHeader(buf)): NetpbmImage {
  const { kind, width, height, maxval, channels, dataStart } = header;
  const needed = minSampleBytes(header);
  if (buf.length - dataStart < needed) {
    throw new FacekitError('BAD_IMAGE', `netpbm image: truncated pixel data (the header says ${width}x${height}, which needs ${needed} bytes of samples; ${Math.max(0, buf.length - dataStart)} follow)`);
  }
  const n = width * height * channels;
  const out = new Uint8Array(n);
  const scale = 255 / maxval;
  if (kind === 1) {
    let pos = dataStart;
    for (let i = 0; i < n; i++) {
      while (pos < buf.length && (isSpace(buf[pos]) || buf[pos] === 0x23)) {
        if (buf[pos] === 0x23) while (pos < buf.length && buf[pos] !== 0x0a) pos++;
        else pos++;
      }
      if (pos >= buf.length) throw new FacekitError('BAD_IMAGE', 'netpbm image: truncated pixel data');
      out[i] = buf[pos++] === 0x31 ? 0 : 255;
    }
  } else if (kind <= 3) {
    const tokens = new TokenReader(buf, dataStart);
    for (let i = 0; i < n; i++) {
      if (tokens.pos >= buf.length) throw new FacekitError('BAD_IMAGE', 'netpbm image: truncated pixel data');
      out[i] = Math.round(tokens.next() * scale);
    }
  } else if (kind === 4) {
    const rowBytes = Math.ceil(width / 8);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) out[y * width + x] = (buf[dataStart + y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1 ? 0 : 255;
    }
  } else {
    const bytes = maxval > 255 ? 2 : 1;
    for (let i = 0; i < n; i++) {
      const p = dataStart + bytes * i;
      const v = bytes === 2 ? (buf[p] << 8) | buf[p + 1] : buf[p];
      out[i] = Math.round(v * scale);
    }
  }
  return { data: out, width, height, channels };
}
