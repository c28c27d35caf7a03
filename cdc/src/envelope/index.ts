// Debezium's change envelope: its types, the Kafka Connect schema of its rows and the codec
// of its JSON messages.
export * from './change-envelope';
export * from './connect-schema';
export * from './debezium-codec';
