/* eslint-disable */
/**
 * Generated `api` utility.
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run `npx convex dev`.
 * @module
 */

import type { ApiFromModules, FilterApi, FunctionReference } from "convex/server";
import type * as health from "../health.js";
import type * as lib_limits from "../lib/limits.js";
import type * as lib_load_run from "../lib/load-run.js";
import type * as lib_stream_id from "../lib/stream-id.js";
import type * as lib_thread_doc from "../lib/thread-doc.js";
import type * as lib_utf8_length from "../lib/utf8-length.js";
import type * as lib_write_check from "../lib/write-check.js";
import type * as runs from "../runs.js";
import type * as threads from "../threads.js";

/**
 * A utility for referencing Convex functions in your app's API.
 *
 * Usage:
 * ```js
 * const myFunctionReference = api.myModule.myFunction;
 * ```
 */
declare const fullApi: ApiFromModules<{
  health: typeof health;
  "lib/limits": typeof lib_limits;
  "lib/load-run": typeof lib_load_run;
  "lib/stream-id": typeof lib_stream_id;
  "lib/thread-doc": typeof lib_thread_doc;
  "lib/utf8-length": typeof lib_utf8_length;
  "lib/write-check": typeof lib_write_check;
  runs: typeof runs;
  threads: typeof threads;
}>;
export declare const api: FilterApi<typeof fullApi, FunctionReference<any, "public">>;
export declare const internal: FilterApi<typeof fullApi, FunctionReference<any, "internal">>;

export declare const components: {};
