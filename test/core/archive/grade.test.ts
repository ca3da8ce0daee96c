import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encode as encodePng } from 'fast-png';
import { gradeArchive } from '../../../core/archive/grade.ts';
import { EXPECTED, greyPng, labelPng, makeZip, predictionEntries, tmp, writeGtSplit } from './fixtures.ts';

let gt: string;
let dir: string;
beforeAll(() => {
  gt = writeGtSplit();
  dir = tmp('zips');
});

const zipOf = (entries: [string, Buffer][], name = 'a.zip') => makeZip(entries, join(dir, name));
const replace = (name: string, data: Buffer): [string, Buffer][] =>
  predictionEntries().map(([n, d]): [string, Buffer] => [n, n === name ? data : d]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const manifestOf = (entries: [string, Buffer][]) =>
  Buffer.from(
    JSON.stringify({
      format: 'mtl-studio-submission',
      version: 1,
      entries: entries.map(([path, d]) => ({ path, size: d.length, sha256: sha(d) })),
    }),
  );

describe('gradeArchive: scores', () => {
  it('grades a hand-made archive with hand-computed mIoU, SI-logRMSE and multitask', async () => {
    const r = await gradeArchive(await zipOf(predictionEntries()), gt);
    expect(r.miou).toBeCloseTo(EXPECTED.miou, 8);
    expect(r.si_log_rmse).toBeCloseTo(EXPECTED.si_log_rmse, 4);
    expect(r.multitask).toBeCloseTo(EXPECTED.multitask, 4);
    expect(r.iou.road).toBeCloseTo(50, 8);
    expect(r.iou.sidewalk).toBeCloseTo(50, 8);
    expect(r.iou.building).toBe(100);
    expect(r.iou.pole).toBe(0); // predicted only on an ignored pixel
    expect(Object.keys(r.iou)).toHaveLength(19);
    expect(r.images).toBe(2);
    expect(r.metrics.images).toBe(2);
    expect(r.manifest).toBe('absent');
  });

  it('verifies a manifest when there is one', async () => {
    const entries = predictionEntries();
    const r = await gradeArchive(await zipOf([...entries, ['manifest.json', manifestOf(entries)]]), gt);
    expect(r.manifest).toBe('verified');
    expect(r.miou).toBeCloseTo(EXPECTED.miou, 8);
  });
});

describe('gradeArchive: malformed archives get a precise message', () => {
  const rejects = async (entries: [string, Buffer][], pattern: RegExp) =>
    expect(gradeArchive(await zipOf(entries), gt)).rejects.toThrow(pattern);

  it('not a zip', async () => {
    const f = join(dir, 'not.zip');
    writeFileSync(f, 'hello, I am text');
    await expect(gradeArchive(f, gt)).rejects.toThrow(/not\.zip: not a zip archive/);
    await expect(gradeArchive(join(dir, 'nope.zip'), gt)).rejects.toThrow(/no such file/);
  });

  it('missing prediction files, naming the indices', async () => {
    await rejects(
      predictionEntries().filter(([n]) => n !== 'predictions/depth/1.png'),
      /missing depth predictions for indices 1 \(1 of 2/,
    );
    await rejects(
      predictionEntries().filter(([n]) => !n.startsWith('predictions/semseg')),
      /missing semseg predictions for indices 0–1/,
    );
  });

  it('extra prediction files', async () => {
    await rejects(
      [...predictionEntries(), ['predictions/semseg/2.png', labelPng([0, 0, 0, 0])]],
      /unexpected prediction entries \(ground truth has 2 images, 0–1\): predictions\/semseg\/2\.png/,
    );
    await rejects(
      [...predictionEntries(), ['predictions/depth/0.jpg', Buffer.from('x')]],
      /unexpected prediction entries.*predictions\/depth\/0\.jpg/,
    );
  });

  it('wrong image size', async () => {
    await rejects(
      replace('predictions/semseg/0.png', labelPng([0, 0, 0, 0, 0, 0], 3, 2)),
      /predictions\/semseg\/0\.png: size 3×2 \(W×H\) differs from the ground truth 2×2/,
    );
  });

  it('wrong PNG mode: RGB, 16-bit, not a PNG', async () => {
    const rgb = Buffer.from(
      encodePng({ width: 2, height: 2, data: new Uint8Array(12), channels: 3, depth: 8 }),
    );
    await rejects(
      replace('predictions/semseg/1.png', rgb),
      /semseg\/1\.png: expected a single-channel.*3 channels/,
    );
    const g16 = Buffer.from(
      encodePng({ width: 2, height: 2, data: new Uint16Array(4), channels: 1, depth: 16 }),
    );
    await rejects(replace('predictions/depth/0.png', g16), /depth\/0\.png: expected 8-bit PNG, got 16-bit/);
    await rejects(replace('predictions/depth/0.png', Buffer.from('GIF89a')), /depth\/0\.png: not a PNG/);
  });

  it('class ids out of range, invalid depth codes', async () => {
    await rejects(
      replace('predictions/semseg/0.png', labelPng([0, 19, 1, 1])),
      /semseg\/0\.png: class id 19 is outside 0\.\.18 at pixel \(x=1, y=0\)/,
    );
    await rejects(
      replace('predictions/semseg/1.png', labelPng([0, 0, 0, 255])),
      /class id 255 is outside 0\.\.18 at pixel \(x=1, y=1\)/,
    );
    await rejects(
      replace('predictions/depth/1.png', greyPng([5, 5, 0, 5])),
      /depth\/1\.png: depth code 0 \(invalid\) where predictions must be 1\.\.255 at pixel \(x=0, y=1\)/,
    );
  });

  it('entry paths escaping the archive', async () => {
    await rejects(
      [...predictionEntries(), ['../evil.txt', Buffer.from('x')]],
      /entry "\.\.\/evil\.txt" contains "\.\."/,
    );
    await rejects(
      [...predictionEntries(), ['/etc/evil', Buffer.from('x')]],
      /entry "\/etc\/evil" is an absolute path/,
    );
    await rejects(
      [...predictionEntries(), ['predictions/../../x.png', Buffer.from('x')]],
      /escapes the archive/,
    );
  });

  it('duplicate entries', async () => {
    await rejects(
      [...predictionEntries(), ['predictions/semseg/0.png', labelPng([0, 0, 0, 0])]],
      /duplicate entry "predictions\/semseg\/0\.png"/,
    );
  });

  it('manifest checksum mismatch, unlisted and missing entries', async () => {
    const entries = predictionEntries();
    const manifest = manifestOf(entries);
    const tampered = replace('predictions/semseg/0.png', labelPng([0, 0, 1, 1]));
    await rejects(
      [...tampered, ['manifest.json', manifest]],
      /checksum mismatch for "predictions\/semseg\/0\.png" \(sha256 [0-9a-f]{64}, manifest says [0-9a-f]{64}\)/,
    );
    await rejects(
      [...entries, ['notes.txt', Buffer.from('hi')], ['manifest.json', manifest]],
      /entry "notes\.txt" is not listed in manifest\.json/,
    );
    await rejects(
      [...entries, ['manifest.json', manifestOf([...entries, ['config.json', Buffer.from('{}')]])]],
      /manifest\.json lists "config\.json", which is missing/,
    );
    await rejects([...entries, ['manifest.json', Buffer.from('{oops')]], /manifest\.json is not valid JSON/);
  });

  it('a ground-truth folder without semseg/depth', async () => {
    await expect(gradeArchive(await zipOf(predictionEntries()), dir)).rejects.toThrow(
      /semseg: missing ground truth folder/,
    );
  });
});
