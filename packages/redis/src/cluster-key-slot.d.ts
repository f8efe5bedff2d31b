// cluster-key-slot (the slot function ioredis routes by) ships no types
declare module 'cluster-key-slot' {
  /** The Redis Cluster slot (0–16383) of a key, honouring its `{hash tag}`. */
  function calculateSlot(key: string | Buffer): number;
  namespace calculateSlot {
    /** The one slot all `keys` share, or -1 when they span several. */
    function generateMulti(keys: readonly (string | Buffer)[]): number;
  }
  export default calculateSlot;
}
