/**
 * The engine compiles without DOM or node types (src-main/engine/tsconfig.json). It still
 * uses one host global that every JavaScript host it runs in provides (browsers, node ≥ 17,
 * Electron): the HTML structured clone. Declared here, narrowly, instead of pulling in a
 * whole host's types. Under the main-process config this merges with @types/node's
 * declaration as one more overload.
 */
declare function structuredClone<T>(value: T): T;
