/** Renderer entry: connects to the host, builds the state, mounts the app. */
import { createRoot, Show } from "solid-js";
import { render } from "solid-js/web";
import { AppContext, createAppState } from "./state/index.ts";
import { connectTransport } from "./transport.ts";
import { App } from "./views/App.tsx";
import { AppView } from "./views/AppView.tsx";
import "./styles.css";

// The state outlives any component, so it gets its own root rather than the render tree's.
const state = createRoot(() => createAppState(connectTransport()));

render(
  () => (
    <AppContext.Provider value={state}>
      {/* `flowbook app` serves a read-only view of the notebook instead of the editor. */}
      <Show when={state.notebook.appView()} fallback={<App />}>
        <AppView />
      </Show>
    </AppContext.Provider>
  ),
  document.getElementById("root")!,
);
