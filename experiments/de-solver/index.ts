export { deSolverCommand } from './cli.js';
export { runDeSolver, commandLine, DE_SOLVER_DEFAULTS, type DeSolverOptions } from './experiment.js';
export { BEST_AT_PAPER_SCALE, PAPER_FIT, PAPER_SCHEDULE, QUICK_SCHEDULE, SOLVER_PARTITION, bestSettings, type BestSettings, type Schedule } from './config.js';
export { buildSolverNet, forwardWithRate, physicsLoss, physicsLossValue, solve, solverOutputs, solverVariables } from './network.js';
export { OPTIMIZERS, makeOptimizer, setLearningRate, type OptimizerName } from './optimizers.js';
export { PAPER_PROBLEM, energy, learningRate, trainingTimes, type OscillatorProblem } from './problem.js';
export { rk4Oscillator } from './rk4.js';
export { runJob, type RunJob, type RunRow, type RunDetail } from './run.js';
export { SUMMARY_COLUMNS, PAPER_TABLE1, GOALS, summarize, writeReport } from './outputs.js';
