import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProviderKind, RECORDING_FOLDERS } from './provider-kind';
import { parseSseFrames, type SseFrame } from './sse-frame';

/** Absolute path of the recorded provider streams shipped with this package. */
export const fixturesDir = fileURLToPath(new URL('../fixtures/providers/', import.meta.url));

export interface RecordingInfo {
  /** Path under `fixtures/providers/` with `/` separators: `openai-responses/text-simple.sse`. */
  name: string;
  provider: ProviderKind;
  file: string;
}

/** Every `.sse` recording, found by listing the folder (new files are picked up as they come). */
export function listRecordings(): RecordingInfo[] {
  const recordings: RecordingInfo[] = [];
  for (const provider of Object.keys(RECORDING_FOLDERS) as ProviderKind[]) {
    const folder = join(fixturesDir, RECORDING_FOLDERS[provider]);
    for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.sse')) continue;
      const file = join(entry.parentPath, entry.name);
      recordings.push({ name: relative(fixturesDir, file).split(sep).join('/'), provider, file });
    }
  }
  return recordings.sort((a, b) => a.name.localeCompare(b.name));
}

/** The protocol a recording speaks, from its folder. */
export function recordingProvider(name: string): ProviderKind | undefined {
  const folder = name.split('/')[0];
  return (Object.keys(RECORDING_FOLDERS) as ProviderKind[]).find(
    (kind) => RECORDING_FOLDERS[kind] === folder,
  );
}

const cache = new Map<string, SseFrame[]>();

/** A recording's events; `name` is relative to `fixtures/providers/`. */
export function loadRecording(name: string): SseFrame[] {
  const cached = cache.get(name);
  if (cached) return cached;
  if (name.split('/').includes('..')) throw new Error(`recording name must stay inside fixtures: ${name}`);
  const frames = parseSseFrames(readFileSync(join(fixturesDir, name), 'utf8'));
  cache.set(name, frames);
  return frames;
}
