// Entry point: build (or reuse) the image and the provisioned topology; print its JSON.

import { labCacheDir } from './common.js';
import { ensureImage } from './image.js';
import { ensureTopology } from './topology.js';

const topo = await ensureTopology(await ensureImage(), labCacheDir());
process.stdout.write(`${JSON.stringify(topo, null, 2)}\n`);
