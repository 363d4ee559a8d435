/**
 * Video and camera streams: frames from ffmpeg, faces tracked between detections, one decision
 * per track (who, or which stranger) from several good frames, events and attendance out.
 */
export { ffmpegPath, ffprobePath, hasFfmpeg, parseSource, probeSource, type SourceKind, type SourceSpec, type ProbeResult } from './ffmpeg.js';
export { VideoSource, openVideoSource, type SourceOptions, type SourceInfo, type SourceStatus, type VideoFrame, type ReconnectOptions } from './source.js';
export { watchVideo, livenessOf, type WatchOptions, type WatchResult, type WatchStats, type TrackView } from './watch.js';
export { voteIdentity, StrangerRegistry, type Sample, type Vote } from './vote.js';
export { Attendance, attendanceCsv, ATTENDANCE_COLUMNS, type AttendanceRow } from './attendance.js';
export { FaceTracker, type TrackerOptions, type Track, type Detection, type TrackerStep } from './tracker.js';
export type { WatchEvent, TrackStartedEvent, IdentifiedEvent, StrangerEvent, SpoofSuspectedEvent, TrackEndedEvent, LivenessSummary, SpoofSummary } from './events.js';
export { drawTracks } from './draw.js';
export { VideoWriter, type VideoWriterOptions } from './writer.js';
export { StreamManager, type StreamManagerOptions, type StreamStartOptions, type StreamSnapshot, type StreamMessage, type StreamState, type StreamFigures } from './stream-manager.js';
export { withStreams } from './stream-service.js';
