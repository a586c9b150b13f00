/**
 * Parallel coordinates as plain SVG (Plotly's `parcoords` needs WebGL, which headless Chromium and
 * some laptops lack): an axis per dimension, a line per item (a run, a row of a cell's trace)
 * coloured by a chosen dimension, the best drawn on top and thicker. Hovering a line names it,
 * clicking opens it, and dragging along an axis keeps only the lines crossing that range (a click
 * clears it). Wide charts scroll sideways instead of shrinking their labels.
 */
import { createMemo, createSignal, For, Show } from "solid-js";
import { brushed, parcoordsLayout, type Brushes, type Dimension } from "./parcoords.ts";
import { plural } from "../../electron/common/plural.ts";
import "./charts.css";

/** Narrowest drag that makes a brush; anything shorter is a click, which clears the axis's brush. */
const MIN_BRUSH = 4;
/** How far past an axis's ends a brush may reach, so the lines at its minimum and maximum can be caught. */
const OVERHANG = 8;

/** What the chart draws: `dims` in order; line i is `names[i]` with key `keys[i]`. */
export interface ParcoordsChartProps {
  dims: Dimension[];
  names: string[];
  keys: string[];
  /** The colour dimension until the user picks one (default: the last). */
  defaultColor?: string;
  /** Whether the best line by a dimension is its lowest (loss-like), by that dimension's label. */
  lowerIsBetter?: (label: string) => boolean;
  /** What one line is called in the count ("run", "row"). */
  noun: string;
  onOpen?: (key: string) => void;
}

/** The chart; `onOpen` gets a clicked line's key. */
export function ParcoordsChart(props: ParcoordsChartProps) {
  const ids = () => props.dims.map((d) => d.id);
  const [colorId, setColorId] = createSignal("");
  const color = () => (ids().includes(colorId()) ? colorId() : (props.defaultColor ?? ids()[ids().length - 1] ?? ""));
  const [hovered, setHovered] = createSignal<number>();
  const [brushes, setBrushes] = createSignal<Brushes>({});
  const [drag, setDrag] = createSignal<{ axis: string; from: number; to: number }>();

  const layout = createMemo(() => {
    const by = props.dims.find((d) => d.id === color());
    return parcoordsLayout(props.dims, by, by ? !!props.lowerIsBetter?.(by.label) : false);
  });
  const passing = createMemo(() => brushed(layout(), brushes()));
  // The best and the hovered lines are drawn last, so nothing covers them.
  const ordered = createMemo(() => {
    const rank = (i: number) => (layout().lines[i].run === hovered() ? 2 : layout().lines[i].best ? 1 : 0);
    return layout().lines.map((_, i) => i).sort((a, b) => rank(a) - rank(b));
  });
  const name = (i: number) => props.names[i] ?? "";
  const shownBrush = (axis: string) => {
    const d = drag();
    if (d?.axis === axis) return [Math.min(d.from, d.to), Math.max(d.from, d.to)] as const;
    return brushes()[axis];
  };

  let svg!: SVGSVGElement;
  const chartY = (e: PointerEvent) => {
    const m = svg.getScreenCTM();
    return m ? new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse()).y : 0;
  };
  const clampY = (y: number) => Math.min(layout().size.bottom + OVERHANG, Math.max(layout().size.top - OVERHANG, y));
  const endDrag = () => {
    const d = drag();
    if (!d) return;
    setDrag(undefined);
    const { [d.axis]: _, ...rest } = brushes();
    const range = [Math.min(d.from, d.to), Math.max(d.from, d.to)] as const;
    setBrushes(range[1] - range[0] < MIN_BRUSH ? rest : { ...rest, [d.axis]: range });
  };

  return (
    <div class="tr-pc" data-testid="parallel-chart">
      <div class="tr-pc-controls">
        <label>
          colour by{" "}
          <select data-testid="pc-color" value={color()} onChange={(e) => setColorId(e.currentTarget.value)}>
            <For each={props.dims}>{(d) => <option value={d.id}>{d.id.replace(":", " ")}</option>}</For>
          </select>
        </label>
        <Show when={layout().colorRange.length}>
          <span class="tr-pc-scale">
            {layout().colorRange[0]} <span class="tr-pc-gradient" /> {layout().colorRange[1]}
          </span>
        </Show>
        <span class="tr-muted" data-testid="pc-count">
          {passing().filter(Boolean).length} of {plural(props.names.length, props.noun)}
        </span>
        <Show when={Object.keys(brushes()).length}>
          <button data-testid="pc-clear" onClick={() => setBrushes({})}>Clear filters</button>
        </Show>
        <span class="tr-pc-hover" data-testid="pc-hover">{hovered() === undefined ? "" : name(hovered()!)}</span>
      </div>
      <div class="tr-pc-scroll">
      <svg
        ref={svg}
        class="tr-pc-svg"
        style={{ "min-width": `${layout().size.width}px` }}
        viewBox={`0 0 ${layout().size.width} ${layout().size.height}`}
        role="img"
        aria-label="Parallel coordinates of the compared runs"
        onPointerMove={(e) => drag() && setDrag({ ...drag()!, to: clampY(chartY(e)) })}
        onPointerUp={endDrag}
        onPointerLeave={endDrag}
      >
        <For each={ordered()}>
          {(i) => {
            const line = () => layout().lines[i];
            const runId = () => props.keys[line().run] ?? "";
            return (
              <path
                class="tr-pc-line"
                classList={{ "tr-pc-best": line().best, "tr-pc-dimmed": !passing()[i], "tr-pc-hovered": hovered() === line().run }}
                d={line().d}
                stroke={line().color}
                data-testid="pc-line"
                data-run-id={runId()}
                data-best={String(line().best)}
                data-passing={String(passing()[i])}
                onMouseEnter={() => setHovered(line().run)}
                onMouseLeave={() => setHovered(undefined)}
                onClick={() => props.onOpen?.(runId())}
              >
                <title>{name(line().run)}</title>
              </path>
            );
          }}
        </For>
        <For each={layout().axes}>
          {(axis) => (
            <g class="tr-pc-axis" data-testid="pc-axis" data-axis={axis.id}>
              {/* The full name, where a long label is cut short. */}
              <title>{props.dims.find((d) => d.id === axis.id)?.label}</title>
              <line x1={axis.x} x2={axis.x} y1={layout().size.top} y2={layout().size.bottom} />
              <For each={axis.ticks}>
                {(t) => (
                  <text x={axis.x - 6} y={t.y} class="tr-pc-tick" text-anchor="end" dominant-baseline="middle">{t.text}</text>
                )}
              </For>
              <text x={axis.x} y={layout().size.top - 16} class="tr-pc-label" text-anchor="middle">{axis.label}</text>
              <Show when={shownBrush(axis.id)}>
                {(b) => <rect class="tr-pc-brush" x={axis.x - 8} width={16} y={b()[0]} height={b()[1] - b()[0]} />}
              </Show>
              <rect
                class="tr-pc-hit"
                x={axis.x - 12}
                width={24}
                y={layout().size.top - OVERHANG}
                height={layout().size.bottom - layout().size.top + 2 * OVERHANG}
                onPointerDown={(e) => {
                  const y = clampY(chartY(e));
                  setDrag({ axis: axis.id, from: y, to: y });
                }}
              />
            </g>
          )}
        </For>
      </svg>
      </div>
    </div>
  );
}
