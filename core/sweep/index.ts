/**
 * Sweeps: many runs of one base config that differ only in swept keys (issue 15).
 *
 * Definition (schema.ts, environment-neutral; a YAML/JSON file or built by the CLI):
 *   name: lr-bs                # run-name prefix
 *   preset: quick-cpu          # optional, under the overrides
 *   overrides: { train.epochs: 2, model: { width: 0.25 } }   # dotted or nested keys
 *   grid:   [{ key: optimizer.lr, values: [1e-4, 1e-3] }, { key: train.batchSize, values: [4, 8] }]
 *   random: { count: 6, seed: 1, axes: [{ key: loss.depthWeight, uniform: [0.2, 0.8] },
 *                                       { key: model.encoder, choice: [resnet18, resnet34] }] }
 *   seeds: 3                   # or [0, 7]: sweeps the `seed` key
 *   tags: [study-1]
 * Runs = grid points × random samples × seeds (innermost last), indices 0..N-1 in that order.
 *
 * API:
 *   parseSweepFile(raw, source) → SweepFile          (expand.ts; ConfigError naming key paths)
 *   loadSweepFile(path) → SweepFile                  (store.ts; YAML/JSON via core/config/load.ts)
 *   expandSweep(file, id, source) → SweepManifest    (pure; checks every value against the config
 *       schema and that only swept keys differ from the base — the compare view's confounder rule)
 * store.ts (Node only, import it directly; index.ts stays environment-neutral):
 *   createSweep(ws, file, source) → { record, manifest }   writes <ws>/sweeps/<id>/{sweep,manifest}.json
 *   readSweep / readManifest / listSweeps / listSweepIds / resolveSweepId(ws, idOrPrefixOrName)
 *   saveRunState(ws, id, { index, status, runId?, jobId?, detail? }) / readRunStates(ws, id)
 *       → <ws>/sweeps/<id>/runs/<index>.json, one per run (status: pending | queued | running |
 *         completed | failed | stopped)
 *   saveLaunch / readLaunch → <ws>/sweeps/<id>/launch.json { executor, launchedAt, maxConcurrency, handle }
 *
 * SweepManifest: { sweepId, sweptKeys, preset?, base (resolved), runs }.
 * ManifestEntry: { index, name, tags (sweep:<id>, file tags, key=value per axis), axes {key: value},
 *   sets ['optimizer.lr=0.001', …] (the axis values as --set takes them), config (resolved) }.
 *   Every executor creates a run from `config` (with name, tags and the manifest's preset) and
 *   trains it with `train --run <id>`.
 *
 * Executors (executor.ts): parseExecutorSpec('slurm:TARGET') → { kind, target }; an Executor has
 *   launch(sweep, manifest, { maxConcurrency, signal }) → handle (JSON, saved in launch.json),
 *   status(sweep, manifest, handle) → SweepRunState[] (also saved), stop(sweep, manifest, handle).
 *   executors.ts (Node only): getExecutor(spec, ctx, { hoursPerRun }) → Executor — local/ssh:
 *   QueueExecutor (executors/queue.ts: one queue item per entry, a detached `sweep runner`, N
 *   workers for --max-concurrency N); batch: executors/batch.ts (BatchExecutor, also
 *   `estimate(manifest, maxConcurrency)`); slurm: executors/slurm.ts `createSlurmExecutor`.
 *   `sweep stop` saves `stoppedAt` into the handle before calling stop, so status can tell stopped
 *   runs from failed ones.
 */
export * from './schema.ts';
export * from './expand.ts';
export * from './executor.ts';
