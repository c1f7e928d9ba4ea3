/**
 * The one strict CSV reader (app import, `csv:///` patterns, the CLI): platform-neutral, no DuckDB.
 * Rules in docs/csv.md.
 */
export { readCsv, inspectCsv, uniqueNames, CSV_DELIMITERS } from './reader.ts';
export type { CsvReadOptions, CsvReport, CsvResult, CsvColumn, CsvRejectedRow, CsvDelimiter, CsvType } from './reader.ts';
