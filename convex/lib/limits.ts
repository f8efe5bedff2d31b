// Convex caps a document at 1 MiB and a function's arguments, return value and per-transaction
// reads/writes at 8–16 MiB; these budgets stay well inside all of them.

/** Most UTF-8 bytes of content one `items` document holds. */
export const CHUNK_BYTES = 512 * 1024;
/** Most content bytes one function call carries in (arguments) or out (return value). */
export const CALL_BYTES = 4 * 1024 * 1024;
/** Most index ranges (one per `withIndex` query) a read call spends; Convex allows 4096. */
export const CALL_RANGES = 512;
/** Most `items` documents a cleanup step reads before deleting them (each ≤ CHUNK_BYTES). */
export const CLEANUP_CHUNKS = 8;
/** Most small documents (runs, parts) a cleanup step deletes. */
export const CLEANUP_DOCS = 256;
/** Largest thread page. */
export const MAX_PAGE_SIZE = 100;
