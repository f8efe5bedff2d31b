// Vite's `import.meta.glob`, which vitest compiles; typed here so the package needs no vite types.
interface ImportMeta {
  glob(patterns: string | string[]): Record<string, () => Promise<unknown>>;
}
