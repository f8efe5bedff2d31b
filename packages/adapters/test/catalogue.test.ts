import { CodyError, ERROR_CODES } from '@cody/schema';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createModelCatalogue,
  createProvider,
  resolveModel,
  UnknownModelError,
  UnknownProviderError,
} from '../src/index';

describe('model catalogue', () => {
  it('knows the default models and maps friendly ids to API ids', () => {
    expect(resolveModel('openai', 'gpt-5-mini')).toMatchObject({
      apiModel: 'gpt-5-mini',
      reasoning: true,
      tools: true,
    });
    expect(resolveModel('openai', 'gpt-5-codex').apiModel).toBe('gpt-5-codex');
    expect(resolveModel('anthropic', 'claude-haiku-4.5').apiModel).toBe('claude-haiku-4-5');
    expect(resolveModel('anthropic', 'claude-sonnet-4.5')).toMatchObject({
      apiModel: 'claude-sonnet-4-5',
      maxOutputTokens: 64_000,
    });
    // the API id is accepted too
    expect(resolveModel('anthropic', 'claude-sonnet-4-5').id).toBe('claude-sonnet-4.5');
  });

  it('throws 400-class typed errors for unknown providers and models', () => {
    const unknownProvider = caught(() => resolveModel('mistral', 'large'));
    expect(unknownProvider).toBeInstanceOf(UnknownProviderError);
    expect(unknownProvider).toMatchObject({ code: ERROR_CODES.UNKNOWN_PROVIDER, httpStatus: 400 });
    expect(() => resolveModel('openai', 'gpt-9')).toThrow(UnknownModelError);
    expect(() => resolveModel('openai', 'gpt-9')).toThrow(/Unknown model "gpt-9" for provider "openai"/);
    expect(CodyError.isInstance(new UnknownModelError('openai', 'x', []))).toBe(true);
  });

  it('is extended by CODY_MODELS and by options', () => {
    const catalogue = createModelCatalogue({
      env: {
        CODY_MODELS: JSON.stringify([
          { provider: 'openai', id: 'local-llama', apiModel: 'llama3.1:8b', tools: true },
        ]),
      },
      models: [
        {
          provider: 'anthropic',
          id: 'claude-opus-4.6',
          apiModel: 'claude-opus-4-6',
          reasoning: false,
          maxOutputTokens: 1000,
        },
      ],
    });
    expect(catalogue.resolve('openai', 'local-llama')).toEqual({
      provider: 'openai',
      id: 'local-llama',
      apiModel: 'llama3.1:8b',
      reasoning: false,
      tools: true,
      maxOutputTokens: 16_384,
    });
    expect(catalogue.resolve('anthropic', 'claude-opus-4.6')).toMatchObject({
      reasoning: false,
      maxOutputTokens: 1000,
    });
    expect(catalogue.list('openai').map((m) => m.id)).toContain('gpt-5-mini');
  });

  it('reports a bad CODY_MODELS naming the variable and the field', () => {
    expect(() => createModelCatalogue({ env: { CODY_MODELS: '{not json' } })).toThrow(
      /CODY_MODELS is not valid JSON/,
    );
    expect(() => createModelCatalogue({ env: { CODY_MODELS: '[{"provider":"openai"}]' } })).toThrow(
      /CODY_MODELS\.0\.id/,
    );
    expect(() => createModelCatalogue({ env: { CODY_MODELS: '[{"provider":"acme","id":"x"}]' } })).toThrow(
      ConfigurationError,
    );
  });
});

describe('createProvider', () => {
  it('needs the provider key: CONFIGURATION_ERROR naming the variable', () => {
    expect(() => createProvider('openai', {})).toThrow(ConfigurationError);
    expect(() => createProvider('openai', { OPENAI_API_KEY: '  ' })).toThrow(/OPENAI_API_KEY is not set/);
    expect(() => createProvider('anthropic', { OPENAI_API_KEY: 'k' })).toThrow(
      /ANTHROPIC_API_KEY is not set/,
    );
    expect(caught(() => createProvider('anthropic', {}))).toMatchObject({
      code: ERROR_CODES.CONFIGURATION_ERROR,
      httpStatus: 400,
    });
  });

  it('rejects unknown providers and builds known ones', () => {
    expect(() => createProvider('cohere', {})).toThrow(UnknownProviderError);
    expect(createProvider('openai', { OPENAI_API_KEY: 'k' }).id).toBe('openai');
    expect(
      createProvider('anthropic', { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'http://127.0.0.1:1' }).id,
    ).toBe('anthropic');
  });
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
