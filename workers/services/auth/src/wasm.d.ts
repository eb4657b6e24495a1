/** wrangler and the vitest plugin import `.wasm` files as precompiled modules. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
