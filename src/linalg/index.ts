export { cabs, cpow, geometricSum, type Complex } from './complex.js';
export { complexInverse } from './complex-inverse.js';
export { eigen, type Eigen } from './eigen.js';
export { assertFinite, firstNonFinite } from './finite.js';
export { rowGram, rowProduct } from './gram.js';
export { chooseRank, gavishDonohoOmega, validateRankRule, type RankChoice, type RankRule } from './rank.js';
export { symmetricEigen, type SymmetricEigen } from './symmetric-eigen.js';
