// `workers N` on a server: how many processes the program runs in (Node's cluster); the runtime's limit is the language's.
export { MAX_WORKERS } from '../../templates/runtime/cluster.js';
