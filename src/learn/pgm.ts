import { FacekitError } from '../errors/index.ts';

export interface GreyImage {
  width: number;
  height: number;
  /** one byte per pixel, row-major */
  data: Uint8Array;
}

/**
 * Binary PGM (netpbm P5, 8-bit) as used by the ORL faces; sharp/libvips in this build does not
 * read it. Header: "P5", width, height, maxval, whitespace-separated, '#' comments allowed.
 */
export function decodePgm(buf: Uint8Array, label = 'image'): GreyImage {
  let pos = 0;
  const token = (): string => {
    for (;;) {
      while (pos < buf.length && /\s/.test(String.fromCharCode(buf[pos]))) pos++;
      if (buf[pos] === 0x23) {
        while (pos < buf.length && buf[pos] !== 0x0a) pos++;
        continue;
      }
      break;
    }
    const start = pos;
    while (pos < buf.length && !/\s/.test(String.fromCharCode(buf[pos]))) pos++;
    return String.fromCharCode(...buf.subarray(start, pos));
  };
  if (token() !== 'P5') throw new FacekitError('BAD_IMAGE', `${label} is not a binary PGM (P5) file`);
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  pos++; // the single whitespace byte before the raster
  if (!(width > 0 && height > 0) || !(maxval > 0 && maxval < 256)) throw new FacekitError('BAD_IMAGE', `${label}: unsupported PGM header (${width}x${height}, maxval ${maxval}; 8-bit only)`);
  if (buf.length - pos < width * height) throw new FacekitError('BAD_IMAGE', `${label}: PGM raster is truncated`);
  const data = new Uint8Array(width * height);
  const scale = 255 / maxval;
  for (let i = 0; i < data.length; i++) data[i] = Math.round(buf[pos + i] * scale);
  return { width, height, data };
}
