import type { WorkQueue } from '../queue.js';
import type { FaceService } from '../service.js';

/** What route files need from the server. */
export interface RouteDeps {
  service: FaceService;
  queue: WorkQueue;
  /** passed to every image-taking service call; the image decoder enforces it */
  maxPixels: number;
  /** directory deepface-style image paths may be read from; null refuses paths */
  imageRoot: string | null;
}
