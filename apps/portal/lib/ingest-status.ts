import { api, ApiError, type PathIngestStatus } from './api';

// Statuses asked for in the same moment (the cells of a list page) go out as one request.
const maxIds = 100;
let queue = new Map<
  string,
  { resolve: (s: PathIngestStatus) => void; reject: (e: unknown) => void }[]
>();
let timer: ReturnType<typeof setTimeout> | null = null;

async function send(): Promise<void> {
  const batch = queue;
  queue = new Map();
  timer = null;
  const ids = [...batch.keys()];
  for (let i = 0; i < ids.length; i += maxIds) {
    const chunk = ids.slice(i, i + maxIds);
    try {
      const statuses = await api<PathIngestStatus[]>(
        `/api/paths/ingest-status?ids=${chunk.join(',')}`,
      );
      const byId = new Map(statuses.map((s) => [s.pathId, s]));
      for (const id of chunk) {
        const status = byId.get(id);
        for (const waiter of batch.get(id) ?? []) {
          if (status) waiter.resolve(status);
          else waiter.reject(new ApiError(404, 'PathNotFound', `no path with id ${id}`));
        }
      }
    } catch (error) {
      for (const id of chunk) for (const waiter of batch.get(id) ?? []) waiter.reject(error);
    }
  }
}

/** The live ingest status of a path, fetched together with the others asked for meanwhile. */
export function loadIngestStatus(pathId: string): Promise<PathIngestStatus> {
  return new Promise((resolve, reject) => {
    const waiting = queue.get(pathId) ?? [];
    waiting.push({ resolve, reject });
    queue.set(pathId, waiting);
    timer ??= setTimeout(() => void send(), 20);
  });
}
