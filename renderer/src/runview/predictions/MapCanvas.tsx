// A canvas that paints itself with `paint(out)` whenever its inputs change.
import { useEffect, useRef } from 'react';

export interface MapCanvasProps {
  width: number;
  height: number;
  paint: (out: Uint8ClampedArray) => void;
  /** Values whose change triggers a repaint. */
  deps: readonly unknown[];
  kind: string;
  caption: string;
}

export function MapCanvas({ width, height, paint, deps, kind, caption }: MapCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const img = ctx.createImageData(width, height);
    paint(img.data);
    ctx.putImageData(img, 0, 0);
  }, [width, height, ...deps]);
  return (
    <div className="pred-cell" data-testid="prediction-cell" data-kind={kind}>
      <span className="cap">{caption}</span>
      <canvas ref={ref} width={width} height={height} data-caption={caption} />
    </div>
  );
}
