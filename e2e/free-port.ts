/** A TCP port free on 127.0.0.1 right now, for servers the tests start themselves. */
import { createServer } from "node:net";

/** Asks the OS for a free loopback port and releases it. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}
