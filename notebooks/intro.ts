// Flowbook intro: a notebook is a plain TypeScript file. Each `// %% [cell …]` line starts a cell;
// cells re-run by themselves when a value they read changes (move a slider, or edit a cell).
// Run it as a script with `node bin/flowbook.js run notebooks/intro.ts`.

// %% [cell id=imports name="imports" hidden]
import { md, plot, state, table, ui } from "flowbook";

// %% [cell id=title]
md`# Flowbook intro
Two sliders drive the table below. Cells that read \`count.value\` or \`exponent.value\` re-run when
you move a slider; the cell that creates the slider does not.`;

// %% [cell id=count name="rows slider"]
const count = ui.slider({ label: "rows", min: 1, max: 12, step: 1, value: 6 });
count;

// %% [cell id=exponent name="exponent slider"]
const exponent = ui.slider({ label: "exponent", min: 1, max: 4, step: 1, value: 2 });
exponent;

// %% [cell id=powers name="powers table"]
const powers = Array.from({ length: count.value }, (_, i) => ({ n: i + 1, power: (i + 1) ** exponent.value }));
table(powers);

// %% [cell id=chart name="powers chart"]
plot([{ type: "scatter", mode: "lines+markers", x: powers.map((r) => r.n), y: powers.map((r) => r.power) }], {
  title: `n^${exponent.value}`,
});

// %% [cell id=history name="history state"]
// `state` keeps a value across runs; its setter re-runs the cells that read the getter.
const [seenSizes, setSeenSizes] = state<number[]>([]);

// %% [cell id=record name="record table size"]
setSeenSizes((sizes) => [...sizes, powers.length].slice(-5));

// %% [cell id=summary]
const total = powers.reduce((sum, r) => sum + r.power, 0);
md`The table has **${powers.length}** rows summing to **${total}**. Recent sizes: ${seenSizes().join(", ")}.`;
