import { describe, expect, it } from 'vitest';
import { interceptionMetrics } from '../../src/bridge/metrics.js';
import { MAX_MODEL_LABEL_CHARS, MAX_MODELS_PER_PROVIDER, ModelLabels, OTHER_MODEL, toolLabels } from '../../src/bridge/model-label.js';
import { registry } from '../../src/metrics/index.js';

describe('ModelLabels', () => {
  it('cuts long names, without splitting a surrogate pair', () => {
    const l = new ModelLabels(10, 8);
    expect(l.label('p', 'gpt-4o-mini-2024')).toBe('gpt-4o-m');
    expect(l.label('p', 'gpt-4o-m')).toBe('gpt-4o-m');
    expect(l.label('p', 'abcdefg\u{1F600}xyz')).toBe('abcdefg');
  });

  it('keeps the first distinct names per provider and labels later ones "other", for ever', () => {
    const l = new ModelLabels(3);
    expect(['a', 'b', 'a', 'c'].map((m) => l.label('openai', m))).toEqual(['a', 'b', 'a', 'c']);
    expect(l.label('openai', 'd')).toBe(OTHER_MODEL);
    expect(l.label('openai', 'b')).toBe('b');
    expect(l.label('openai', 'd')).toBe(OTHER_MODEL);
    // Each provider has its own budget.
    expect(l.label('anthropic', 'd')).toBe('d');
  });

  it('bounds the bridge metrics: random model names add at most the cap of label values per provider', async () => {
    const provider = `prov-${Math.random().toString(36).slice(2)}`;
    for (let i = 0; i < MAX_MODELS_PER_PROVIDER + 50; i++) {
      interceptionMetrics(provider, `model-${i}-${'x'.repeat(100)}`, '/v1/chat/completions', 'u', 'c').completed.inc();
    }
    const m = await registry.getSingleMetric('coder_aibridged_interceptions_total')!.get();
    const models = new Set(m.values.filter((v) => v.labels.provider === provider).map((v) => String(v.labels.model)));
    expect(models.size).toBe(MAX_MODELS_PER_PROVIDER + 1);
    expect(models.has(OTHER_MODEL)).toBe(true);
    for (const x of models) expect(x.length).toBeLessThanOrEqual(MAX_MODEL_LABEL_CHARS);
    const other = m.values.find((v) => v.labels.provider === provider && v.labels.model === OTHER_MODEL && v.labels.status === 'completed');
    expect(other?.value).toBe(50);
  });
});

describe('toolLabels', () => {
  it('bounds tool-name labels per provider like model labels', () => {
    expect(toolLabels).toBeInstanceOf(ModelLabels);
    const names = new Set(Array.from({ length: 500 }, (_, i) => toolLabels.label('tool-test-provider', `tool_${i}`)));
    expect(names.size).toBe(101);
    expect(names.has('other')).toBe(true);
  });
});
