/** `300 seconds`, `5 minutes`, `1 hour` in seconds. */
export function seconds(duration: string | undefined): number | undefined {
  const match = duration?.match(/^(\d+) (second|minute|hour)s?$/);
  if (!match) return undefined;
  return Number(match[1]) * { second: 1, minute: 60, hour: 3600 }[match[2] as 'second'];
}
