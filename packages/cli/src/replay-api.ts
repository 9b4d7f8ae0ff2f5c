/** What `outlier replay` runs, for tools that replay without the command line (bench:quality, @outlier/scenarios). */
export { readEvents, readLines, eventTime, type EventInput, type InputLine, type ReadEventsOptions, type RejectedLine } from "./read-events.ts";
export { replayEvents, REPLAY_BATCH_SIZE, type ReplayOptions } from "./replay-engine.ts";
