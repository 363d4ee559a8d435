/**
 * Video and camera streams: frames from ffmpeg, faces tracked between detections, one decision
 * per track (who, or which stranger) from several good frames, events and attendance out.
 */
export { ffmpegPath, ffprobePath, hasFfmpeg, parseSource, probeSource, type SourceKind, type SourceSpec, type ProbeResult } from './ffmpeg.ts';
export { VideoSource, openVideoSource, type SourceOptions, type SourceInfo, type SourceStatus, type VideoFrame, type ReconnectOptions } from './source.ts';
export { watchVideo, livenessOf, type WatchOptions, type WatchResult, type WatchStats, type TrackView } from './watch.ts';
export { voteIdentity, StrangerRegistry, type Sample, type Vote } from './vote.ts';
export { Attendance, attendanceCsv, ATTENDANCE_COLUMNS, type AttendanceRow } from './attendance.ts';
export { FaceTracker, type TrackerOptions, type Track, type Detection, type TrackerStep } from './tracker.ts';
export type { WatchEvent, TrackStartedEvent, IdentifiedEvent, StrangerEvent, SpoofSuspectedEvent, TrackEndedEvent, LivenessSummary, SpoofSummary } from './events.ts';
export { drawTracks } from './draw.ts';
export { VideoWriter, type VideoWriterOptions } from './writer.ts';
export { StreamManager, type StreamManagerOptions, type StreamStartOptions, type StreamSnapshot, type StreamMessage, type StreamState, type StreamFigures } from './stream-manager.ts';
export { withStreams } from './stream-service.ts';
