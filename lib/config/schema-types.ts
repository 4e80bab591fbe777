/**
 * The value a schema describes once the document has no diagnostics: the one source of the config
 * types (GatewayConfig, RawTopology, the raw catalog), so a field is declared once, in the schema.
 * A field is always present when it is required, has a default, or is an object the walker fills
 * with its defaults (no required keys of its own); otherwise it is optional.
 */
export type Infer<S> =
  S extends { readonly type: 'object' } ? InferObject<S>
    : S extends { readonly type: 'array', readonly items: infer I } ? readonly Infer<I>[]
      : S extends { readonly type: 'string', readonly enum: readonly (infer E)[] } ? E
        : S extends { readonly type: 'string' | 'url' } ? string
          : S extends { readonly type: 'duration' | 'integer' | 'number' } ? number
            : S extends { readonly type: 'boolean' } ? boolean
              : unknown

/**
 * What the walker leaves when the document has errors: the same shape with every field optional
 * (a value with an error is absent). Loaders that report more problems in the same run read this.
 */
export type Loose<S> =
  S extends { readonly type: 'object', readonly fields: infer F }
    ? keyof F extends never
      ? S extends { readonly additional: infer A } ? Readonly<Record<string, Loose<A>>> : Readonly<Record<string, never>>
      : { readonly [K in keyof F]?: Loose<F[K]> }
    : S extends { readonly type: 'array', readonly items: infer I } ? readonly (Loose<I> | undefined)[]
      : Infer<S>

type RequiredKeys<S> = S extends { readonly required: readonly (infer R)[] } ? R : never

/** True when the walker always sets the field (required, defaulted, or an object of defaults). */
type AlwaysSet<S, K, F> =
  K extends RequiredKeys<S> ? true
    : F extends { readonly default: unknown } ? true
      : F extends { readonly type: 'object' } ? ([RequiredKeys<F>] extends [never] ? true : false)
        : false

type Flatten<T> = { [K in keyof T]: T[K] }

type InferObject<S> = S extends { readonly fields: infer F }
  ? keyof F extends never
    ? S extends { readonly additional: infer A } ? Readonly<Record<string, Infer<A>>> : Readonly<Record<string, never>>
    : Flatten<
      { readonly [K in keyof F as AlwaysSet<S, K, F[K]> extends true ? K : never]: Infer<F[K]> } &
      { readonly [K in keyof F as AlwaysSet<S, K, F[K]> extends true ? never : K]?: Infer<F[K]> }
    >
  : never
