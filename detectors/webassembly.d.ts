/**
 * Node provides WebAssembly as a global, but TypeScript declares it only in lib.dom, which this
 * project does not load. These are the parts `letterbox-kernel.ts` uses, declared the way
 * lib.dom declares them.
 */
declare namespace WebAssembly {
  interface Module {
    readonly kind?: 'WebAssembly.Module';
  }
  const Module: new (bytes: Uint8Array) => Module;
  interface Instance {
    readonly exports: Readonly<Record<string, unknown>>;
  }
  const Instance: new (module: Module, imports: Readonly<Record<string, never>>) => Instance;
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  const Memory: abstract new () => Memory;
}
