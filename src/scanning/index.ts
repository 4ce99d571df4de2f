export { FindingSeverity } from './severity';
