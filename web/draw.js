// Photos on canvases, with face boxes and names drawn in the photo's own pixel coordinates
// (the canvas keeps the photo's size; CSS scales it to the screen).

/** Decodes a File into something drawImage takes, with its EXIF orientation applied. */
export async function fileToImage(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new Error(`${file.name || 'the file'} is not an image this browser can show`);
  }
}

export function drawPhoto(canvas, img) {
  canvas.width = img.width;
  canvas.height = img.height;
  canvas.getContext('2d').drawImage(img, 0, 0);
}

/** faces: [{ box: {x,y,w,h}, label, known }] */
export function drawFaces(canvas, img, faces) {
  drawPhoto(canvas, img);
  const ctx = canvas.getContext('2d');
  // line and text sized to the photo, so they read the same once the canvas is scaled down
  const unit = Math.max(2, Math.round(Math.max(img.width, img.height) / 300));
  ctx.lineWidth = unit;
  ctx.font = `bold ${unit * 8}px system-ui, sans-serif`;
  ctx.textBaseline = 'bottom';
  for (const f of faces) {
    const color = f.known ? '#19a974' : '#e7040f';
    ctx.strokeStyle = color;
    ctx.strokeRect(f.box.x, f.box.y, f.box.w, f.box.h);
    if (!f.label) continue;
    const pad = unit * 2;
    const w = ctx.measureText(f.label).width + 2 * pad;
    const h = unit * 8 + pad;
    const y = f.box.y >= h ? f.box.y : f.box.y + f.box.h + h;
    ctx.fillStyle = color;
    ctx.fillRect(f.box.x - unit / 2, y - h, w, h);
    ctx.fillStyle = '#fff';
    ctx.fillText(f.label, f.box.x + pad, y - pad / 2);
  }
}
