/**
 * Model names come from clients' request bodies, and become Prometheus labels and circuit
 * breaker keys; unbounded, any token holder could grow both forever with made-up names. Every
 * place a model becomes a label or a key goes through `ModelLabels.label`.
 */

/** Longest model label; longer names are cut. */
export const MAX_MODEL_LABEL_CHARS = 64;
/** Distinct model labels kept per provider; later models share OTHER_MODEL. */
export const MAX_MODELS_PER_PROVIDER = 100;
/** The label of every model past the per-provider cap. */
export const OTHER_MODEL = 'other';

export class ModelLabels {
  private readonly seen = new Map<string, Set<string>>();

  constructor(
    private readonly maxPerProvider = MAX_MODELS_PER_PROVIDER,
    private readonly maxChars = MAX_MODEL_LABEL_CHARS,
  ) {}

  /**
   * The label for `model` under `provider`: the name cut to `maxChars`, or OTHER_MODEL once
   * `maxPerProvider` distinct labels were handed out for this provider. A label once given
   * stays the same for the life of the process.
   */
  label(provider: string, model: string): string {
    let cut = model;
    if (cut.length > this.maxChars) {
      cut = cut.slice(0, this.maxChars);
      // Not half a surrogate pair.
      if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
    }
    let known = this.seen.get(provider);
    if (!known) this.seen.set(provider, (known = new Set()));
    if (known.has(cut)) return cut;
    if (known.size >= this.maxPerProvider) return OTHER_MODEL;
    known.add(cut);
    return cut;
  }
}

/** The process's labels: metrics live in one registry, so their bound is process-wide. */
export const modelLabels = new ModelLabels();

/** `modelLabels.label`: the one way a client's model name becomes a label or key. */
export const modelLabel = (provider: string, model: string): string => modelLabels.label(provider, model);

/**
 * Tool names also come from clients (the tools they declare, echoed by the model), and label
 * `coder_aibridged_non_injected_tool_selections_total`: bounded the same way, per provider.
 */
export const toolLabels = new ModelLabels();
