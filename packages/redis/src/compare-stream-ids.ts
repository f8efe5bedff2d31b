// the rule lives in @cody/schema (one copy for the transport, the stores and Convex)
export { compareStreamIds } from '@cody/schema';
