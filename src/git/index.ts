// Git data branches (history, the update channel on GitHub Pages): append-only commits, retried on a new tip.
export { git, gitOk, updateBranch, type BranchChange, type BranchOutcome, type BranchTarget } from './branch.js';
