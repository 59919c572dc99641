/**
 * The area under the ROC curve: the probability that a randomly chosen spam comment scores
 * higher than a randomly chosen legitimate one (ties count half). 1 is a perfect ranking,
 * 0.5 is chance. Computed from ranks (Mann–Whitney U), so it needs no threshold.
 */
export function rocAuc(scored: ReadonlyArray<{ spam: boolean; score: number }>): number {
  const positives = scored.filter((s) => s.spam).length;
  const negatives = scored.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  const sorted = [...scored].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j].score === sorted[i].score) j++;
    // Tied scores share the average of their ranks (1-based).
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k].spam) rankSum += rank;
    i = j;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
