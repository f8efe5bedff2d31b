import type { FunctionArgs, FunctionReference, FunctionReturnType } from 'convex/server';

/**
 * What ConvexStore needs from a Convex client: run a query or a mutation by reference.
 * `ConvexHttpClient` (convex/browser) satisfies it against a deployment, and so does a
 * `convex-test` instance, which executes the same functions in-process.
 */
export interface ConvexFunctionClient {
  query<Query extends FunctionReference<'query'>>(
    query: Query,
    args: FunctionArgs<Query>,
  ): Promise<FunctionReturnType<Query>>;
  mutation<Mutation extends FunctionReference<'mutation'>>(
    mutation: Mutation,
    args: FunctionArgs<Mutation>,
  ): Promise<FunctionReturnType<Mutation>>;
}
