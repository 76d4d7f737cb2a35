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
