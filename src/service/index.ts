/** The REST server's face service bound to the library, and the web page it serves. */
export { createService, defaultGalleryPath, type CreateServiceOptions } from './create-service.js';
export { installWebPage, installWebPageOnNextServer, WEB_ROOT } from './web-page.js';
