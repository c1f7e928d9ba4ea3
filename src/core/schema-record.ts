import { z } from 'zod';

/**
 * A map read from untrusted JSON or YAML (config maps, Delta log maps) as a null-prototype object:
 * every key written is an ordinary key, `__proto__`, `constructor` and `toString` included.
 * (`z.record` builds a plain object, where `__proto__` is dropped and `constructor` is found on
 * every map.) Each key and value is checked; problems are named `<field>.<key>`. It lives here,
 * outside `dynamic/` and `tlogfs/`, because both layers parse such maps.
 */
export function configRecord<V extends z.ZodType>(key: z.ZodType<string>, value: V): z.ZodType<Record<string, z.output<V>>> {
  return z
    .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected a map of names to values' })
    .transform((obj, ctx) => {
      const out = Object.create(null) as Record<string, z.output<V>>;
      for (const k of Object.keys(obj)) {
        const kr = key.safeParse(k);
        if (!kr.success) for (const i of kr.error.issues) ctx.addIssue({ code: 'custom', path: [k], message: `name ${JSON.stringify(k)}: ${i.message}` });
        // An own '__proto__' property (JSON.parse and YAML make one) reads as its value here.
        const vr = value.safeParse(Object.getOwnPropertyDescriptor(obj, k)?.value);
        if (!vr.success) for (const i of vr.error.issues) ctx.addIssue({ code: 'custom', path: [k, ...i.path], message: i.message });
        else Object.defineProperty(out, k, { value: vr.data, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }) as unknown as z.ZodType<Record<string, z.output<V>>>;
}
