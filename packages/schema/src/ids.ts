import { z } from 'zod';

/** An id Cody mints: runs, turns, threads, items and events are UUIDs. */
export const CodyIdSchema = z.uuid();

/** An id a provider mints (`call_…`, `toolu_…`): kept verbatim, it goes back to that provider. */
export const ProviderIdSchema = z.string().min(1);
