import { query } from './_generated/server';

/** Answers when the deployment is reachable and serving this app's functions. */
export const ping = query({
  args: {},
  handler: async (): Promise<'ok'> => 'ok',
});
