import type { ChunkSummary } from './summary';

/** A chunk to insert: its encoded points and summary (chunk.repository.ts, chunk-copy.ts). */
export interface NewChunk extends ChunkSummary {
  seriesId: bigint;
  data: Buffer;
  segments: Buffer | null;
  /** Set by compaction, which keeps the sequence numbers of the chunks it merges. */
  seq?: bigint;
}
