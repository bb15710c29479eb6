import { drawAlignment, type Alignment, type BlockType } from './alignment.js';
import { blockSensitivities, composeOperators } from './compose.js';
import { logAbsDet } from './determinant.js';
import { embeddingSteps, minimumInputs, stepDelayEmbedding, type BatchMap } from './embedding.js';
import { fullOperator, kernelCredits, type KernelCredit } from './kernels.js';
import { matrix, type Matrix } from './matrix.js';
import { resolveCreditOptions, type CreditOptions, type ResolvedCreditOptions } from './options.js';
import { fitPairs } from './pairs.js';
import { fromReduced, identityBasis, principalBasis, toReduced, type Basis } from './pca.js';
import type { LayerKind } from './partition.js';

/** One block of a network as the engine sees it: a map on batches of flat vectors. */
export interface CreditBlock {
  name: string;
  /** Names of the layers it holds, in order. */
  layers: string[];
  kind: LayerKind;
  inDim: number;
  outDim: number;
  /** Output dimension of every layer inside, last = outDim (d of the embedding is the smallest). */
  innerDims: number[];
  apply: BatchMap;
  /** For convolution blocks: the channel (kernel) of every output coordinate, for kernel credits. */
  channels?: { count: number; of: Int32Array; layer: string };
}

export interface BlockCredit {
  name: string;
  layers: string[];
  kind: LayerKind;
  inDim: number;
  outDim: number;
  /** Dimensions after the boundary reduction (in, out). */
  reducedIn: number;
  reducedOut: number;
  type: BlockType;
  /** Step-delay steps (2d) and the d used. */
  steps: number;
  d: number;
  /** Alignment draws averaged (1 for E2E: nothing is random), draws made in all, rejected by the rank check. */
  repeats: number;
  draws: number;
  rejected: number;
  /** Worst σ₁/σ_min of the accepted B and worst ‖BA − I‖_F over repeats. */
  alignmentCondition: number;
  alignmentResidual: number;
  /** Fit of K̃ over repeats: smallest rank, largest condition of the snapshot matrix, mean relative residual. */
  fitRank: number;
  fitCondition: number;
  fitResidual: number;
  /** Largest and smallest state-norm ratio ‖y(k)‖/‖y(0)‖ of the iteration. */
  growth: number;
  decay: number;
  /** Mean block operator K_i (reducedOut × reducedIn) and its offset. */
  operator: Matrix;
  offset: Float64Array;
  /** Block credit log abs|K_i| (seed 000, III.D), its rank and order, and log credit per kept direction. */
  logCredit: number;
  rank: number;
  order: number;
  logCreditPerDirection: number;
  /** exp(logCredit) normalised over the blocks (computed in log space). */
  share: number;
  /** log abs|∂K/∂K_i| (block sensitivity) and whether Theorem 5's square case applies. */
  logSensitivity: number;
  theorem5: boolean;
  singularValues: Float64Array;
  kernels: { layer: string; credits: KernelCredit[] } | null;
}

export interface CreditResult {
  blocks: BlockCredit[];
  /** Boundary coordinates (block i maps bases[i] to bases[i + 1]). */
  bases: Basis[];
  /** K = K_m ⋯ K_1 in reduced coordinates. */
  composed: Matrix;
  /** The composed operator in full coordinates (outputs × inputs): row c = weight of each input feature in output c. */
  featureWeights: Matrix;
  inputs: number;
  options: ResolvedCreditOptions;
}

/**
 * Koopman credit assignment of seed 000 (III.A–D) for a chain of blocks, on `count` inputs
 * (rows of `inputs`): forward the inputs to get the activations at every boundary; reduce each
 * boundary to its leading principal directions (or keep all); per block, `repeats` times: draw the
 * alignment (Theorem 4 rank check), build the step-delay embedding (2d steps from every input),
 * fit K̃ from the pooled pairs and recover K (L2S: B K̃, S2L: K̃ A); average the K's; credit
 * log abs|K|; compose; sensitivities; kernel credits; the feature-weight map.
 * Cost per block and repeat: 2d batch calls of the block plus O(2d·count·r·n) for the basis
 * changes and O(2d·count·r²) for the fit (r reduced, n full dimension).
 */
export function assignCredit(
  blocks: CreditBlock[],
  inputs: Float64Array,
  count: number,
  random: () => number,
  options: CreditOptions = {},
): CreditResult {
  const o = resolveCreditOptions(options);
  if (blocks.length === 0) throw new Error('assignCredit: no blocks');
  if (!(Number.isInteger(count) && count >= 1)) throw new Error(`assignCredit: count must be an integer ≥ 1; got ${count}`);
  for (let i = 1; i < blocks.length; i++) {
    if (blocks[i].inDim !== blocks[i - 1].outDim) {
      throw new Error(`block '${blocks[i].name}' takes ${blocks[i].inDim} values but '${blocks[i - 1].name}' gives ${blocks[i - 1].outDim}`);
    }
  }
  if (inputs.length !== count * blocks[0].inDim) throw new Error(`assignCredit: inputs must be ${count}×${blocks[0].inDim}; got ${inputs.length} values`);
  // activations at every boundary
  const acts: Float64Array[] = [inputs];
  for (const b of blocks) {
    const out = b.apply(acts[acts.length - 1], count);
    if (out.length !== count * b.outDim) throw new Error(`block '${b.name}' returned ${out.length} values for ${count}×${b.outDim}`);
    acts.push(out);
  }
  const dims = [blocks[0].inDim, ...blocks.map((b) => b.outDim)];
  const bases = acts.map((a, j) => (o.components === 'all' ? identityBasis(dims[j]) : principalBasis(a, count, dims[j], o.components, o.tol)));
  bases.forEach((basis, j) => {
    if (basis.rank === 0) throw new Error(`boundary ${j} (${j === 0 ? 'the input' : `after '${blocks[j - 1].name}'`}): the activations do not vary over the ${count} inputs`);
  });

  const credits: Omit<BlockCredit, 'share' | 'logSensitivity' | 'theorem5'>[] = [];
  blocks.forEach((block, i) => {
    const bin = bases[i];
    const bout = bases[i + 1];
    const rIn = bin.rank;
    const rOut = bout.rank;
    const need = minimumInputs(rIn, rOut) + (o.affine ? 1 : 0);
    const kind = rIn === rOut ? 'E2E' : rIn > rOut ? 'L2S' : 'S2L';
    if (count < need) {
      throw new Error(
        `too few inputs for the step-delay embedding of block '${block.name}' (${kind} ${rIn}→${rOut}${o.components === 'all' ? '' : ' after reduction'}): ` +
          `needs at least ${need} so the snapshots span its operator; got ${count}`,
      );
    }
    const map: BatchMap = bin.rows || bout.rows ? (z, c) => toReduced(bout, block.apply(fromReduced(bin, z, c), c), c) : block.apply;
    const starts = toReduced(bin, acts[i], count);
    const d = Math.min(rIn, rOut, ...block.innerDims);
    const steps = o.steps === 'paper' ? embeddingSteps([d]) : o.steps;
    const repeats = kind === 'E2E' ? 1 : o.repeats;
    const sum = new Float64Array(rOut * rIn);
    const offset = new Float64Array(rOut);
    let draws = 0;
    let alignmentCondition = 1;
    let alignmentResidual = 0;
    let fitRank = Infinity;
    let fitCondition = 0;
    let fitResidual = 0;
    let growth = 0;
    let decay = Infinity;
    for (let rep = 0; rep < repeats; rep++) {
      const al: Alignment = drawAlignment(rIn, rOut, { random, maxDraws: o.maxDraws, rankTol: o.rankTol });
      draws += al.draws;
      alignmentCondition = Math.max(alignmentCondition, al.condition);
      alignmentResidual = Math.max(alignmentResidual, al.residual);
      const emb = stepDelayEmbedding(map, starts, count, rIn, rOut, al, steps, `block '${block.name}'`, o.renormalize);
      growth = Math.max(growth, emb.growth);
      decay = Math.min(decay, emb.decay);
      const fit = fitPairs(emb.x, emb.y, { affine: o.affine, tol: o.tol });
      fitRank = Math.min(fitRank, fit.rank);
      fitCondition = Math.max(fitCondition, fit.condition);
      fitResidual += fit.residual / repeats;
      const { k, c } = recover(fit.operator, fit.offset, al);
      for (let t = 0; t < sum.length; t++) sum[t] += k.data[t] / repeats;
      for (let t = 0; t < rOut; t++) offset[t] += c[t] / repeats;
    }
    const operator = matrix(rOut, rIn, sum);
    const det = logAbsDet(operator, o.tol);
    credits.push({
      name: block.name,
      layers: block.layers,
      kind: block.kind,
      inDim: block.inDim,
      outDim: block.outDim,
      reducedIn: rIn,
      reducedOut: rOut,
      type: kind,
      steps,
      d,
      repeats,
      draws,
      rejected: draws - (kind === 'E2E' ? 0 : repeats),
      alignmentCondition,
      alignmentResidual,
      fitRank,
      fitCondition,
      fitResidual,
      growth,
      decay,
      operator,
      offset,
      logCredit: det.logAbs,
      rank: det.rank,
      order: det.order,
      logCreditPerDirection: det.rank > 0 ? det.logAbs / det.rank : 0,
      singularValues: det.singularValues,
      kernels: block.channels
        ? { layer: block.channels.layer, credits: kernelCredits(operator, bout, block.channels.of, block.channels.count, o.tol) }
        : null,
    });
  });
  const operators = credits.map((c) => c.operator);
  const sens = blockSensitivities(operators, o.tol);
  const top = Math.max(...credits.map((c) => c.logCredit));
  const z = credits.reduce((s, c) => s + Math.exp(c.logCredit - top), 0);
  const composed = composeOperators(operators);
  return {
    blocks: credits.map((c, i) => ({ ...c, share: Math.exp(c.logCredit - top) / z, logSensitivity: sens[i].log, theorem5: sens[i].theorem5 })),
    bases,
    composed,
    featureWeights: fullOperator(composed, bases[0], bases[bases.length - 1]),
    inputs: count,
    options: o,
  };
}

/** Eq. (1): K = B K̃ for L2S (f̃ = A∘f), K = K̃ A for S2L (f̃ = f∘B), K = K̃ for E2E; offsets likewise. */
function recover(kt: Matrix, ct: Float64Array, al: Alignment): { k: Matrix; c: Float64Array } {
  if (al.type === 'E2E') return { k: kt, c: ct };
  const mul = (a: Matrix, b: Matrix): Matrix => {
    const out = matrix(a.rows, b.cols);
    for (let i = 0; i < a.rows; i++)
      for (let k = 0; k < a.cols; k++) {
        const v = a.data[i * a.cols + k];
        if (v === 0) continue;
        for (let j = 0; j < b.cols; j++) out.data[i * b.cols + j] += v * b.data[k * b.cols + j];
      }
    return out;
  };
  if (al.type === 'L2S') {
    const k = mul(al.b, kt);
    const c = mul(al.b, matrix(ct.length, 1, ct)).data;
    return { k, c };
  }
  return { k: mul(kt, al.a), c: ct };
}
