/** A starting config per built-in factory, as the Create form shows it (YAML, commented). */
export const FACTORY_EXAMPLES: Record<string, string> = {
  sql_query: `# SQL over pond tables. Each name under "tables" reads every file its pattern
# matches (unioned by column name).
query: |
  SELECT * FROM t LIMIT 100
tables:
  t: /data/*
`,
  template: `# Text rendered with a nunjucks template; it can read pond tables.
template: |
  # Report
  Generated from {{ source }}.
variables:
  source: /data
output_format: markdown   # text, markdown, html, json or csv
`,
  combine: `# The union of every table or series the patterns match.
file_patterns:
  - /data/*
deduplication: none        # none, rows, or {key: [columns], keep: first|last}
output_type: file:table    # or file:series
`,
  scribble: `# Synthetic data, the same on every read when seeded.
schema:
  - { name: time, type: timestamp, step_ms: 60000 }
  - { name: temperature, type: float, distribution: normal, mean: 20, stddev: 3 }
  - { name: station, type: string, values: [north, south] }
row_count: 1000
seed: 42
output_type: file:table
`,
  directory: `# A folder listing what a glob pattern matches.
pattern: /data/**/*
# virtual_structure: "{0}/{name}"   # subfolders from the first capture
`,
  'synthetic-timeseries': `# Waveform time series, as the Rust DuckPond makes them (example from its docs).
# Each point is a Float64 column: the sum of its components at every timestamp.
start: "2024-01-01T00:00:00Z"
end: "2024-01-02T00:00:00Z"       # inclusive
interval: "15m"
time_column: "timestamp"          # optional, default: "timestamp"
points:
  - name: "temperature"
    components:
      - type: sine
        amplitude: 10.0
        period: "24h"
        offset: 20.0              # baseline value
      - type: line
        slope: 0.0002             # slow upward drift

  - name: "pressure"
    components:
      - type: sine
        amplitude: 5.0
        period: "12h"
        offset: 1013.0
      - type: square
        amplitude: 2.0
        period: "6h"

  - name: "humidity"
    components:
      - type: triangle
        amplitude: 15.0
        period: "8h"
        offset: 60.0
      - type: sine
        amplitude: 3.0
        period: "3h"
        phase: 1.57               # phase offset in radians
`,
};
