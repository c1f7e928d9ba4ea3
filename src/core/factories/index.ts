import { FactoryRegistry } from '../dynamic/registry.ts';
import { sqlQuery } from './sql_query.ts';
import { template } from './template.ts';
import { combine } from './combine.ts';
import { scribble } from './scribble.ts';
import { directory } from './directory.ts';
import { syntheticTimeseries } from './synthetic-timeseries.ts';

/**
 * A registry holding the built-in factories: sql_query, template, combine, scribble, directory, and
 * the Rust DuckPond's time-series ones (synthetic-timeseries).
 * Each call returns a new registry, so registering a custom factory on it changes no other pond.
 * @example
 * const pond = await openPond(store, { registry: defaultRegistry().register(myFactory) });
 */
export function defaultRegistry(): FactoryRegistry {
  return new FactoryRegistry().register(sqlQuery).register(template).register(combine).register(scribble).register(directory).register(syntheticTimeseries);
}

export { sqlQuery, template, combine, scribble, directory, syntheticTimeseries };
