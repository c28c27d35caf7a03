/** Seconds in the window that pointsPerSecond averages over. */
export const rateWindowSeconds = 60;

/**
 * Points per second over the last 60 seconds, from the per-minute tallies of committed points
 * (ingest_tally): all of the current minute so far, plus the share of the previous minute that
 * still lies in the window (its points taken as evenly spread over it).
 */
export function pointsPerSecond(
  previousMinutePoints: number,
  currentMinutePoints: number,
  secondsIntoMinute: number,
): number {
  const elapsed = Math.min(Math.max(secondsIntoMinute, 0), rateWindowSeconds);
  const inWindow =
    (previousMinutePoints * (rateWindowSeconds - elapsed)) / rateWindowSeconds +
    currentMinutePoints;
  return Math.round((inWindow / rateWindowSeconds) * 100) / 100;
}
