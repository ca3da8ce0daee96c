// PNG / SVG buttons for a chart or a canvas grid (report figures).
import type { RefObject } from 'react';
import { downloadBlob } from '../lib/download.ts';
import { canvasToBlob, savePng, saveSvg } from '../lib/saveImage.ts';

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'figure';

export function SaveMenu({
  targetRef,
  fileStem,
}: {
  targetRef: RefObject<HTMLElement | null>;
  fileStem: string;
}) {
  const svg = () => targetRef.current?.querySelector('svg.recharts-surface') as SVGSVGElement | null;
  return (
    <span style={{ display: 'inline-flex', gap: 2 }}>
      <button
        className="btn ghost small"
        title="Save as PNG"
        data-testid="save-png"
        onClick={() => {
          const s = svg();
          if (s) void savePng(s, `${slug(fileStem)}.png`);
        }}
      >
        PNG
      </button>
      <button
        className="btn ghost small"
        title="Save as SVG"
        data-testid="save-svg"
        onClick={() => {
          const s = svg();
          if (s) saveSvg(s, `${slug(fileStem)}.svg`);
        }}
      >
        SVG
      </button>
    </span>
  );
}

/** Save a canvas (e.g. a prediction grid composed by the caller) as PNG. */
export async function saveCanvasPng(canvas: HTMLCanvasElement, fileStem: string): Promise<void> {
  downloadBlob(await canvasToBlob(canvas), `${slug(fileStem)}.png`);
}
