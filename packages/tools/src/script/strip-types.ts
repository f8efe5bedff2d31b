import { transform } from 'sucrase';

/** TypeScript → JavaScript by removing types (sucrase keeps line numbers, so stacks still point right). */
export function stripTypes(code: string): string {
  return transform(code, { transforms: ['typescript'], disableESTransforms: true }).code;
}
