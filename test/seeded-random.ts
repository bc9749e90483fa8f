// The tests' seeded generator is the product's (language/values/seeded-random.ts): one implementation.
export { seededRandom, type Random } from '../language/values/seeded-random.js';
