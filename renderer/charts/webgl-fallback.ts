/**
 * Plotly draws some trace types with WebGL only (parcoords, scattergl, 3-D, maps); without WebGL
 * (a blocklisted GPU: a box saying "WebGL is not supported") or on a software renderer (headless
 * Chromium's SwiftShader: a blank box, the points never drawn) nothing shows. This is
 * the one place that turns a figure's traces into ones a browser without WebGL draws: 2-D
 * equivalents for Plotly, and parcoords for the SVG chart the Tracking tab uses (ParcoordsChart).
 */
import type { Dimension } from "./parcoords.ts";

type Trace = Record<string, unknown>;

let probed: boolean | undefined;

/** Renderers that give a context yet leave Plotly's WebGL traces blank. */
const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software/i;

/** Whether this browser gives a canvas a hardware WebGL context (probed once). */
export function webglAvailable(): boolean {
  if (probed === undefined) {
    const gl = document.createElement("canvas").getContext("webgl");
    const info = gl?.getExtension("WEBGL_debug_renderer_info");
    const renderer = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "";
    probed = !!gl && !SOFTWARE_GL.test(renderer);
    gl?.getExtension("WEBGL_lose_context")?.loseContext();
  }
  return probed;
}

/** A figure's traces as a browser without WebGL can draw them. */
export interface WebGlFallback {
  /** Traces for Plotly (its SVG and canvas-2D types). */
  plotly: Trace[];
  /** `parcoords` traces, for the SVG parallel coordinates. */
  parcoords: Trace[];
  /** What was changed or left out, one line each, shown under the chart. */
  notes: string[];
}

/** Plotly's WebGL types with an SVG twin of the same data. */
const TWIN: Record<string, string> = { scattergl: "scatter", scatterpolargl: "scatterpolar", heatmapgl: "heatmap", pointcloud: "scatter" };
/** WebGL types with no 2-D form that keeps their meaning: left out, with a note. */
const UNDRAWABLE = /^(mesh3d|cone|streamtube|volume|isosurface|splom|scattermapbox|densitymapbox|choroplethmapbox|scattermap|densitymap|choroplethmap)$/;

/** Splits and converts `data` for a browser without WebGL (see `WebGlFallback`). */
export function withoutWebGl(data: readonly Trace[]): WebGlFallback {
  const out: WebGlFallback = { plotly: [], parcoords: [], notes: [] };
  for (const trace of data) {
    const type = typeof trace.type === "string" ? trace.type : "scatter";
    if (type === "parcoords") out.parcoords.push(trace);
    else if (TWIN[type]) out.plotly.push({ ...trace, type: TWIN[type], ...(type === "pointcloud" ? { mode: "markers" } : {}) });
    else if (type === "scatter3d") {
      const marker = (trace.marker ?? {}) as Trace;
      out.plotly.push({ ...trace, type: "scatter", z: undefined, marker: { ...marker, color: marker.color ?? trace.z, showscale: marker.color === undefined } });
      out.notes.push("3-D scatter drawn from above (x, y; colour is z): this browser has no WebGL");
    } else if (type === "surface") {
      out.plotly.push({ ...trace, type: "contour" });
      out.notes.push("surface drawn as contours: this browser has no WebGL");
    } else if (UNDRAWABLE.test(type)) out.notes.push(`a ${type} trace needs WebGL, which this browser lacks: not drawn`);
    else out.plotly.push(trace);
  }
  return out;
}

/**
 * A `parcoords` trace's axes as the SVG chart's dimensions: values as numbers, `tickvals`/
 * `ticktext` as category names, and the dimension equal to `line.color` (else the last) as the
 * colour, as Plotly colours lines by `line.color`.
 */
export function parcoordsDimensions(trace: Trace): { dims: Dimension[]; color: string | undefined } {
  const given = Array.isArray(trace.dimensions) ? (trace.dimensions as Trace[]) : [];
  const seen = new Set<string>();
  const dims = given.map((d, i): Dimension => {
    const values = Array.isArray(d.values) ? (d.values as unknown[]).map(Number) : [];
    const label = typeof d.label === "string" ? d.label : `dimension ${i + 1}`;
    const ticks = Array.isArray(d.tickvals) && Array.isArray(d.ticktext) ? (d.tickvals as unknown[]).map(Number) : [];
    const categorical = ticks.length > 0 && ticks.every((t, k) => t === k);
    // The id names the axis in the colour picker; a repeated label gets its position.
    const id = seen.has(label) ? `${label} (${i + 1})` : label;
    seen.add(id);
    return { id, label, values, ...(categorical ? { categories: (d.ticktext as unknown[]).map(String) } : {}) };
  });
  const lineColor = (trace.line as Trace | undefined)?.color;
  if (!Array.isArray(lineColor)) return { dims, color: undefined };
  const colors = lineColor.map(Number);
  const same = dims.find((d) => d.values.length === colors.length && d.values.every((v, k) => v === colors[k]));
  if (same) return { dims, color: same.id };
  const extra: Dimension = { id: seen.has("colour") ? `colour (${dims.length + 1})` : "colour", label: "colour", values: colors };
  return { dims: [...dims, extra], color: extra.id };
}
