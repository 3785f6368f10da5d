/**
 * The buckets of the MTTA/MTTR histograms (seconds): minutes to a week, so a long tail
 * shows as a tail. The API counts into them; the console draws them.
 */
export const HISTOGRAM_EDGES = [60, 300, 900, 1800, 3600, 4 * 3600, 86_400, 7 * 86_400] as const;
