// Hourly on-demand prices (USD, us-east-1, Linux) of instance types people train on, to show a
// cost per run. Spot prices vary: pass the observed one in settings.prices for exact figures.
// Unknown types give no cost rather than a guess.
export const ON_DEMAND_USD_PER_HOUR: Record<string, number> = {
  'p2.xlarge': 0.9,
  'p3.2xlarge': 3.06,
  'g4dn.xlarge': 0.526,
  'g4dn.2xlarge': 0.752,
  'g5.xlarge': 1.006,
  'g5.2xlarge': 1.212,
  'g6.xlarge': 0.8048,
  'c5.xlarge': 0.17,
  't3.micro': 0.0104,
  't3.medium': 0.0416,
};

export function hourlyPrice(type: string, overrides: Record<string, number> = {}): number | null {
  return overrides[type] ?? ON_DEMAND_USD_PER_HOUR[type] ?? null;
}

/** Cost of `seconds` on an instance type, rounded to the cent; null when the price is unknown. */
export function costUsd(
  type: string,
  seconds: number,
  overrides: Record<string, number> = {},
): number | null {
  const p = hourlyPrice(type, overrides);
  return p === null ? null : Math.round(((p * seconds) / 3600) * 100) / 100;
}
