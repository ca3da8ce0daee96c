import { describe, expect, it } from 'vitest';
import { createStudioClient, StudioError } from '../../../core/api/client.ts';
import { createDirectTransport, dispatchCall } from '../../../core/api/dispatch.ts';
import { CALL_NAMES, CALLS, EVENTS, mediaUrl, type StudioService } from '../../../core/api/studio.ts';

function fakeService(): StudioService {
  const handlers = Object.fromEntries(
    CALL_NAMES.map((n) => [n, async () => Promise.reject(new Error(`${n} not in this fake`))]),
  ) as unknown as StudioService['handlers'];
  handlers['runs.list'] = async () => ({ runs: [] });
  handlers['runs.events'] = async (req) => ({ events: [], nextOffset: req.offset, size: req.maxBytes });
  handlers['runs.stop'] = async (req) => {
    throw Object.assign(new Error(`no run "${req.id}"`), { name: 'NotFoundError' });
  };
  return {
    handlers,
    subscribe: (_event, params, listener) => {
      listener({ id: (params as { id: string }).id, events: [], nextOffset: 7 } as never);
      return () => {};
    },
  };
}

describe('studio API table', () => {
  it('has request and response schemas for every call and event', () => {
    for (const n of CALL_NAMES) {
      expect(n).toMatch(/^[a-z]+\.[A-Za-z]+$/);
      expect(CALLS[n].req.safeParse).toBeTypeOf('function');
    }
    expect(Object.keys(EVENTS)).toEqual(['onRunEvent', 'onRunsChanged', 'onJobProgress']);
  });

  it('builds same-origin media URLs with encoded parts', () => {
    expect(mediaUrl('r1', 'media/e0/rgb 0.png')).toBe('/media/r1/media/e0/rgb%200.png');
  });
});

describe('client over the direct transport', () => {
  const client = createStudioClient(createDirectTransport(fakeService()));

  it('calls through groups and fills defaults before the handler sees them', async () => {
    expect(await client.runs.list()).toEqual({ runs: [] });
    expect(await client.runs.events({ id: 'r1' })).toEqual({ events: [], nextOffset: 0, size: 16_000_000 });
  });

  it('re-throws engine errors with their class name', async () => {
    const e = await client.runs.stop({ id: 'r1' }).catch((x) => x);
    expect(e).toBeInstanceOf(StudioError);
    expect(e.name).toBe('NotFoundError');
    expect(e.message).toBe('no run "r1"');
  });

  it('rejects a bad payload on the client and on the engine side', async () => {
    const e = await client.runs.stop({ id: '../etc' }).catch((x) => x);
    expect(e.name).toBe('ValidationError');
    expect(e.issues[0].path).toBe('id');
    const wire = await dispatchCall(fakeService(), 'runs.stop', { id: '..' });
    expect(wire).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
    const unknown = await dispatchCall(fakeService(), 'fs.readFile', {});
    expect(unknown).toMatchObject({ ok: false, error: { message: 'unknown studio call "fs.readFile"' } });
  });

  it('delivers events', () => {
    const got: unknown[] = [];
    client.on('onRunEvent', { id: 'r1' }, (p) => got.push(p));
    expect(got).toEqual([{ id: 'r1', events: [], nextOffset: 7 }]);
  });
});
