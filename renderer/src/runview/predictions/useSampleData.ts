// Load and decode the six panels of one observed sample (cached by URL, so moving the epoch slider
// back and forth does not refetch).
import { useEffect, useState } from 'react';
import { useApi } from '../../api/react.ts';
import type { MediaEvent } from '../../lib/history.ts';
import { decodePngRgba, depthFromTurbo, labelsFromColors, type RgbaImage } from '../../lib/mediaDecode.ts';

export interface SampleData {
  width: number;
  height: number;
  rgb: RgbaImage;
  gtLabels: Uint8Array | null;
  predLabels: Uint8Array;
  gtDepth: Float32Array | null;
  predDepth: Float32Array;
}

const CACHE_MAX = 400;
const cache = new Map<string, Promise<RgbaImage>>();

function loadPng(url: string): Promise<RgbaImage> {
  let p = cache.get(url);
  if (!p) {
    p = fetch(url).then(async (r) => {
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return decodePngRgba(new Uint8Array(await r.arrayBuffer()));
    });
    p.catch(() => cache.delete(url));
    cache.set(url, p);
    if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  }
  return p;
}

export type Sample = MediaEvent['samples'][number];

export async function loadSample(fileUrl: (rel: string) => string, s: Sample): Promise<SampleData> {
  const [rgb, gtS, predS, gtD, predD] = await Promise.all(
    [s.rgb, s.gtSemseg, s.predSemseg, s.gtDepth, s.predDepth].map((p) => loadPng(fileUrl(p))),
  );
  const gtLabels = labelsFromColors(gtS);
  const gtDepth = depthFromTurbo(gtD);
  return {
    width: rgb.width,
    height: rgb.height,
    rgb,
    // a sample without ground truth is drawn all-checkerboard by the trainer
    gtLabels: gtLabels.some((v) => v !== 255) ? gtLabels : null,
    predLabels: labelsFromColors(predS),
    gtDepth: gtDepth.some((v) => Number.isFinite(v)) ? gtDepth : null,
    predDepth: depthFromTurbo(predD),
  };
}

export function useSampleData(runId: string, sample: Sample | undefined) {
  const api = useApi();
  const [state, setState] = useState<{ key: string; data: SampleData | null; error: string | null }>({
    key: '',
    data: null,
    error: null,
  });
  const key = sample ? `${runId}:${sample.rgb}` : '';
  useEffect(() => {
    if (!sample) return;
    let live = true;
    loadSample((rel) => api.fileUrl(runId, rel), sample).then(
      (data) => live && setState({ key, data, error: null }),
      (e: Error) => live && setState({ key, data: null, error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [api, runId, key]); // key identifies the sample
  // Keep showing the previous sample's data while the next one loads (no flicker on the slider).
  return state;
}
