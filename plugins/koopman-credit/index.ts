export { koopmanCredit, type KoopmanCreditResult } from './credit.js';
export { KOOPMAN_CREDIT_DEFAULTS, resolveKoopmanCreditOptions, type KoopmanCreditOptions, type ResolvedKoopmanCreditOptions } from './options.js';
export type { BlockCredit, CreditResult } from '../../src/credit/credit.js';
