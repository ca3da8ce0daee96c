// Save a chart (an <svg>) or a canvas as SVG / PNG for reports.
import { downloadBlob } from './download.ts';

const BG = '#15171c';

/** A standalone copy of an on-screen SVG: explicit size, background and computed text colours. */
export function serializeSvg(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const { width, height } = svg.getBoundingClientRect();
  const w = width || Number(svg.getAttribute('width')) || 600;
  const h = height || Number(svg.getAttribute('height')) || 300;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(w));
  clone.setAttribute('height', String(h));
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', BG);
  clone.insertBefore(bg, clone.firstChild);
  // CSS classes do not travel with the file: inline what the stylesheet sets on text and grid.
  clone.querySelectorAll('text').forEach((t) => {
    if (!t.getAttribute('fill') || t.getAttribute('fill') === '#666') t.setAttribute('fill', '#8d95a3');
    t.setAttribute('font-family', 'system-ui, sans-serif');
    t.setAttribute('font-size', '10.5');
  });
  return new XMLSerializer().serializeToString(clone);
}

export function saveSvg(svg: SVGSVGElement, fileName: string): void {
  downloadBlob(new Blob([serializeSvg(svg)], { type: 'image/svg+xml' }), fileName);
}

/** Rasterise an SVG at 2× for crisp report figures. */
export async function svgToPngBlob(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const text = serializeSvg(svg);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width * scale;
    canvas.height = img.height * scale;
    const ctx = canvas.getContext('2d')!;
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    return await canvasToBlob(canvas);
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function canvasToBlob(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error('canvas could not be encoded as PNG'))),
      'image/png',
    ),
  );
}

export async function savePng(svg: SVGSVGElement, fileName: string): Promise<void> {
  downloadBlob(await svgToPngBlob(svg), fileName);
}
