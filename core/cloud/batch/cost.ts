// The cost estimate shown before a sweep goes to Batch: one job per instance of `priceInstanceType`,
// runs × hours per run × the hourly price. On-demand prices (ec2/prices.ts) make it an upper bound;
// spot usually costs a fraction of that. Unknown types give no figure rather than a guess.
import { hourlyPrice } from '../ec2/prices.ts';
import type { BatchSettings } from './settings.ts';

export interface CostEstimate {
  runs: number;
  hoursPerRun: number;
  instanceType: string;
  usdPerHour: number | null;
  /** runs × hoursPerRun × usdPerHour, rounded to the cent; null when the price is unknown. */
  usd: number | null;
  vcpuHours: number;
  /** Runs training at once, and the wall-clock hours that gives. */
  concurrency: number;
  wallHours: number;
  text: string;
}

export function estimateBatchCost(
  runs: number,
  s: BatchSettings,
  o: { hoursPerRun: number; maxConcurrency?: number },
): CostEstimate {
  const usdPerHour = hourlyPrice(s.priceInstanceType, s.prices);
  const usd = usdPerHour === null ? null : Math.round(runs * o.hoursPerRun * usdPerHour * 100) / 100;
  const byCapacity = Math.max(1, Math.floor(s.maxvCpus / s.vcpusPerJob));
  const concurrency = Math.min(runs, byCapacity, o.maxConcurrency ?? Infinity);
  const wallHours = Math.ceil(runs / concurrency) * o.hoursPerRun;
  const vcpuHours = runs * o.hoursPerRun * s.vcpusPerJob;
  const text =
    usd === null
      ? `${runs} runs × ${o.hoursPerRun} h on ${s.priceInstanceType}: no price known for it (set one with prices in batch.json); ${vcpuHours} vCPU-hours`
      : `${runs} runs × ${o.hoursPerRun} h × $${usdPerHour}/h (${s.priceInstanceType}, on-demand price; spot is usually lower) ≤ $${usd.toFixed(2)}; ${vcpuHours} vCPU-hours; ${concurrency} at a time → ~${wallHours} h`;
  return {
    runs,
    hoursPerRun: o.hoursPerRun,
    instanceType: s.priceInstanceType,
    usdPerHour,
    usd,
    vcpuHours,
    concurrency,
    wallHours,
    text,
  };
}
