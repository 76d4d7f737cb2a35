/**
 * Small statistics and table helpers for the benchmarks.
 *
 * @module
 */

/** The q-quantile (0…1) of the samples. */
export function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** The median. */
export function median(samples: number[]): number {
  return quantile(samples, 0.5);
}

/** A markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const lines = [header, header.map(() => "---"), ...rows.map((r) => r.map(String))];
  return lines.map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** A number with a sensible number of digits. */
export function fmt(value: number, digits = 1): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(digits);
}

/** `a / b` as a ratio with two decimals: `1.17×`. */
export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

/** Calls `once` `count` times, one after another, and returns the mean µs per call. */
export async function timed(count: number, once: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await once();
  return (performance.now() - start) * 1000 / count;
}
