/** Bumped whenever compiled output can change, so cached models are rebuilt. Apart from the
 * compiler so that finding a cached model does not load the compiler. */
export const COMPILER_VERSION = 3;
