import type { ViteUserConfig } from 'vitest/config';

export declare const sourceCondition: '@cody/source';
export declare const HANG_MS: number;
export declare function codyVitestConfig(extra?: ViteUserConfig): ViteUserConfig;
