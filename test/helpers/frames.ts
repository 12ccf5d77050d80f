/** The sample frames live with the product (the demo uses them too). */
export * from '../../src/frames/samples.js';
