// The renderer's handle on the engine: the typed client plus URL helpers for run files.
import { createStudioClient, type StudioClient, type StudioTransport } from '../../../core/api/client.ts';
import { mediaUrl } from '../../../core/api/studio.ts';

export interface StudioApi {
  client: StudioClient;
  /** URL of a file in a run folder (media PNGs, raw arrays, archives) that the page can load. */
  fileUrl(runId: string, relPath: string): string;
}

export function createStudioApi(transport: StudioTransport, token: string | null = null): StudioApi {
  return {
    client: createStudioClient(transport),
    fileUrl: (runId, relPath) => {
      const url = mediaUrl(runId, relPath);
      return token ? `${url}?token=${encodeURIComponent(token)}` : url;
    },
  };
}
