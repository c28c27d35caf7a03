import { assertNever } from '@sextant/domain';
import { topicTagsOf, type MqttPathSettings } from '@sextant/ingest';
import { decodeRecords, DecodedRecords } from '../json/json-records';
import { parseLineProtocol } from '../line-protocol/parser';

/**
 * The records of one MQTT message, with the tags its topic levels give (over the payload's own).
 * Errors name records by JSON array index or by line (NDJSON, line protocol).
 */
export function decodeMqttPayload(
  settings: MqttPathSettings,
  topic: string,
  payload: Buffer,
  options: { maxRecordBytes: number; defaultTime?: bigint },
): DecodedRecords {
  const extraTags = topicTagsOf(settings, topic);
  switch (settings.format) {
    case 'json':
    case 'ndjson':
      return decodeRecords(settings.format, payload.toString('utf8'), {
        unit: settings.unit,
        integers: settings.integers,
        maxRecordBytes: options.maxRecordBytes,
        defaultTime: options.defaultTime,
        extraTags,
      });
    case 'line': {
      const parsed = parseLineProtocol(payload, {
        unit: settings.unit,
        defaultTime: options.defaultTime,
        maxLineLength: options.maxRecordBytes,
      });
      const errors = parsed.errors.map((e) => ({
        record: e.line,
        message: `${e.message} (column ${e.column})`,
      }));
      if (extraTags.length === 0) return { lines: parsed.batch.toLines(), errors };
      // The prefix still names the series: the same text with the same topic tags.
      const suffix = `\u0000${JSON.stringify(extraTags)}`;
      const lines = parsed.batch.toLines().map((line) => {
        const tags = new Map(line.tags);
        for (const [key, value] of extraTags) tags.set(key, value);
        return {
          ...line,
          prefix: line.prefix + suffix,
          tags: [...tags].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
        };
      });
      return { lines, errors };
    }
    default:
      return assertNever(settings.format);
  }
}
