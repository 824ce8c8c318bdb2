// Entry point: build (or reuse) the image and the provisioned topology; print its JSON.
import { ensureImage } from './image.js';
import { ensureTopology } from './topology.js';
import { labCacheDir } from './common.js';

const topo = await ensureTopology(await ensureImage(), labCacheDir());
process.stdout.write(`${JSON.stringify(topo, null, 2)}\n`);
