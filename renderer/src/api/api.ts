// The renderer's handle on the engine: the typed client plus URL helpers for run files.
import { createStudioClient, type StudioClient, type StudioTransport } from '../../../core/api/client.ts';
import { mediaUrl } from '../../../core/api/studio.ts';

export interface StudioApi {
  client: StudioClient;
  /** URL of a file in a run folder (media PNGs, raw arrays, archives) that the page can load. */
  fileUrl(runId: string, relPath: string): string;
  /** A run-file URL the engine returned (e.g. a job's archive), made loadable by the page. */
  loadableUrl(url: string): string;
}

export function createStudioApi(transport: StudioTransport, token: string | null = null): StudioApi {
  // Over HTTP, <img src> and download links cannot send the token header: it rides as ?token=.
  const loadableUrl = (url: string): string =>
    token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url;
  return {
    client: createStudioClient(transport),
    fileUrl: (runId, relPath) => loadableUrl(mediaUrl(runId, relPath)),
    loadableUrl,
  };
}
