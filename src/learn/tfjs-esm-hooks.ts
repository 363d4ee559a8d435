/**
 * Module hooks (node:module register) that let Node load tfjs-core's ES module files: they import
 * each other without extensions and their package does not say "type": "module". Only files under
 * @tensorflow/ are touched. Needed for register_all_gradients.js, which tfjs-core's CommonJS main
 * does not run (see backend.ts).
 */
type Next<C, R> = (specifier: string, context: C) => Promise<R>;
interface ResolveContext { parentURL?: string }
interface LoadContext { format?: string | null }

const TFJS = /\/node_modules\/@tensorflow\/[^/]+\/dist\//;

export async function resolve(specifier: string, context: ResolveContext, next: Next<ResolveContext, unknown>): Promise<unknown> {
  try {
    return await next(specifier, context);
  } catch (e) {
    const fromTfjs = context.parentURL !== undefined && TFJS.test(context.parentURL) && specifier.startsWith('.');
    const code = (e as { code?: string }).code;
    if (!fromTfjs || (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_UNSUPPORTED_DIR_IMPORT')) throw e;
    // as TypeScript resolved them when tfjs was compiled: the file first, then the folder's index
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
}

export async function load(url: string, context: LoadContext, next: (url: string, context: LoadContext) => Promise<unknown>): Promise<unknown> {
  // the CommonJS bundles (tf-*.node.js) keep their own format
  if (TFJS.test(url) && url.endsWith('.js') && !/\.node\.js$|\/tf-[^/]*\.js$/.test(url)) return next(url, { ...context, format: 'module' });
  return next(url, context);
}
