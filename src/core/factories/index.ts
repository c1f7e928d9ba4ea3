import { FactoryRegistry } from '../dynamic/registry.ts';
import { sqlQuery } from './sql_query.ts';
import { template } from './template.ts';
import { combine } from './combine.ts';
import { scribble } from './scribble.ts';
import { directory } from './directory.ts';
import { syntheticTimeseries } from './synthetic-timeseries.ts';
import { timeseriesJoin } from './timeseries-join.ts';
import { timeseriesPivot } from './timeseries-pivot.ts';
import { dynamicDir } from './dynamic-dir.ts';
import { temporalReduce, temporalReduceSeries } from './temporal-reduce.ts';
import { columnRename } from './column-rename.ts';
import { sqlDerivedTable, sqlDerivedSeries } from './sql-derived.ts';

/**
 * A registry holding the built-in factories: sql_query, template, combine, scribble, directory, and
 * the Rust DuckPond's time-series ones (synthetic-timeseries, timeseries-join, timeseries-pivot, dynamic-dir, temporal-reduce and its
 * entries' temporal-reduce-series, column-rename, sql-derived-table, sql-derived-series).
 * Each call returns a new registry, so registering a custom factory on it changes no other pond.
 * @example
 * const pond = await openPond(store, { registry: defaultRegistry().register(myFactory) });
 */
export function defaultRegistry(): FactoryRegistry {
  return new FactoryRegistry()
    .register(sqlQuery)
    .register(template)
    .register(combine)
    .register(scribble)
    .register(directory)
    .register(syntheticTimeseries)
    .register(timeseriesJoin)
    .register(timeseriesPivot)
    .register(dynamicDir)
    .register(temporalReduce)
    .register(temporalReduceSeries)
    .register(columnRename)
    .register(sqlDerivedTable)
    .register(sqlDerivedSeries);
}

export {
  sqlQuery,
  template,
  combine,
  scribble,
  directory,
  syntheticTimeseries,
  timeseriesJoin,
  timeseriesPivot,
  dynamicDir,
  temporalReduce,
  temporalReduceSeries,
  columnRename,
  sqlDerivedTable,
  sqlDerivedSeries,
};
