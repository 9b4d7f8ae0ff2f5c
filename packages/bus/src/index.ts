export type { Consumer, ConsumerRunOptions, HandleResult, InRecord, OutRecord, Producer } from "./types.ts";
export { createKafka, type BusLogger, type KafkaOptions } from "./kafka.ts";
export { kafkaConnectionSchema, kafkaOptionsFrom, type KafkaConnection } from "./config.ts";
export { KafkaProducer, type KafkaProducerOptions } from "./kafka-producer.ts";
export { KafkaConsumer, type KafkaConsumerOptions } from "./kafka-consumer.ts";
export { MemoryBus, type MemoryBusOptions } from "./memory-bus.ts";
export {
  BatchingProducer,
  BufferFullError,
  RecordsDroppedError,
  type BatchingCounters,
  type BatchingProducerOptions,
} from "./batching-producer.ts";
export { BATCH_MARGIN_BYTES, kafkaMessageLimit } from "./kafka-limits.ts";
export { partitionForKey } from "./partition.ts";
export { ensureTopics, TopicCreationSchema, type TopicCreation } from "./topics.ts";
export { ConsumerHealth, type ConsumerReadiness } from "./consumer-health.ts";
export { LagMonitor, partitionLags, type LagMonitorOptions, type PartitionLag } from "./consumer-lag.ts";
