import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';

@ObjectType('IngestEndpoints', {
  description: 'Where agents send data: the ingest gateway as clients reach it.',
})
export class IngestEndpointsModel {
  @Field({ description: 'InfluxDB-compatible HTTP: POST /api/v2/write (2.x) and /write (1.x).' })
  @ApiProperty({
    description: 'InfluxDB-compatible HTTP: POST /api/v2/write (2.x) and /write (1.x).',
    example: 'http://localhost:8086',
  })
  httpUrl!: string;

  @Field({ description: 'Host of the fluentd forward protocol server.' })
  @ApiProperty({ description: 'Host of the fluentd forward protocol server.' })
  forwardHost!: string;

  @Field(() => Int, { description: 'Port of the fluentd forward protocol server.' })
  @ApiProperty({ description: 'Port of the fluentd forward protocol server.', example: 24224 })
  forwardPort!: number;
}
