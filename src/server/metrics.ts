import { Counter, Gauge, Histogram, renderAll } from './prometheus.js';
import type { InferenceReporter } from './service.js';

/**
 * Everything /metrics reports. Created before the service so the service's inference hook
 * (`observeInference`) can be handed to it at construction.
 */
export class ServerMetrics {
  readonly requests = new Counter('facekit_http_requests_total', 'HTTP requests by method, route template and status');
  readonly latency = new Histogram('facekit_http_request_duration_seconds', 'HTTP request latency by method, route template and status');
  readonly inference = new Histogram('facekit_model_inference_seconds', 'model inference time reported by the face service, by model');
  readonly galleryPeople = new Gauge('facekit_gallery_people', 'people enrolled in the gallery');
  readonly galleryFaces = new Gauge('facekit_gallery_faces', 'faces enrolled in the gallery');
  readonly queueRunning = new Gauge('facekit_queue_running', 'inference jobs running');
  readonly queueWaiting = new Gauge('facekit_queue_waiting', 'inference jobs waiting for a slot');
  readonly queueRejected = new Counter('facekit_queue_rejected_total', 'inference jobs refused because the queue was full');
  readonly queueAbandoned = new Counter('facekit_queue_abandoned_total', 'inference jobs dropped from the queue because their client went away');
  readonly up = new Gauge('facekit_up', '1 while the server runs');

  readonly observeInference: InferenceReporter = (model, seconds) => {
    if (Number.isFinite(seconds) && seconds >= 0) this.inference.observe(seconds, { model });
  };

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(seconds, labels);
  }

  render(): string {
    this.up.set(1);
    return renderAll([this.up, this.requests, this.latency, this.inference, this.galleryPeople, this.galleryFaces, this.queueRunning, this.queueWaiting, this.queueRejected, this.queueAbandoned]);
  }
}
