export type Clock = () => Date

/** Tyk's timestamp format: `YYYY-MM-DD HH:MM`, UTC (swagger pattern ^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$). */
export function formatTimestamp (iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`
}
