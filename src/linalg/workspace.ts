/**
 * Named scratch buffers that grow and are reused, so that many decompositions in a row (one per
 * weight group) allocate once. A buffer handed out is valid until the next `take` of the same
 * name; results that outlive a decomposition are never taken from here.
 */
export class SvdWorkspace {
  private readonly buffers = new Map<string, Float64Array<ArrayBuffer>>();

  /** A buffer of at least `size` doubles under `name` (contents unspecified). */
  take(name: string, size: number): Float64Array<ArrayBuffer> {
    let b = this.buffers.get(name);
    if (!b || b.length < size) {
      b = new Float64Array(Math.max(size, Math.ceil((b?.length ?? 0) * 1.25)));
      this.buffers.set(name, b);
    }
    return b.subarray(0, size);
  }

  /** Bytes currently held. */
  get bytes(): number {
    let s = 0;
    for (const b of this.buffers.values()) s += b.byteLength;
    return s;
  }
}
