/**
 * Where the sandbox worker is: beside this module, in src/ and (copied by the build) in dist/,
 * since the bundle puts this line in dist/index.js.
 */
export const sandboxWorkerUrl = new URL('./sandbox-worker.mjs', import.meta.url);
