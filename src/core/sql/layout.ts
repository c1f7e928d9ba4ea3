import * as arrow from 'apache-arrow';

/**
 * The column layout of a bound DuckDB table, seen from the Arrow side: its columns in DuckDB's
 * order and, per column, the Arrow types already proven to fit it (inserted once through the
 * staging path, which checks and widens in DuckDB). An input using only those can be appended
 * directly by position, after `conform` reorders it and fills missing columns with NULLs.
 */
export class ArrowLayout {
  /** Lower-cased column names in table order. */
  readonly order: string[] = [];
  readonly #accepted = new Map<string, Set<string>>();
  readonly #fill = new Map<string, { name: string; type: arrow.DataType }>();

  /** Record that `schema`'s columns went into the table (after the table gained any new ones). */
  learn(schema: arrow.Schema, tableOrder: readonly string[]): void {
    this.order.splice(0, this.order.length, ...tableOrder.map((n) => n.toLowerCase()));
    for (const f of schema.fields) {
      const key = f.name.toLowerCase();
      if (arrow.DataType.isNull(f.type)) continue;
      let set = this.#accepted.get(key);
      if (!set) this.#accepted.set(key, (set = new Set()));
      set.add(typeKey(f.type));
      if (!this.#fill.has(key)) this.#fill.set(key, { name: f.name, type: f.type });
    }
  }

  /**
   * `t` reshaped to the table's column order, or undefined when it has a column the table lacks,
   * a type not yet proven to fit, or duplicate names: those go through staging instead.
   */
  conform(t: arrow.Table): arrow.Table | undefined {
    const index = new Map<string, number>();
    t.schema.fields.forEach((f, i) => index.set(f.name.toLowerCase(), i));
    if (index.size !== t.schema.fields.length) return undefined;
    for (const f of t.schema.fields) {
      const key = f.name.toLowerCase();
      if (!this.order.includes(key)) return undefined;
      if (!arrow.DataType.isNull(f.type) && !this.#accepted.get(key)?.has(typeKey(f.type))) return undefined;
    }
    // Columns that are all-NULL so far have no fill type yet: such an input needs staging.
    if (this.order.some((k) => !this.#fill.has(k) && (index.get(k) === undefined || arrow.DataType.isNull(t.schema.fields[index.get(k) as number].type))))
      return undefined;
    const same =
      t.schema.fields.length === this.order.length && t.schema.fields.every((f, i) => f.name.toLowerCase() === this.order[i] && !arrow.DataType.isNull(f.type));
    if (same) return t;
    const pick = (k: string): number | undefined => {
      const i = index.get(k);
      return i !== undefined && !arrow.DataType.isNull(t.schema.fields[i].type) ? i : undefined;
    };
    const fields = this.order.map((k) => {
      const i = pick(k);
      return i !== undefined
        ? t.schema.fields[i]
        : new arrow.Field((this.#fill.get(k) as { name: string }).name, (this.#fill.get(k) as { type: arrow.DataType }).type, true);
    });
    const schema = new arrow.Schema(fields);
    const batches = t.batches.map((b) => {
      const children = this.order.map((k, c) => {
        const i = pick(k);
        return i !== undefined ? b.data.children[i] : nulls(fields[c].type, b.numRows);
      });
      return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: b.numRows, nullCount: 0, children }));
    });
    return new arrow.Table(schema, batches);
  }
}

function typeKey(t: arrow.DataType): string {
  return `${String(t)}|${(t as { timezone?: string | null }).timezone ?? ''}`;
}

/** An all-NULL column of `type` (builders handle nested types' offsets and children). */
function nulls(type: arrow.DataType, length: number): arrow.Data {
  return arrow.vectorFromArray(new Array<null>(length).fill(null), type).data[0];
}
