import { createServer, type Server } from 'node:net';
import { connectAsync } from 'mqtt';

const mosquittoUrl = 'mqtt://127.0.0.1:1883';

/** An MQTT broker for a test: topics and client ids of the test's own, it may be shared. */
export interface TestBroker {
  url: string;
  name: string;
  close(): Promise<void>;
}

/**
 * The local Mosquitto when one answers within a second, else an in-process aedes broker
 * (MQTT_TEST_BROKER=aedes skips Mosquitto).
 */
export async function startTestBroker(): Promise<TestBroker> {
  try {
    if (process.env.MQTT_TEST_BROKER === 'aedes') throw new Error('aedes asked for');
    const probe = await connectAsync(mosquittoUrl, { connectTimeout: 1000, reconnectPeriod: 0 });
    await probe.endAsync();
    return { url: mosquittoUrl, name: `local Mosquitto at ${mosquittoUrl}`, close: async () => {} };
  } catch {
    const { Aedes } = await import('aedes');
    const aedes = await Aedes.createBroker();
    const server: Server = createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    return {
      url: `mqtt://127.0.0.1:${port}`,
      name: `in-process aedes on port ${port}`,
      close: async () => {
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }
}
