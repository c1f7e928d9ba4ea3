import { z } from 'zod';
import { defineFactory } from '../dynamic/factory.ts';
import { pondError } from '../errors.ts';
import { renderTemplate } from './template-render.ts';

const schema = z
  .object({
    /** The template text (nunjucks / Jinja2 syntax). */
    template: z.string().optional(),
    /** Or a pond path holding it (relative to the node's directory); includes resolve next to it. */
    template_file: z.string().min(1).optional(),
    /** Values the template sees as top-level variables. */
    variables: z.record(z.string(), z.unknown()).default({}),
    /** html turns on autoescaping; json checks that the output parses. */
    output_format: z.enum(['text', 'markdown', 'html', 'json', 'csv']).default('text'),
    /** Stop a render that runs longer (default 10 s): a runaway loop must not freeze the pond. */
    timeout_ms: z.number().int().positive().max(600_000).optional(),
    /** Fail a render whose output is bigger (default 64 MiB). */
    max_bytes: z
      .number()
      .int()
      .positive()
      .max(1024 ** 3)
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.template === undefined) === (c.template_file === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['template'], message: 'give exactly one of template and template_file' });
    }
  });

export type TemplateConfig = z.infer<typeof schema>;

/** template: text rendered by nunjucks from variables and pond data (tables, queries, globs). */
export const template = defineFactory({
  name: 'template',
  description: 'Text (markdown, html, json, csv, ...) rendered by a nunjucks template that can read pond tables, queries and globs.',
  produces: 'file:data',
  schema,
  async compute(ctx, config) {
    const name = config.template_file ? ctx.resolvePath(config.template_file) : ctx.path;
    const source = config.template ?? (await ctx.readText(name));
    const output = await renderTemplate(ctx, {
      source,
      name,
      variables: config.variables,
      autoescape: config.output_format === 'html',
      timeoutMs: config.timeout_ms,
      maxBytes: config.max_bytes,
    });
    if (config.output_format === 'json') {
      try {
        JSON.parse(output);
      } catch (e) {
        throw pondError('EFACTORY', ctx.path, `output_format is json but the output does not parse: ${(e as Error).message}`);
      }
    }
    return output;
  },
});
