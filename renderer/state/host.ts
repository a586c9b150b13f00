/** Host status and connection state: what the status bar shows. */
import { createSignal } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import type { HostStatus, KernelState } from "../../electron/protocol.ts";

/** The host's last reported status, minus the message tag. */
export type HostInfo = Omit<HostStatus, "type">;

/** Host status store plus the connection flag. */
export function createHostState() {
  const [info, setInfo] = createStore<HostInfo>({ trackingUri: "", restUrl: "", tfBackend: "unknown", kernel: "starting" });
  const [connected, setConnected] = createSignal(false);
  return {
    info,
    connected,
    setConnected,
    /** Applies a `host-status` event; returns the previous kernel state so callers can see transitions. */
    applyStatus(status: HostStatus): KernelState {
      const before = info.kernel;
      const { type: _type, ...rest } = status;
      setInfo(reconcile(rest));
      return before;
    },
  };
}

/** The host domain's state and actions. */
export type HostState = ReturnType<typeof createHostState>;
