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
  'temporal-reduce': `# Down-samples every series the pattern matches to coarser time buckets (Rust
# testsuite scenario 103). Output: <this node>/<out_pattern>/res=<resolution>.series,
# one column per aggregation named <column>.<aggregation>.
in_pattern: "series:///sources/*"   # each * captures, used as $0, $1, … below
out_pattern: "$0"
time_column: "timestamp"
resolutions: ["1h", "6h", "1d"]
aggregations:
  - type: "avg"
    columns: ["temperature", "pressure"]   # omit columns: every numeric column
  - type: "min"
    columns: ["temperature"]
  - type: "max"
    columns: ["temperature"]
`,
  'timeseries-join': `# Joins series on time (Rust testsuite scenario 101): inputs of one scope are
# unioned by column name; scopes are outer-joined on the timestamp, and each column
# is named <scope>.<column>.
inputs:
  - pattern: "series:///sensors/station_a"
    scope: StationA
  - pattern: "series:///sensors/station_b"
    scope: StationB
`,
  'timeseries-pivot': `# Picks columns out of a (joined) series, one per station (Rust testsuite scenario 102).
pattern: "series:///sensors/combined"
columns:
  - "station_a.temperature"
  - "station_b.temperature"
`,
  'dynamic-dir': `# A folder whose entries are each made by their own factory; entries may read
# each other by path (Rust testsuite scenario 101; the paths assume it is made at /sensors).
entries:
  - name: "station_a"
    factory: "synthetic-timeseries"
    config:
      start: "2024-01-01T00:00:00Z"
      end:   "2024-01-15T00:00:00Z"
      interval: "1h"
      points:
        - name: "temperature"
          components:
            - { type: sine, amplitude: 5.0, period: "24h", offset: 20.0 }
  - name: "station_b"
    factory: "synthetic-timeseries"
    config:
      start: "2024-01-10T00:00:00Z"
      end:   "2024-01-25T00:00:00Z"
      interval: "1h"
      points:
        - name: "temperature"
          components:
            - { type: triangle, amplitude: 8.0, period: "24h", offset: 30.0 }
  - name: "combined"
    factory: "timeseries-join"
    config:
      inputs:
        - { pattern: "series:///sensors/station_a", scope: StationA }
        - { pattern: "series:///sensors/station_b", scope: StationB }
`,
  'column-rename': `# A table transform (Rust's column-rename): other factories list its path under
# "transforms". The first rule that applies to a column names it.
rules:
  - type: direct
    from: "Date Time"
    to: "timestamp"
    cast: timestamp              # optional: timestamp, utf8, int64, int32, float64, float32, boolean
  - type: pattern
    pattern: "^(.+) \\\\((.+)\\\\)$"
    replacement: "$1.$2"         # "Temperature (C)" -> "Temperature.C"
`,
  'sql-derived-table': `# SQL over the tables the patterns match (Rust's sql-derived-table); each name is a
# table in the query. Patterns take table:///, series:/// and csv:/// (a stored CSV file).
patterns:
  source: "table:///raw/data"
query: "SELECT * FROM source LIMIT 100"   # default: SELECT * FROM <the one pattern>
`,
  'sql-derived-series': `# The same, producing a series (Rust's sql-derived-series).
patterns:
  source: "series:///sensors/*"
query: "SELECT * FROM source WHERE temperature > 20"
`,
};
